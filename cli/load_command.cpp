// `epibook load`: streams a loader's batches (core: epibook/loader.h) over a whole
// genome or given regions, the way a training run would read them, and reports
// samples/s, peak memory and a checksum of every value. The check that the full-size
// data loads fast, in bounded memory, before a model ever sees it.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bigwig.h"
#include "epibook/fasta.h"
#include "epibook/loader.h"

namespace epibook::cli {
namespace {

struct LoadArguments {
  std::string fasta;
  std::vector<std::string> tracks;
  std::vector<std::string> regions;
  std::string preset = "default";
  uint32_t window = 1000, stride = 0;
  // Left out: the preset's value.
  std::optional<uint32_t> batch, bin, threads, prefetch, max_shift;
  std::optional<std::string> transform, unknown_base, sampler;
  std::optional<uint64_t> seed;
  bool reverse_complement = false, missing_as_zero = false, quiet = false;
  uint64_t epochs = 1, max_batches = 0;
};

LoaderOptions options_from(const LoadArguments& a) {
  LoaderOptions o = value_or_fail(loader_preset(a.preset));
  override_with(o.batch_size, a.batch);
  override_with(o.bin, a.bin);
  override_with(o.threads, a.threads);
  override_with(o.prefetch_batches, a.prefetch);
  if (a.transform) o.transform = value_or_fail(parse_signal_transform(*a.transform));
  if (a.unknown_base) o.unknown_base = value_or_fail(parse_unknown_base(*a.unknown_base));
  if (a.sampler) o.sampler.scheme = value_or_fail(parse_sampling_scheme(*a.sampler));
  override_with(o.sampler.seed, a.seed);
  override_with(o.max_shift, a.max_shift);
  if (a.reverse_complement) o.reverse_complement = true;
  if (a.missing_as_zero) o.missing_as_zero = true;
  check(validate_loader_options(o));
  return o;
}

// Windows tiled over the regions given, or over every chromosome of the FASTA.
std::vector<Region> windows_from(const LoadArguments& a, const FastaReader& fasta) {
  std::vector<Region> regions;
  if (a.regions.empty()) {
    for (const FaiEntry& entry : fasta.index().entries) regions.push_back({entry.name, 0, entry.length});
  } else {
    regions = value_or_fail(read_region_arguments(a.regions));
  }
  const uint32_t stride = a.stride != 0 ? a.stride : a.window;
  std::vector<Region> windows = value_or_fail(tile_windows(regions, a.window, stride));
  if (windows.empty()) fail(invalid_argument("no " + with_thousands(a.window) + " bp window fits in the regions"));
  return windows;
}

// The process's peak resident memory (VmHWM), in MB; -1 where /proc is not there.
double peak_resident_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

// An exact, order-free summary of what was loaded: scripts can compute the same.
struct LoadTotals {
  uint64_t samples = 0, batches = 0, missing = 0, ones = 0;
  double target_sum = 0;  // in double, batch by batch in order: same on every thread count

  void add(const Batch& batch) {
    ++batches;
    samples += batch.size;
    for (float v : batch.targets) {
      if (std::isnan(v)) ++missing;
      else target_sum += v;
    }
    for (float v : batch.sequence) ones += v == 1.0f ? 1 : 0;
  }
};

// "epibook load: epoch 1: 12,800 / 200,000 windows, 9,512 samples/s" at most twice a second.
class LoadProgress {
 public:
  explicit LoadProgress(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}
  ~LoadProgress() {
    if (printed_ && terminal_) std::cerr << "\n";
  }
  void report(uint64_t epoch, uint64_t done, uint64_t total, double samples_per_second) {
    const auto now = std::chrono::steady_clock::now();
    if (quiet_ || now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    printed_ = true;
    std::cerr << (terminal_ ? "\r" : "") << "epibook load: epoch " << epoch << ": " << with_thousands(done) << " / "
              << with_thousands(total) << " windows, " << with_thousands(static_cast<uint64_t>(samples_per_second))
              << " samples/s" << (terminal_ ? "   " : "\n") << std::flush;
  }

 private:
  bool quiet_, terminal_, printed_ = false;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

void run_load(const LoadArguments& a) {
  const LoaderOptions options = options_from(a);
  const FastaReader fasta = value_or_fail(FastaReader::open(a.fasta));
  std::vector<BigWigReader> readers;
  for (const std::string& path : a.tracks) readers.push_back(value_or_fail(BigWigReader::open(path)));
  LoaderInputs inputs;
  inputs.windows = windows_from(a, fasta);
  inputs.sequence = &fasta;
  for (const BigWigReader& reader : readers) inputs.tracks.push_back(bigwig_signal_source(reader));
  const uint64_t window_count = inputs.windows.size();
  BatchLoader loader = value_or_fail(BatchLoader::create(std::move(inputs), options));

  LoadTotals totals;
  LoadProgress progress(a.quiet);
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  for (uint64_t epoch = 0; epoch < a.epochs; ++epoch) {
    check(loader.start_epoch(epoch));
    const uint64_t epoch_samples = value_or_fail(loader.epoch_order(epoch)).size();
    uint64_t done = 0;
    while (a.max_batches == 0 || totals.batches < a.max_batches) {
      std::optional<Batch> batch = value_or_fail(loader.next());
      if (!batch) break;
      totals.add(*batch);
      done += batch->size;
      progress.report(epoch, done, epoch_samples, static_cast<double>(totals.samples) / seconds());
      loader.recycle(std::move(*batch));
    }
  }
  const double elapsed = seconds();
  const LoaderStats stats = loader.stats();
  std::printf("loaded %s samples (%s batches of up to %u) from %s windows of %s bp, %zu tracks, in %.2f s\n",
              with_thousands(totals.samples).c_str(), with_thousands(totals.batches).c_str(), options.batch_size,
              with_thousands(window_count).c_str(), with_thousands(loader.window_length()).c_str(), readers.size(),
              elapsed);
  std::printf("  %.0f samples/s, %u worker threads, peak memory %.0f MB\n",
              static_cast<double>(totals.samples) / elapsed, options.threads, peak_resident_mb());
  std::printf("  thread time reading tracks %.2f s, sequence %.2f s\n", stats.seconds_reading_tracks,
              stats.seconds_reading_sequence);
  std::printf("  checksum: target sum %.17g, missing %s, one-hot ones %s\n", totals.target_sum,
              with_thousands(totals.missing).c_str(), with_thousands(totals.ones).c_str());
}

}  // namespace

void add_load_command(CLI::App& app) {
  auto arguments = std::make_shared<LoadArguments>();
  auto& a = *arguments;
  CLI::App* load = app.add_subcommand(
      "load",
      "Stream training batches as a model would read them: windows tiled over the genome (or\n"
      "the regions given), one-hot sequence [B, 4, L] from the FASTA and targets [B, T, L/bin]\n"
      "from each bigWig, in sampler order, augmented, prefetched on threads. Reports samples/s,\n"
      "peak memory and a checksum of every value loaded. Options left out come from --preset.");
  load->add_option("--fasta", a.fasta, "Genome FASTA (with .fai, or indexed in memory)")->required();
  load->add_option("--track", a.tracks, "A bigWig track; repeat for several (--track a.bw --track b.bw)")
      ->required()
      ->allow_extra_args(false);
  load->add_option("--regions", a.regions,
                   "Regions to tile (chr:start-end or BED files); default: every chromosome of the FASTA");
  load->add_option("--preset", a.preset, "default, bpnet, tutorial1 or benchmark")
          ->check(CLI::IsMember(loader_preset_names()));
  load->add_option("--window", a.window, "Window length in bp")->capture_default_str();
  load->add_option("--stride", a.stride, "bp between window starts (default: the window length)");
  load->add_option("--batch", a.batch, "Windows per batch (default 64)");
  load->add_option("--bin", a.bin, "bp per target bin, a divisor of the window (default 1)");
  load->add_option("--transform", a.transform, "none, arcsinh or log1p, per base before binning");
  load->add_option("--unknown-base", a.unknown_base, "N and other codes as zeros or quarter (0.25 each)");
  load->add_option("--sampler", a.sampler, "random (default), balanced, weighted, oversample, undersample");
  load->add_option("--seed", a.seed, "Seed of the sampler and the augmentation (default 1)");
  load->add_flag("--reverse-complement", a.reverse_complement, "Flip half the windows to the other strand");
  load->add_option("--max-shift", a.max_shift, "Shift each window by up to this many bp");
  load->add_flag("--missing-as-zero", a.missing_as_zero, "Bases without data become 0 instead of NaN");
  load->add_option("--threads", a.threads, "Worker threads (default 1; 0 builds batches on the main thread)");
  load->add_option("--prefetch", a.prefetch, "Batches claimed ahead of the consumer (default 4)");
  load->add_option("--epochs", a.epochs, "Epochs to stream")->capture_default_str();
  load->add_option("--max-batches", a.max_batches, "Stop after this many batches in all (0: no limit)");
  load->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  load->callback([arguments] { run_load(*arguments); });
}

}  // namespace epibook::cli
