// `epibook eval`: a trained checkpoint scored on a dataset split, each score printed
// beside its shuffled-label floor (a table, or JSON for scripts).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "commands.h"
#include "epibook/dataset.h"
#include "epibook/train.h"

namespace epibook::cli {
namespace {

struct EvalArguments {
  std::string checkpoint;
  std::string data;
  std::string data_root = ".";
  std::string split = "test";
  uint32_t floor_rounds = 20;
  bool json = false;
};

int split_value(const std::string& name) {
  if (name == "train") return 0;
  if (name == "validation") return 1;
  if (name == "test") return 2;
  return -1;  // "all"
}

const MetricFloor* floor_of(const Evaluation& e, const std::string& name) {
  for (const Evaluation::Floor& f : e.floors) {
    if (f.name == name) return &f.floor;
  }
  return nullptr;
}

void print_table(const Evaluation& e, const EvalArguments& a, const std::string& loss) {
  std::printf("%s on %s rows of %s (%llu rows)\n", a.checkpoint.c_str(), a.split.c_str(), a.data.c_str(),
              static_cast<unsigned long long>(e.rows));
  std::printf("%-10s %12s   %s\n", "metric", "value", "shuffled-label floor (mean +- sd)");
  std::printf("%-10s %12.6f\n", (loss + " loss").c_str(), e.loss);
  for (const MetricValue& m : e.metrics) {
    const MetricFloor* floor = floor_of(e, m.name);
    if (floor == nullptr) {
      std::printf("%-10s %12.6f\n", m.name.c_str(), m.value);
    } else {
      std::printf("%-10s %12.6f   %.6f +- %.6f (%u shuffles)\n", m.name.c_str(), m.value, floor->mean, floor->sd,
                  floor->rounds);
    }
  }
}

void print_json(const Evaluation& e, const EvalArguments& a, const std::string& loss) {
  nlohmann::ordered_json out;
  out["checkpoint"] = a.checkpoint;
  out["data"] = a.data;
  out["split"] = a.split;
  out["rows"] = e.rows;
  out["loss"] = {{"name", loss}, {"value", e.loss}};
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  for (const MetricValue& m : e.metrics) {
    nlohmann::ordered_json entry = {{"value", std::isfinite(m.value) ? nlohmann::ordered_json(m.value) : nullptr}};
    if (const MetricFloor* floor = floor_of(e, m.name)) {
      entry["floor"] = {{"mean", floor->mean}, {"sd", floor->sd}, {"rounds", floor->rounds}};
    }
    metrics[m.name] = entry;
  }
  out["metrics"] = metrics;
  std::cout << out.dump(2) << "\n";
}

void run_eval(EvalArguments a) {
  LoadedCheckpoint checkpoint = value_or_fail(load_checkpoint(a.checkpoint));
  DataOptions data_options = checkpoint.options.data;
  // The run's thread count (the bits are the same on any), on a backend of this command's own.
  nn::CpuBackend backend(checkpoint.options.threads);
  checkpoint.model->set_backend(&backend);
  Evaluation evaluation;
  if (data_options.from_genome() && a.data.empty()) {
    // A run streamed from a genome: the same windows, FASTA and tracks, relative paths
    // taken from --data-root.
    const FileDataset files = value_or_fail(open_file_dataset(data_options, a.data_root));
    a.data = files.paths.back();
    evaluation = value_or_fail(
        evaluate_model(*checkpoint.model, checkpoint.options, *files.dataset, split_value(a.split), a.floor_rounds));
  } else {
    data_options.dir = a.data.empty() ? path_under(a.data_root, data_options.dir) : a.data;
    a.data = data_options.dir;
    const TrainingData data = value_or_fail(load_training_data(data_options));
    evaluation = value_or_fail(
        evaluate_model(*checkpoint.model, checkpoint.options, data, split_value(a.split), a.floor_rounds));
  }
  if (a.json) {
    print_json(evaluation, a, checkpoint.options.loss);
  } else {
    print_table(evaluation, a, checkpoint.options.loss);
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto arguments = std::make_shared<EvalArguments>();
  CLI::App* eval = app.add_subcommand(
      "eval",
      "Score a checkpoint from `epibook train` on a dataset split: the loss and the metrics of\n"
      "its loss (pearson / spearman / mse for mse and poisson; auroc / auprc / best_f1 /\n"
      "accuracy for bce; accuracy for cross_entropy), each correlation and ranking score with\n"
      "its shuffled-label floor: the score the model gets when the labels are permuted.");
  auto& a = *arguments;
  eval->add_option("--checkpoint", a.checkpoint, "A checkpoint (best.ckpt or last.ckpt of a run)")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--data", a.data, "Dataset directory of npy arrays (default: the data the run trained on)");
  eval->add_option("--data-root", a.data_root,
                   "Folder that relative data paths of the run (data.dir, data.genome, data.tracks,\n"
                   "data.windows) are taken from (default: the current folder)");
  eval->add_option("--split", a.split, "Rows to score: test (default), validation, train or all")
      ->check(CLI::IsMember({"train", "validation", "test", "all"}));
  eval->add_option("--floor-rounds", a.floor_rounds, "Label shuffles for the floors (default 20; 0: none)");
  eval->add_flag("--json", a.json, "Print JSON instead of a table");
  eval->callback([arguments] { run_eval(*arguments); });
}

}  // namespace epibook::cli
