// `epibook regions`: choose the windows a model trains and is tested on (core:
// epibook/regions.h): windows around peaks with GC-matched negatives, or a labelled
// genome-wide tiling, minus exclusion lists, each split. Writes BED that `epibook audit`
// and the loader read: chrom, start, end, split, label.
#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "epibook/bed.h"
#include "epibook/npy.h"
#include "epibook/regions.h"

namespace epibook::cli {
namespace {

struct RegionArguments {
  std::string genome, peaks, out, preset = "default";
  std::vector<std::string> exclude;
  // Left out (nullopt, or an empty list): the preset's value.
  std::optional<std::string> mode, split, fractions;
  std::optional<uint32_t> width, stride, gc_bins, jitter;
  std::optional<double> negatives, max_n;
  std::optional<uint64_t> seed, hash_block;
  std::vector<std::string> validation_chroms, test_chroms;
  bool quiet = false;
};

RegionOptions options_from(const RegionArguments& a) {
  RegionOptions o = value_or_fail(region_preset(a.preset));
  if (a.mode) o.mode = value_or_fail(parse_region_mode(*a.mode));
  override_with(o.width, a.width);
  override_with(o.stride, a.stride);
  override_with(o.negatives_per_positive, a.negatives);
  override_with(o.gc_bins, a.gc_bins);
  override_with(o.max_unknown_fraction, a.max_n);
  override_with(o.jitter, a.jitter);
  override_with(o.seed, a.seed);
  if (a.split) o.split = value_or_fail(parse_split_method(*a.split));
  if (a.fractions) o.fractions = value_or_fail(parse_split_fractions(*a.fractions));
  override_with(o.hash_block, a.hash_block);
  if (!a.validation_chroms.empty()) o.validation_chroms = a.validation_chroms;
  if (!a.test_chroms.empty()) o.test_chroms = a.test_chroms;
  if (!a.split && (!a.validation_chroms.empty() || !a.test_chroms.empty())) o.split = SplitMethod::kChromosome;
  check(validate_region_options(o));
  return o;
}

std::vector<Region> exclusion_regions(const std::vector<std::string>& paths) {
  std::vector<Region> regions;
  for (const std::string& path : paths) {
    const std::vector<Region> from_file = value_or_fail(read_bed_regions(path));
    regions.insert(regions.end(), from_file.begin(), from_file.end());
  }
  return regions;
}

void print_summary(const RegionArguments& a, const RegionOptions& o, const RegionSet& set) {
  const RegionSummary& s = set.summary;
  std::cout << "wrote " << a.out << ": " << with_thousands(set.windows.size()) << " windows of "
            << with_thousands(o.width) << " bp (" << region_mode_name(o.mode) << "), "
            << with_thousands(s.positives) << " positive, " << with_thousands(s.negatives) << " negative\n";
  if (o.mode == RegionMode::kPeaksAndGcMatchedNegatives) {
    std::cout << "  peaks " << with_thousands(s.peaks) << ": " << with_thousands(s.positives_excluded)
              << " excluded, " << with_thousands(s.duplicate_positives) << " duplicate windows, "
              << with_thousands(s.peaks_on_short_chromosomes) << " on chromosomes shorter than a window\n"
              << "  negatives from " << with_thousands(s.candidates) << " candidates: "
              << with_thousands(s.gc_borrowed) << " from a neighbouring GC bin, " << with_thousands(s.gc_shortfall)
              << " short; GC KS D positives vs negatives = " << s.positive_negative_gc_ks << "\n";
  }
  std::array<std::array<uint64_t, 2>, 3> counts{};
  for (const ChosenWindow& w : set.windows) ++counts[static_cast<size_t>(w.split)][w.label == kPeakLabel ? 1 : 0];
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const auto& c = counts[static_cast<size_t>(split)];
    std::cout << "  " << split_name(split) << ": " << with_thousands(c[0] + c[1]) << " windows, "
              << with_thousands(c[1]) << " positive\n";
  }
}

void run_regions(const RegionArguments& a) {
  const RegionOptions options = options_from(a);
  const FastaReader genome = value_or_fail(FastaReader::open(a.genome));
  std::vector<BedRecord> peaks;
  if (!a.peaks.empty()) peaks = value_or_fail(read_bed(a.peaks));
  const std::vector<Region> excluded = exclusion_regions(a.exclude);
  int reported_step = 0;
  auto progress = [&](uint64_t done, uint64_t total) {
    const int step = static_cast<int>(done * 10 / std::max<uint64_t>(total, 1));
    if (a.quiet || step == reported_step) return;
    reported_step = step;
    std::cerr << "epibook regions: read " << step * 10 << "% of " << with_thousands(total) << " bases\n";
  };
  const RegionSet set = value_or_fail(choose_regions(genome, peaks, excluded, options, progress));
  check(write_file_atomically(a.out, format_region_set_bed(set)));
  print_summary(a, options, set);
}

}  // namespace

void add_regions_command(CLI::App& app) {
  auto arguments = std::make_shared<RegionArguments>();
  RegionArguments& a = *arguments;
  CLI::App* cmd = app.add_subcommand(
      "regions",
      "Choose training windows: windows centred on peaks (summit, else midpoint) with negatives\n"
      "drawn elsewhere so that their GC histogram matches the positives' (--mode peaks), or every\n"
      "window of the genome labelled by peak overlap (--mode tiling). Windows touching an exclusion\n"
      "list are left out. Writes BED: chrom, start, end, split (train / validation / test), label\n"
      "(1 peak, 0 background). Options left out take their value from --preset.");
  cmd->add_option("--genome", a.genome, "Genome FASTA (with or without .fai); GC and N are read from it")->required();
  cmd->add_option("--peaks", a.peaks, "Peaks as BED or narrowPeak (its summit column is used)");
  cmd->add_option("--exclude", a.exclude, "Exclusion lists (BED), e.g. a blacklist; repeatable");
  cmd->add_option("-o,--out", a.out, "Output BED, written whole or not at all")->required();
  cmd->add_option("--preset", a.preset,
                      "default (peaks, 1,000 bp, one GC-matched negative per positive, 80/10/10 hash split),\n"
                      "gc-matched-3x (three negatives per positive) or tiling (1,000 bp tiles, 1 Mb hash blocks)")
          ->check(CLI::IsMember(region_preset_names()));
  cmd->add_option("--mode", a.mode, "peaks or tiling");
  cmd->add_option("--width", a.width, "Window width in bp (default 1000)");
  cmd->add_option("--stride", a.stride, "bp between tiles of negative candidates or of the tiling (default: width)");
  cmd->add_option("--negatives", a.negatives, "GC-matched negatives per positive (default 1)");
  cmd->add_option("--gc-bins", a.gc_bins, "GC histogram bins used for matching (default 20)");
  cmd->add_option("--max-n", a.max_n, "Largest share of N in a negative or a tile (default 0.1)");
  cmd->add_option("--jitter", a.jitter, "Shift peak windows by up to this many bp, seeded (default 0)");
  cmd->add_option("--seed", a.seed, "Seed of jitter, negative choice and hash split (default 1)");
  cmd->add_option("--split", a.split, "hash (default) or chrom (--val-chroms / --test-chroms)");
  cmd->add_option("--fractions", a.fractions, "train,validation,test of the hash split (default 0.8,0.1,0.1)");
  cmd->add_option("--hash-block", a.hash_block, "Hash blocks of this many bp, not single windows");
  cmd->add_option("--val-chroms", a.validation_chroms, "Validation chromosomes, e.g. chr2R")->delimiter(',');
  cmd->add_option("--test-chroms", a.test_chroms, "Test chromosomes, e.g. chr3L,chrX")->delimiter(',');
  cmd->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  cmd->callback([arguments] { run_regions(*arguments); });
}

}  // namespace epibook::cli
