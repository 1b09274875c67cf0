// `epibook predict`: a checkpoint's predictions for every window of a dataset, laid
// back on the genome as a bigWig (windows.bed from `epibook prep` gives the places),
// so they can be viewed beside the measured track in a genome browser.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bed.h"
#include "epibook/bigwig_writer.h"
#include "epibook/dataset.h"
#include "epibook/npy.h"
#include "epibook/signal_text.h"
#include "epibook/train.h"

namespace epibook::cli {
namespace {

struct PredictArguments {
  std::string checkpoint;
  std::string data;
  std::string data_root = ".";
  std::string windows;
  std::string chrom_sizes;
  std::string out;
};

// Chromosome lengths from a chrom.sizes file, or the furthest window end per chromosome.
std::vector<BigWigChrom> chromosomes(const PredictArguments& a, const std::vector<Region>& windows) {
  if (!a.chrom_sizes.empty()) return value_or_fail(read_chrom_sizes(a.chrom_sizes));
  std::map<std::string, uint64_t> ends;
  for (const Region& w : windows) ends[w.chrom] = std::max(ends[w.chrom], w.end);
  std::vector<BigWigChrom> chroms;
  for (const auto& [name, end] : ends) chroms.push_back({name, 0, static_cast<uint32_t>(end)});
  return chroms;
}

// Each window's outputs split its span evenly (one value per output bin); a model with
// one output per window paints the whole window. Windows must not overlap.
std::vector<ChromIntervals> prediction_intervals(const std::vector<Region>& windows, const nn::Tensor& outputs,
                                                 const std::string& windows_path) {
  const int64_t per_row = outputs.size() / outputs.dim(0);
  std::vector<size_t> order(windows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return windows[x].chrom != windows[y].chrom ? windows[x].chrom < windows[y].chrom : windows[x].start < windows[y].start;
  });
  std::vector<ChromIntervals> signal;
  for (size_t k = 0; k < order.size(); ++k) {
    const Region& w = windows[order[k]];
    if (signal.empty() || signal.back().chrom != w.chrom) signal.push_back({w.chrom, {}});
    std::vector<BigWigInterval>& intervals = signal.back().intervals;
    if (!intervals.empty() && intervals.back().end > w.start) {
      fail(invalid_argument(windows_path + ": windows overlap at " + w.chrom + ":" + std::to_string(w.start) +
                            " (stride < window): overlapping predictions cannot form one bigWig track"));
    }
    const uint64_t width = w.end - w.start;
    if (static_cast<int64_t>(width) % per_row != 0) {
      fail(invalid_argument(windows_path + ": a window of " + std::to_string(width) + " bp does not divide into " +
                            std::to_string(per_row) + " predicted bins"));
    }
    const uint64_t bin = width / static_cast<uint64_t>(per_row);
    for (int64_t j = 0; j < per_row; ++j) {
      const float value = outputs[static_cast<int64_t>(order[k]) * per_row + j];
      const auto start = static_cast<uint32_t>(w.start + static_cast<uint64_t>(j) * bin);
      intervals.push_back({start, static_cast<uint32_t>(start + bin), value});
    }
  }
  return signal;
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// One line per window in row order: chrom, start, end, then each output (%.9g, float's
// digits). Windows may overlap, as labelled windows around peaks do.
std::string prediction_rows(const std::vector<Region>& windows, const nn::Tensor& outputs) {
  const int64_t per_row = outputs.size() / std::max<int64_t>(1, outputs.dim(0));
  std::string text;
  char value[32];
  for (size_t r = 0; r < windows.size(); ++r) {
    text += windows[r].chrom + "\t" + std::to_string(windows[r].start) + "\t" + std::to_string(windows[r].end);
    for (int64_t k = 0; k < per_row; ++k) {
      std::snprintf(value, sizeof value, "\t%.9g", static_cast<double>(outputs[static_cast<int64_t>(r) * per_row + k]));
      text += value;
    }
    text += "\n";
  }
  return text;
}

void run_predict(const PredictArguments& a) {
  LoadedCheckpoint checkpoint = value_or_fail(load_checkpoint(a.checkpoint));
  // The run's thread count (the bits are the same on any), on a backend of this command's own.
  nn::CpuBackend backend(checkpoint.options.threads);
  checkpoint.model->set_backend(&backend);
  DataOptions data_options = checkpoint.options.data;
  std::vector<Region> windows;
  std::string windows_path;
  nn::Tensor outputs;
  if (data_options.from_genome() && a.data.empty()) {
    // A run streamed from a genome: every row of its windows, read a batch at a time.
    const FileDataset files = value_or_fail(open_file_dataset(data_options, a.data_root));
    const WindowDataset& dataset = *files.dataset;
    windows_path = files.paths.back();
    std::vector<uint32_t> rows(dataset.rows());
    for (uint32_t r = 0; r < rows.size(); ++r) {
      rows[r] = r;
      windows.push_back(dataset.regions()[dataset.window_of_row(r)]);
    }
    outputs = value_or_fail(predict_rows(*checkpoint.model, dataset, rows, checkpoint.options.batch_size)).outputs;
  } else {
    data_options.dir = a.data.empty() ? path_under(a.data_root, data_options.dir) : a.data;
    windows_path = a.windows.empty() ? data_options.dir + "/windows.bed" : a.windows;
    windows = value_or_fail(read_bed_regions(windows_path));
    const nn::Tensor inputs = value_or_fail(load_inputs(data_options));
    if (static_cast<int64_t>(windows.size()) != inputs.dim(0)) {
      fail(invalid_argument(windows_path + ": " + std::to_string(windows.size()) + " windows for " +
                            std::to_string(inputs.dim(0)) + " input rows"));
    }
    outputs = value_or_fail(predict(*checkpoint.model, inputs, checkpoint.options.batch_size));
  }
  // A Poisson or multinomial model's output is a log-rate and a BCE model's a logit: write the rate or
  // the probability, the numbers a reader compares with the track.
  for (int64_t i = 0; i < outputs.size(); ++i) {
    if (outputs_log_rates(checkpoint.options.loss)) outputs[i] = std::exp(outputs[i]);
    if (checkpoint.options.loss == "bce") outputs[i] = 1.0f / (1.0f + std::exp(-outputs[i]));
  }
  if (checkpoint.options.loss == "cross_entropy") fail(unsupported("predict: class outputs do not form a signal track"));
  if (ends_with(a.out, ".tsv")) {
    check(write_file_atomically(a.out, prediction_rows(windows, outputs)));
    std::cout << "wrote " << a.out << ": predictions for " << windows.size() << " windows\n";
    return;
  }
  const std::vector<ChromIntervals> signal = prediction_intervals(windows, outputs, windows_path);
  check(write_bigwig(a.out, chromosomes(a, windows), signal));
  std::cout << "wrote " << a.out << ": predictions for " << windows.size() << " windows\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto arguments = std::make_shared<PredictArguments>();
  CLI::App* predict_app = app.add_subcommand(
      "predict",
      "Write a checkpoint's predictions for every window of a dataset as a bigWig: each window's\n"
      "outputs cover it in equal bins (rates for poisson models, probabilities for bce).\n"
      "Window places come from DATA/windows.bed (as `epibook prep` writes it) or --windows.\n"
      "With -o FILE.tsv: one line per window in row order (chrom, start, end, each output),\n"
      "for windows that overlap (labelled windows around peaks) or for scripts.");
  auto& a = *arguments;
  predict_app->add_option("--checkpoint", a.checkpoint, "A checkpoint from `epibook train`")
      ->required()
      ->check(CLI::ExistingFile);
  predict_app->add_option("--data", a.data, "Dataset directory of npy arrays (default: the data the run trained on)");
  predict_app->add_option("--data-root", a.data_root,
                          "Folder that relative data paths of the run (data.dir, data.genome, data.tracks,\n"
                          "data.windows) are taken from (default: the current folder)");
  predict_app->add_option("--windows", a.windows, "BED of the windows, one per input row, in row order");
  predict_app->add_option("--chrom-sizes", a.chrom_sizes, "chrom.sizes (default: each chromosome ends at its last window)");
  predict_app->add_option("-o,--out", a.out, "The bigWig (or .tsv) to write (appears only when complete)")->required();
  predict_app->callback([arguments] { run_predict(*arguments); });
}

}  // namespace epibook::cli
