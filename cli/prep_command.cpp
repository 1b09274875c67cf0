// `epibook prep`: Tutorial 1 as a command. Reads a bigWig over regions, transforms,
// re-bins, labels and splits (core: epibook/prep.h, epibook/split.h) and writes a
// dataset directory that numpy loads. The directory appears whole or not at all.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bigwig.h"
#include "epibook/npy.h"
#include "epibook/prep.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

// What the command line said; options left out fall back to the preset.
struct PrepArguments {
  std::string bigwig;
  std::vector<std::string> regions;
  std::string out;
  std::string preset = "default";
  // Left out (nullopt, or an empty list): the preset's value.
  std::optional<uint32_t> window, stride, bin, input_bin;
  std::optional<std::string> window_tail, transform, label_rule, split, fractions;
  std::optional<bool> arcsinh;
  std::optional<double> threshold;
  std::vector<std::string> validation_chroms, test_chroms;
  std::optional<uint64_t> seed, hash_block;
  bool quiet = false;
};

PrepOptions options_from(const PrepArguments& a) {
  PrepOptions o = value_or_fail(prep_preset(a.preset));
  override_with(o.window, a.window);
  if (a.stride) o.stride = *a.stride;
  else if (a.window) o.stride = *a.window;  // a new window size tiles without gaps by default
  if (a.window_tail) o.window_tail = value_or_fail(parse_window_tail(*a.window_tail));
  override_with(o.bin, a.bin);
  override_with(o.input_bin, a.input_bin);
  if (a.transform) o.transform = value_or_fail(parse_signal_transform(*a.transform));
  if (a.arcsinh) o.transform = *a.arcsinh ? SignalTransform::kArcsinh : SignalTransform::kNone;
  override_with(o.threshold, a.threshold);
  if (a.label_rule) o.label_rule = value_or_fail(parse_label_rule(*a.label_rule));
  if (a.split) o.split = value_or_fail(parse_split_method(*a.split));
  if (!a.validation_chroms.empty()) o.validation_chroms = a.validation_chroms;
  if (!a.test_chroms.empty()) o.test_chroms = a.test_chroms;
  if (!a.split && (!a.validation_chroms.empty() || !a.test_chroms.empty())) o.split = SplitMethod::kChromosome;
  override_with(o.seed, a.seed);
  if (a.fractions) o.fractions = value_or_fail(parse_split_fractions(*a.fractions));
  override_with(o.hash_block, a.hash_block);
  check(validate_prep_options(o));
  return o;
}

// Prints "prep: 40,960 / 409,600 windows (10%)" at most twice a second, once the run
// has lasted a second; on a terminal the line is rewritten in place.
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressLine() {
    if (printed_ && terminal_) std::cerr << "\n";
  }
  void operator()(uint64_t done, uint64_t total) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    printed_ = true;
    std::cerr << (terminal_ ? "\r" : "") << "epibook prep: " << with_thousands(done) << " / "
              << with_thousands(total) << " windows (" << done * 100 / total << "%)" << (terminal_ ? "" : "\n")
              << std::flush;
  }

 private:
  bool quiet_, terminal_, printed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
};

std::string windows_bed(const PrepDataset& dataset) {
  std::ostringstream bed;
  for (size_t i = 0; i < dataset.windows.size(); ++i) {
    const Region& w = dataset.windows[i];
    bed << w.chrom << '\t' << w.start << '\t' << w.end << '\t' << split_name(static_cast<Split>(dataset.split[i]))
        << '\n';
  }
  return bed.str();
}

Status write_dataset(const fs::path& dir, const PrepDataset& dataset, const std::string& manifest) {
  const uint64_t n = dataset.windows.size();
  const std::vector<uint64_t> per_bin = {n, dataset.bins_per_window};
  const std::vector<uint64_t> per_window = {n};
  EPIBOOK_RETURN_IF_ERROR(write_npy((dir / "targets.npy").string(), std::span<const float>(dataset.targets), per_bin));
  EPIBOOK_RETURN_IF_ERROR(write_npy((dir / "labels.npy").string(), std::span<const int8_t>(dataset.labels), per_window));
  EPIBOOK_RETURN_IF_ERROR(
      write_npy((dir / "bin_labels.npy").string(), std::span<const int8_t>(dataset.bin_labels), per_bin));
  EPIBOOK_RETURN_IF_ERROR(write_npy((dir / "split.npy").string(), std::span<const int8_t>(dataset.split), per_window));
  EPIBOOK_RETURN_IF_ERROR(write_file_atomically((dir / "windows.bed").string(), windows_bed(dataset)));
  // The manifest goes last: a directory with a manifest is a complete dataset.
  return write_file_atomically((dir / "manifest.json").string(), manifest);
}

std::string fraction_text(double fraction) {
  if (fraction != fraction) return "n/a";
  std::ostringstream text;
  text.precision(3);
  text << fraction;
  return text.str();
}

void run_prep(const PrepArguments& arguments) {
  const PrepOptions options = options_from(arguments);
  const fs::path out(arguments.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !replaceable(out, "epibook prep")) {
    fail(invalid_argument(arguments.out + ": exists and is not an earlier `epibook prep` output; "
                          "remove it or choose another -o"));
  }
  const std::vector<Region> regions = value_or_fail(read_region_arguments(arguments.regions));
  const BigWigReader reader = value_or_fail(BigWigReader::open(arguments.bigwig));
  ProgressLine progress(arguments.quiet);
  const PrepDataset dataset = value_or_fail(
      prepare_dataset(reader, regions, options,
                      [&progress](uint64_t done, uint64_t total) { progress(done, total); }));

  PrepInput input;
  input.path = arguments.bigwig;
  input.size = fs::file_size(arguments.bigwig, ec);
  if (ec) fail(io_error(arguments.bigwig + ": cannot read its size (" + ec.message() + ")"));
  input.content_hash = value_or_fail(file_content_hash(arguments.bigwig));
  input.regions = arguments.regions;

  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  StagingDirectory staging(out);
  check(staging.create());
  check(write_dataset(staging.path(), dataset, prep_manifest_json(dataset, options, input)));
  check(staging.publish());

  std::cout << "wrote " << arguments.out << ": " << with_thousands(dataset.total.windows) << " windows of "
            << with_thousands(options.window) << " bp, " << dataset.bins_per_window << " bins each\n";
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const SplitSummary& s = dataset.per_split[static_cast<size_t>(split)];
    std::cout << "  " << split_name(split) << ": " << with_thousands(s.windows) << " windows, "
              << with_thousands(s.peaks) << " peaks (peak fraction " << fraction_text(s.peak_fraction()) << ")";
    if (s.missing > 0) std::cout << ", " << with_thousands(s.missing) << " without data";
    std::cout << "\n";
  }
}

}  // namespace

void add_prep_command(CLI::App& app) {
  auto arguments = std::make_shared<PrepArguments>();
  CLI::App* prep = app.add_subcommand(
      "prep",
      "Prepare a signal track for a model (Tutorial 1): tile regions into windows, average the\n"
      "signal into bins, transform it, threshold it into peak / no-peak labels and split the\n"
      "windows into train / validation / test. Writes OUTDIR/targets.npy [N, window/bin] float32,\n"
      "labels.npy [N] and bin_labels.npy [N, window/bin] int8 (1 peak, 0 background, -1 no data),\n"
      "split.npy [N] int8 (0 train, 1 validation, 2 test), windows.bed (split in column 4) and\n"
      "manifest.json (every option, the input's size and content hash, counts per split).\n"
      "Options left out take their value from --preset.");
  auto& a = *arguments;
  prep->add_option("--bigwig", a.bigwig, "The signal track, e.g. a MACS2 signal p-value bigWig")
      ->required();
  prep->add_option("--regions", a.regions,
                   "Regions to tile: chr:start-end (0-based, half-open; ',' allowed) or BED files")
      ->required();
  prep->add_option("-o,--out", a.out, "Output directory; created whole at the end, or left untouched on error")
      ->required();
  prep->add_option("--preset", a.preset,
                       "Starting values for every option: default, or tutorial1 (1,024 bp windows, 32 bp bins\n"
                       "from 25 bp bins, arcsinh, peak where a bin's mean arcsinh reaches arcsinh(2), 80/10/10\n"
                       "split by hashing 20 kb blocks, seed 1)")
          ->check(CLI::IsMember(prep_preset_names()));
  prep->add_option("--window", a.window, "Window width in bp (default 1024); a multiple of --bin");
  prep->add_option("--stride", a.stride,
                       "bp between window starts (default: the window width; smaller overlaps windows)");
  prep->add_option("--window-tail", a.window_tail,
                       "When a region does not end on a window: drop the short tail (default), or align-end\n"
                       "to add one last window ending at the region's end");
  prep->add_option("--bin", a.bin, "Output bin in bp (default 32): targets are bin means");
  prep->add_option("--input-bin", a.input_bin,
                       "Bin of the input track in bp (default 25, as MACS2 writes; 1 = per-base): values are\n"
                       "averaged on the genome's grid of input bins, then re-binned by overlap");
  prep->add_option("--transform", a.transform,
                       "arcsinh (default), log1p or none; applied at input resolution, before re-binning");
  CLI::Option* arcsinh = prep->add_flag_callback("--arcsinh", [&a] { a.arcsinh = true; }, "Shorthand for --transform arcsinh");
  CLI::Option* no_arcsinh =
      prep->add_flag_callback("--no-arcsinh", [&a] { a.arcsinh = false; }, "Shorthand for --transform none");
  prep->add_option("--threshold", a.threshold,
                       "Peak threshold on the transformed scale (default arcsinh(2) = 1.4436); the transform\n"
                       "runs before averaging, so a bin is a peak when the mean of its arcsinh values reaches it");
  prep->add_option("--label-rule", a.label_rule,
                       "Window label from its bins: any (default: any bin is a peak), fraction:F (at least F\n"
                       "of the bins with data), mean (the bins' mean), max (the largest input-bin value, so\n"
                       "a narrow summit diluted by averaging still counts)");
  prep->add_option("--split", a.split,
                       "hash (default: by a seeded hash of the block holding each window, the same in every\n"
                       "run and tool; see --hash-block) or chrom (named chromosomes held out)");
  prep->add_option("--val-chroms", a.validation_chroms, "Validation chromosomes for --split chrom, e.g. chr2R")
          ->delimiter(',');
  prep->add_option("--test-chroms", a.test_chroms, "Test chromosomes for --split chrom, e.g. chr3L,chrX")
          ->delimiter(',');
  prep->add_option("--seed", a.seed, "Seed of the hash split (default 1)");
  prep->add_option("--fractions", a.fractions, "train,validation,test fractions of the hash split (default 0.8,0.1,0.1)");
  prep->add_option("--hash-block", a.hash_block,
                       "Hash blocks of this many bp (default 20000), so neighbouring windows, which see nearly\n"
                       "the same signal, share a split; 0 hashes each window alone, which leaks across splits");
  prep->add_flag("-q,--quiet", a.quiet, "No progress line on stderr");
  prep->get_option("--transform")->excludes(arcsinh)->excludes(no_arcsinh);
  arcsinh->excludes(no_arcsinh);
  prep->callback([arguments] { run_prep(*arguments); });
}

}  // namespace epibook::cli
