// Choosing the windows a model sees: windows centred on peaks, negatives drawn from the
// rest of the genome so that their GC content matches the positives', genome-wide
// tiling, exclusion lists and seeded jitter. Sits after io (bed.h, fasta.h) and before
// the split (split.h), the leakage auditor (audit.h) and the loader.
//
// Sections: GC content | exclusion lists | peak windows and jitter | GC matching |
//           options and presets | the whole recipe
//
// Why GC-matched negatives: peaks sit in GC-rich DNA far more often than random windows
// do, so a model given random negatives learns "GC-rich = peak" and scores well without
// learning any motif. Negatives with the positives' GC histogram remove that shortcut.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/bed.h"
#include "epibook/fasta.h"
#include "epibook/prep.h"
#include "epibook/region.h"
#include "epibook/split.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// A set of regions that answers "does this window touch any of them" in O(log n).
// Regions are merged per chromosome when built; empty regions are ignored.
class RegionIndex {
 public:
  RegionIndex() = default;
  explicit RegionIndex(std::span<const Region> regions);

  bool overlaps(const Region& region) const;  // shares at least one base
  size_t merged_size() const { return merged_.size(); }

 private:
  std::vector<Region> merged_;  // sorted by (chrom, start), disjoint
};

// ---------------------------------------------------------------------------------
// Peak windows. The centre is the summit (narrowPeak column 10, when it lies inside the
// peak) or else the peak's midpoint; the window is [centre - width/2, +width), moved
// inside its chromosome when it would run off an end. Peaks on a chromosome missing from
// the genome are an error (usually a naming slip: "2R" for "chr2R"); peaks on a
// chromosome shorter than `width` are skipped and counted.
struct PeakWindows {
  std::vector<Region> windows;     // one per kept peak, in the peaks' order
  uint64_t too_short_chromosome = 0;
};
Result<PeakWindows> peak_windows(std::span<const BedRecord> peaks, uint32_t width, const FastaIndex& genome);

// Shifts each window by a whole number of bases drawn uniformly from [-max_shift,
// +max_shift], then moves it back inside its chromosome. The shift depends only on the
// seed and the window's coordinates (not on its position in the list), so the same
// window is jittered the same way in every run and every order. Fails on a window whose
// chromosome is not in the genome.
Result<std::vector<Region>> jitter_windows(std::span<const Region> windows, uint32_t max_shift, uint64_t seed,
                                           const FastaIndex& genome);

// ---------------------------------------------------------------------------------
// GC matching: choose negatives among candidates so that their GC histogram follows the
// positives' one, scaled by `ratio`. GC is cut into `bins` equal bins over [0, 1]. Each
// bin asks for its share of round(ratio * positives) negatives (largest remainders, so
// the shares add up), served by candidates of that bin in a seeded random order; a bin
// without enough candidates borrows from the nearest bins that have some to spare, and
// what no bin can give is reported as a shortfall. NaN GC values are never chosen and
// positives with NaN GC ask for nothing.
struct GcMatchOptions {
  double ratio = 1.0;  // negatives per positive
  uint32_t bins = 20;
  uint64_t seed = 1;
};
struct GcMatch {
  std::vector<size_t> chosen;  // indices into the candidates, ascending
  uint64_t wanted = 0;         // round(ratio * positives with a GC value)
  uint64_t borrowed = 0;       // taken from a neighbouring bin
  uint64_t shortfall = 0;      // wanted but not found anywhere
};
Result<GcMatch> match_gc(std::span<const double> positive_gc, std::span<const double> candidate_gc,
                         const GcMatchOptions& options);

// ---------------------------------------------------------------------------------
// Options of the whole recipe: one plain struct with named presets, filled alike by
// `epibook regions` and the labs.
enum class RegionMode {
  kPeaksAndGcMatchedNegatives,  // positives around peaks, GC-matched negatives elsewhere
  kTiling,                      // every window of the genome, labelled by peak overlap
};
Result<RegionMode> parse_region_mode(std::string_view name);  // "peaks", "tiling"
const char* region_mode_name(RegionMode mode);

struct RegionOptions {
  RegionMode mode = RegionMode::kPeaksAndGcMatchedNegatives;
  uint32_t width = 1000;                // bp per window
  uint32_t stride = 0;                  // bp between tiles (negative candidates, tiling); 0 = width
  double negatives_per_positive = 1.0;  // peaks mode
  uint32_t gc_bins = 20;
  double max_unknown_fraction = 0.1;    // windows with more N than this are not used as negatives / tiles
  uint32_t jitter = 0;                  // max shift of peak windows in bp, applied before splitting
  uint64_t seed = 1;                    // jitter, GC matching and the hash split
  SplitMethod split = SplitMethod::kHash;
  SplitFractions fractions;
  uint64_t hash_block = 0;              // 0: hash each window; else its block (split.h)
  std::vector<std::string> validation_chroms;
  std::vector<std::string> test_chroms;
};

// "default" (peaks mode, 1,000 bp, one GC-matched negative per positive, 20 GC bins,
// 80/10/10 hash split, seed 1); "gc-matched-3x" (three negatives per positive: the
// usual class ratio of a binary peak classifier); "tiling" (1,000 bp tiles, labelled by
// peak overlap, split in 1 Mb hash blocks so neighbours share a split).
std::vector<std::string> region_preset_names();
Result<RegionOptions> region_preset(std::string_view name);
Status validate_region_options(const RegionOptions& options);

// The split of each window under these options (split_by_chromosome or the grouped hash).
Result<std::vector<Split>> split_windows(std::span<const Region> windows, const RegionOptions& options);

// ---------------------------------------------------------------------------------
// The whole recipe. In peaks mode: peak windows (jittered), minus those touching an
// exclusion region; candidates tiled over the genome, minus any touching a peak, a
// positive window or an exclusion region, or with too many N; negatives GC-matched from
// them. In tiling mode: every tile not excluded and not too N-rich, label 1 where it
// overlaps a peak. Every window is then split. Windows come out in genome (FASTA) order.
struct ChosenWindow {
  Region region;
  int8_t label = 0;  // 1 positive (peak), 0 negative
  Split split = Split::kTrain;
  double gc = 0;     // NaN when the window has no A/C/G/T
};
struct RegionSummary {
  uint64_t peaks = 0;
  uint64_t positives = 0;
  uint64_t negatives = 0;
  uint64_t peaks_on_short_chromosomes = 0;
  uint64_t positives_excluded = 0;  // peak windows touching an exclusion region
  uint64_t duplicate_positives = 0; // peak windows identical to an earlier one
  uint64_t candidates = 0;          // negative candidates left after the filters
  uint64_t gc_borrowed = 0;
  uint64_t gc_shortfall = 0;
  double positive_negative_gc_ks = 0;  // KS statistic of the two GC distributions
};
struct RegionSet {
  std::vector<ChosenWindow> windows;
  RegionSummary summary;
};

// Called as sequences are read: (bases done, bases in all).
using RegionProgress = std::function<void(uint64_t done, uint64_t total)>;

Result<RegionSet> choose_regions(const FastaReader& genome, std::span<const BedRecord> peaks,
                                 std::span<const Region> exclusions, const RegionOptions& options,
                                 const RegionProgress& progress = {});

// The windows as BED: chrom, start, end, split name, label (5 columns, tab-separated).
// `epibook audit` reads this back, as it reads `epibook prep`'s windows.bed.
std::string format_region_set_bed(const RegionSet& set);

}  // namespace epibook
