// A training run on disk: manifest.json at the start, then per epoch last.ckpt (and
// best.ckpt when the monitored metric improved) before the epoch's line in
// metrics.jsonl, so a line never describes an epoch whose checkpoint is missing.
// Resume loads last.ckpt and keeps only the metrics lines of the epochs it holds.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epibook/dataset.h"
#include "epibook/model_limits.h"
#include "epibook/npy.h"
#include "epibook/prep.h"
#include "epibook/train.h"
#include "run_json.h"

namespace epibook {
namespace {

nlohmann::ordered_json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string epoch_metrics_line(const EpochRecord& r) {
  nlohmann::ordered_json line;
  line["epoch"] = r.epoch;
  line["steps"] = r.steps;
  line["train_loss"] = number_or_null(r.train_loss);
  line["validation_loss"] = r.validation_loss ? number_or_null(*r.validation_loss) : nullptr;
  nlohmann::ordered_json validation = nlohmann::ordered_json::object();
  for (const MetricValue& m : r.validation) validation[m.name] = number_or_null(m.value);
  line["validation"] = validation;
  line["learning_rate"] = r.learning_rate;
  line["monitored"] = number_or_null(r.monitored);
  line["improved"] = r.improved;
  line["stopped"] = r.stop;
  return line.dump() + "\n";
}

namespace {

Result<nlohmann::ordered_json> data_hashes(const DataOptions& data) {
  nlohmann::ordered_json hashes = nlohmann::ordered_json::object();
  for (const std::string& file : {data.inputs, data.targets, data.split}) {
    if (file.empty()) continue;
    EPIBOOK_ASSIGN_OR_RETURN(const uint64_t hash, file_content_hash(data.dir + "/" + file));
    hashes[file] = hex64(hash);
  }
  return hashes;
}

// The content hash of each file a genome dataset was read from, keyed by its path.
Result<nlohmann::ordered_json> file_hashes(const std::vector<std::string>& paths) {
  nlohmann::ordered_json hashes = nlohmann::ordered_json::object();
  for (const std::string& path : paths) {
    EPIBOOK_ASSIGN_OR_RETURN(const uint64_t hash, file_content_hash(path));
    hashes[path] = hex64(hash);
  }
  return hashes;
}

std::string manifest_text(const TrainOptions& options, const nlohmann::ordered_json& hashes, nn::Layer& model,
                          const TrainingRows& data) {
  nlohmann::ordered_json manifest;
  manifest["tool"] = "epibook train";
  manifest["epibook_version"] = EPIBOOK_VERSION;
  manifest["seed"] = options.seed;
  manifest["config"] = options_to_json(options);
  const auto rows = static_cast<int64_t>(data.rows());
  if (options.data.from_genome()) {
    manifest["data"] = {{"genome", options.data.genome}, {"tracks", options.data.tracks},
                        {"windows", options.data.windows}, {"streamed", true}};
  } else {
    manifest["data"] = {{"dir", options.data.dir}};
  }
  manifest["data"]["content_hashes"] = hashes;
  manifest["data"]["content_hash_method"] = "stable_hash (FNV-1a 64 + SplitMix64), seed 0";
  manifest["data"]["rows"] = rows;
  manifest["data"]["input_shape"] = data.input_shape(rows).text();
  manifest["data"]["target_shape"] = data.target_shape(rows).text();
  uint64_t parameters = 0;
  for (nn::Parameter* p : model.parameters()) parameters += static_cast<uint64_t>(p->value.size());
  manifest["model"] = {{"parameters", parameters}, {"layers", model.describe()}};
  manifest["files"] = {{"metrics", "metrics.jsonl"}, {"last", "last.ckpt"}, {"best", "best.ckpt"}};
  return manifest.dump(2) + "\n";
}

// The lines of metrics.jsonl for epochs before `next_epoch` (a crash may have left more).
std::string kept_metrics_lines(const std::string& path, uint32_t next_epoch) {
  std::ifstream in(path);
  std::string line, kept;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("epoch") && j["epoch"].is_number_unsigned() &&
        j["epoch"].get<uint64_t>() < next_epoch) {
      kept += line + "\n";
    }
  }
  return kept;
}

Status append_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  out.flush();
  if (!out) return io_error(path + ": cannot append");
  return Status::ok();
}


// Loads last.ckpt into the fresh model and trainer; the options must be the run's.
Status resume_from(const std::string& path, const TrainOptions& options, nn::Layer& model, Trainer& trainer) {
  EPIBOOK_ASSIGN_OR_RETURN(LoadedCheckpoint checkpoint, load_checkpoint(path));
  TrainOptions saved = checkpoint.options;
  saved.epochs = options.epochs;  // a resumed run may be given more epochs
  if (train_options_json(saved) != train_options_json(options)) {
    return invalid_argument(path + ": was written with other options; resume needs the same config (only "
                            "train.epochs may change)");
  }
  std::vector<nn::Parameter*> from = checkpoint.model->parameters();
  std::vector<nn::Parameter*> into = model.parameters();
  for (size_t i = 0; i < into.size() && i < from.size(); ++i) into[i]->value = from[i]->value;
  std::vector<nn::Buffer*> buffers_from = checkpoint.model->buffers();
  std::vector<nn::Buffer*> buffers_into = model.buffers();
  for (size_t i = 0; i < buffers_into.size() && i < buffers_from.size(); ++i) buffers_into[i]->value = buffers_from[i]->value;
  std::vector<nn::Counter*> counters_from = checkpoint.model->counters();
  std::vector<nn::Counter*> counters_into = model.counters();
  for (size_t i = 0; i < counters_into.size() && i < counters_from.size(); ++i) counters_into[i]->value = counters_from[i]->value;
  return trainer.restore(checkpoint.trainer, checkpoint.optimizer);
}

}  // namespace

namespace {

// The run itself, on rows from memory or streamed from a genome.
Result<RunSummary> run_on(const TrainOptions& options, const TrainingRows& data, const nlohmann::ordered_json& hashes,
                          const std::string& out_dir, bool resume, const RunProgress& progress) {
  const nn::Shape input_row = data.input_shape(1);
  const nn::Shape target_row = data.target_shape(1);
  // Sized before anything allocates or is written: a model past a training run's limits
  // leaves no run directory behind.
  EPIBOOK_ASSIGN_OR_RETURN(nn::LayerPtr model, build_model_within(options.model, input_row, target_row, options.seed,
                                                                  training_model_limits(options.batch_size)));
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<Trainer> trainer, Trainer::create(*model, data, options));
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return io_error(out_dir + ": cannot create the run directory: " + error.message());
  const std::string last = out_dir + "/last.ckpt";
  const std::string best = out_dir + "/best.ckpt";
  const std::string metrics = out_dir + "/metrics.jsonl";

  RunSummary summary;
  if (resume && std::filesystem::exists(last)) {
    EPIBOOK_RETURN_IF_ERROR(resume_from(last, options, *model, *trainer));
    summary.resumed = true;
  }
  EPIBOOK_RETURN_IF_ERROR(write_file_atomically(out_dir + "/manifest.json", manifest_text(options, hashes, *model, data)));
  EPIBOOK_RETURN_IF_ERROR(
      write_file_atomically(metrics, summary.resumed ? kept_metrics_lines(metrics, trainer->state().next_epoch) : ""));

  while (!trainer->finished()) {
    const uint32_t epoch = trainer->state().next_epoch;
    EPIBOOK_ASSIGN_OR_RETURN(const EpochRecord record, trainer->run_epoch([&](uint64_t batch, uint64_t batches, double loss) {
      if (progress.on_step) progress.on_step(epoch, batch, batches, loss);
    }));
    const nn::OptimizerState optimizer_state = trainer->optimizer().state();
    EPIBOOK_RETURN_IF_ERROR(save_checkpoint(last, options, *model, input_row, target_row, trainer->state(),
                                            optimizer_state));
    if (record.improved) {
      EPIBOOK_RETURN_IF_ERROR(save_checkpoint(best, options, *model, input_row, target_row, trainer->state(),
                                              optimizer_state));
      summary.best_epoch = record.epoch;
    }
    EPIBOOK_RETURN_IF_ERROR(append_text(metrics, epoch_metrics_line(record)));
    if (progress.on_epoch) progress.on_epoch(record);
    summary.epochs.push_back(record);
    summary.stopped_early = record.stop;
  }
  return summary;
}

}  // namespace

Result<RunSummary> train_run(const TrainOptions& options, const std::string& out_dir, bool resume,
                             const RunProgress& progress, const std::string& data_root) {
  EPIBOOK_RETURN_IF_ERROR(validate_train_options(options));
  if (options.data.from_genome()) {
    EPIBOOK_ASSIGN_OR_RETURN(const FileDataset files, open_file_dataset(options.data, data_root, progress.on_scan));
    EPIBOOK_ASSIGN_OR_RETURN(const nlohmann::ordered_json hashes, file_hashes(files.paths));
    return run_on(options, *files.dataset, hashes, out_dir, resume, progress);
  }
  DataOptions arrays = options.data;
  arrays.dir = path_under(data_root, arrays.dir);
  EPIBOOK_ASSIGN_OR_RETURN(const TrainingData data, load_training_data(arrays));
  EPIBOOK_ASSIGN_OR_RETURN(const nlohmann::ordered_json hashes, data_hashes(arrays));
  return run_on(options, InMemoryRows(data), hashes, out_dir, resume, progress);
}

}  // namespace epibook
