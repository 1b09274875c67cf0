// `epibook export`: a run's checkpoint as a Kipoi model folder (model.yaml,
// dataloader.yaml, the PyTorch state dict, the Python that loads both, and a test
// example of the run's own windows with the outputs epibook computed for them), so the
// model leaves epibook with a description another tool can check. The core builds the
// files (kipoi_export.h); this command finds the run, reads the example rows, writes.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bed.h"
#include "epibook/dataset.h"
#include "epibook/kipoi_export.h"
#include "epibook/npy.h"
#include "epibook/train.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

struct ExportArguments {
  std::string run;
  std::string out;
  std::string data;
  std::string data_root = ".";
  uint32_t examples = 4;
  std::vector<std::string> authors;
  std::string cite_as;
  std::string license;
};

// The checkpoint a run directory offers (best.ckpt, else last.ckpt), or the file given.
std::string checkpoint_path(const std::string& run) {
  std::error_code ec;
  if (!fs::exists(run, ec)) fail(not_found(run + ": no such run directory or checkpoint"));
  if (!fs::is_directory(run, ec)) return run;
  for (const char* name : {"best.ckpt", "last.ckpt"}) {
    if (fs::exists(fs::path(run) / name, ec)) return (fs::path(run) / name).string();
  }
  fail(not_found(run + ": no best.ckpt or last.ckpt in it (not a run directory of `epibook train`)"));
}

// The run's manifest.json beside the checkpoint, when there is one; broken JSON fails.
std::optional<nlohmann::json> run_manifest(const std::string& checkpoint) {
  const fs::path path = fs::path(checkpoint).parent_path() / "manifest.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json manifest = nlohmann::json::parse(text.str(), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    fail(corrupt(path.string() + ": not valid JSON (the run's manifest is damaged)"));
  }
  return manifest;
}

// The first `count` rows of the test split (split 2), topped up from the other rows
// when the test split has fewer.
std::vector<uint32_t> example_rows(const std::vector<int8_t>& split, uint64_t rows, uint32_t count) {
  std::vector<uint32_t> chosen;
  for (uint32_t pass = 0; pass < 2; ++pass) {
    for (uint64_t r = 0; r < rows && chosen.size() < count; ++r) {
      const bool test = r < split.size() && split[r] == 2;
      if (test == (pass == 0)) chosen.push_back(static_cast<uint32_t>(r));
    }
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

void read_examples(const ExportArguments& a, const LoadedCheckpoint& checkpoint, KipoiExportSource& source) {
  DataOptions data = checkpoint.options.data;
  std::vector<uint32_t> rows;
  if (data.from_genome() && a.data.empty()) {
    const FileDataset files = value_or_fail(open_file_dataset(data, a.data_root));
    const WindowDataset& dataset = *files.dataset;
    rows = example_rows(dataset.split(), dataset.rows(), a.examples);
    nn::Tensor targets;
    check(dataset.gather(rows, source.example_inputs, targets));
    for (uint32_t r : rows) source.example_regions.push_back(dataset.regions()[dataset.window_of_row(r)]);
  } else {
    data.dir = a.data.empty() ? path_under(a.data_root, data.dir) : a.data;
    const nn::Tensor inputs = value_or_fail(load_inputs(data));
    std::vector<int8_t> split;
    if (!data.split.empty()) {
      const NpyArray array = value_or_fail(read_npy(data.dir + "/" + data.split));
      for (float v : array.as_float32()) split.push_back(static_cast<int8_t>(v));
    }
    rows = example_rows(split, static_cast<uint64_t>(inputs.dim(0)), a.examples);
    std::vector<int64_t> dims(inputs.shape().dims().begin(), inputs.shape().dims().end());
    dims[0] = static_cast<int64_t>(rows.size());
    source.example_inputs = nn::Tensor(nn::Shape(dims));
    gather_rows(inputs, rows, source.example_inputs);
    std::error_code ec;
    const std::string bed = data.dir + "/windows.bed";
    if (fs::exists(bed, ec)) {
      const std::vector<Region> windows = value_or_fail(read_bed_regions(bed));
      for (uint32_t r : rows) {
        if (r < windows.size()) source.example_regions.push_back(windows[r]);
      }
      if (source.example_regions.size() != rows.size()) source.example_regions.clear();
    }
  }
  source.example_rows.assign(rows.begin(), rows.end());
}

std::string export_manifest(const KipoiExportSource& source, const std::vector<ExportedFile>& files) {
  nlohmann::ordered_json m;
  m["tool"] = "epibook export";
  m["epibook_version"] = EPIBOOK_VERSION;
  m["checkpoint"] = source.checkpoint_name;
  m["example_rows"] = source.example_rows;
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (const ExportedFile& file : files) names.push_back(file.path);
  m["files"] = names;
  return m.dump(2) + "\n";
}

void run_export(const ExportArguments& a) {
  if (a.examples == 0) fail(invalid_argument("--examples must be at least 1 (the test example needs rows)"));
  const fs::path out(a.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !replaceable(out, "epibook export")) {
    fail(invalid_argument(a.out + ": exists and is not an earlier `epibook export` output; remove it or choose "
                          "another --out"));
  }
  const std::string checkpoint_file = checkpoint_path(a.run);
  LoadedCheckpoint checkpoint = value_or_fail(load_checkpoint(checkpoint_file));
  const std::optional<nlohmann::json> manifest = run_manifest(checkpoint_file);
  KipoiExportSource source;
  source.checkpoint_name = checkpoint_file;
  source.manifest = manifest ? &*manifest : nullptr;
  source.authors = a.authors;
  source.cite_as = a.cite_as;
  source.license = a.license;
  read_examples(a, checkpoint, source);
  const std::vector<ExportedFile> files = value_or_fail(kipoi_export_files(checkpoint, source));

  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  StagingDirectory staging(out);
  check(staging.create());
  for (const ExportedFile& file : files) {
    const fs::path path = staging.path() / file.path;
    fs::create_directories(path.parent_path(), ec);
    check(write_file_atomically(path.string(), file.bytes));
  }
  check(write_file_atomically((staging.path() / "manifest.json").string(), export_manifest(source, files)));
  check(staging.publish());

  uint64_t parameters = 0;
  for (nn::Parameter* p : checkpoint.model->parameters()) parameters += static_cast<uint64_t>(p->value.size());
  const bool sequence = inputs_are_one_hot_dna(source.example_inputs);
  std::cout << "wrote " << a.out << ": model.yaml (inputs " << kipoi_shape(checkpoint.input_shape) << ", outputs "
            << kipoi_shape(checkpoint.target_shape) << "), dataloader.yaml ("
            << (sequence ? "SequenceWindows" : "ArrayRows") << "), model.npz (" << parameters
            << " parameters), test example of " << source.example_rows.size() << " rows from " << checkpoint_file
            << "\n";
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto arguments = std::make_shared<ExportArguments>();
  ExportArguments& a = *arguments;
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Write a checkpoint as a Kipoi model folder: model.yaml and dataloader.yaml (Kipoi's fields:\n"
      "defined_as, args, schema with the input and output shapes the model really has, info,\n"
      "dependencies, test), model.npz (the PyTorch state_dict), model.py and dataloader.py (the\n"
      "classes the YAML names), load_epibook_weights.py (rebuilds the torch.nn.Sequential), and\n"
      "test/: the first --examples rows of the run's test split (inputs.npy; for DNA inputs also\n"
      "sequences.fa and intervals.bed) with the raw outputs epibook computes for them\n"
      "(expected.npy). RUN is a run directory of `epibook train` (best.ckpt, else last.ckpt) or a\n"
      "checkpoint file. OUT appears only when complete.");
  cmd->add_option("run", a.run, "Run directory or checkpoint")->required();
  cmd->add_option("-o,--out", a.out, "The folder to write")->required();
  cmd->add_option("--data", a.data, "Dataset directory of npy arrays (default: the data the run trained on)");
  cmd->add_option("--data-root", a.data_root,
                  "Folder that relative data paths of the run are taken from (default: the current folder)");
  cmd->add_option("--examples", a.examples, "Rows in the test example (default 4)");
  cmd->add_option("--author", a.authors, "info.authors: a name (repeatable; default \"epibook export\")");
  cmd->add_option("--cite-as", a.cite_as, "info.cite_as: a DOI link to cite the model by");
  cmd->add_option("--license", a.license, "info.license (Kipoi assumes MIT when left out)");
  cmd->callback([arguments] { run_export(*arguments); });
}

}  // namespace epibook::cli
