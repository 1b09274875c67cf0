// Preparing a signal track for a model (Tutorial 1, "Dealing with bigWigs"): transform
// the values, re-bin them to the model's resolution, threshold them into peak / no-peak
// labels and cut regions into windows. Sits between io (bigwig.h) and split/loader.
//
// Sections: transforms | re-binning | labels | windows | options and presets | dataset
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/region.h"
#include "epibook/split.h"
#include "epibook/status.h"

namespace epibook {

class BigWigReader;

// ---------------------------------------------------------------------------------
// Transforms. MACS2 signal p-value tracks hold -log10(p), which runs from 0 to several
// hundred at strong peaks; a loss would be dominated by those few bases. arcsinh(x) =
// ln(x + sqrt(x^2 + 1)) is nearly x near 0 and nearly ln(2x) for large x, so it keeps
// the background as it is and compresses the extremes; log1p does the same for x >= 0.
// All work in place; NaN (no data) stays NaN. Computed in double, stored as float.
void arcsinh_in_place(std::span<float> values);
void sinh_in_place(std::span<float> values);    // inverse of arcsinh
void log1p_in_place(std::span<float> values);   // x < -1 gives NaN, as log1p does
void expm1_in_place(std::span<float> values);   // inverse of log1p

enum class SignalTransform { kNone, kArcsinh, kLog1p };
// "none", "arcsinh", "log1p".
Result<SignalTransform> parse_signal_transform(std::string_view name);
const char* signal_transform_name(SignalTransform transform);
void apply_transform(SignalTransform transform, std::span<float> values);
void invert_transform(SignalTransform transform, std::span<float> values);
// The transform of one number, e.g. to express a p-value threshold on the model's scale.
double transform_value(SignalTransform transform, double value);
double invert_transform_value(SignalTransform transform, double value);

// ---------------------------------------------------------------------------------
// Re-binning by mean. Two forms that agree: (a) from per-base values, (b) from a track
// that is already binned at another size (MACS2's 25 bp to a model's 32 bp).
//
// The trailing partial bin: when the input's length is not a multiple of the output
// bin, the last output bin covers fewer bases. kKeepPartial (the default) keeps it as
// the mean of the bases it has; kDrop leaves it out, so every output bin is full size.
enum class BinTail { kKeepPartial, kDrop };

// (a) bin i is the mean of the non-NaN values in per_base[i*bin_size, (i+1)*bin_size),
// NaN when all of them are NaN. Sums in double, in order. Fails when bin_size is 0.
// `epibook bw values --bin N` uses this too.
Result<std::vector<float>> bin_mean(std::span<const float> per_base, uint32_t bin_size,
                                    BinTail tail = BinTail::kKeepPartial);

// A binned track laid on the genome: value i summarises [start + i*bin_size,
// min(start + (i+1)*bin_size, end)), so the last bin may be short (a chromosome end).
struct BinnedTrack {
  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t bin_size = 1;
  std::span<const float> values;  // ceil((end - start) / bin_size) of them
};

// (b) output bin [o, o + output_bin) within [out_start, out_end) is the mean of the
// input bins it overlaps, each weighted by the bases they share; NaN input bins and
// bases outside the input's span contribute nothing; NaN when nothing contributes.
// Example, 25 bp -> 32 bp from 0: out[0] = (25a + 7b) / 32, out[1] = (18b + 14c) / 32.
// For a track that is constant within its input bins this equals bin_mean over the
// per-base values (the property tests hold the two forms to each other).
Result<std::vector<float>> rebin_mean(const BinnedTrack& input, uint64_t out_start, uint64_t out_end,
                                      uint32_t output_bin, BinTail tail = BinTail::kKeepPartial);
// The common case: both grids start at 0 and the input's bins are all full.
Result<std::vector<float>> rebin_mean(std::span<const float> binned, uint32_t input_bin, uint32_t output_bin,
                                      BinTail tail = BinTail::kKeepPartial);

// ---------------------------------------------------------------------------------
// Labels. A bin is a peak (1) when its value reaches the threshold, background (0)
// below it, and missing (-1) when it has no data: a missing bin is not evidence of
// "no peak", and a model must not be taught that it is. Compared as double(value) >=
// threshold on the stored float, so labels can be recomputed from the saved targets.
constexpr int8_t kPeakLabel = 1;
constexpr int8_t kBackgroundLabel = 0;
constexpr int8_t kMissingLabel = -1;

int8_t threshold_label(float value, double threshold);
std::vector<int8_t> threshold_labels(std::span<const float> values, double threshold);

// How one label per window is made from its bins. Bins without data are ignored; a
// window with no data at all is missing (-1) under every rule.
//   any (default)  peak when any bin reaches the threshold: a window "contains a peak".
//   fraction:F     peak when at least F (0 < F <= 1) of the bins with data reach it:
//                  asks for broad enrichment (histone marks), not one sharp bin.
//   mean           peak when the mean of the bins with data reaches it.
//   max            peak when the largest value at the *input* resolution (the 25 bp
//                  bins, or bases) reaches it: a narrow summit that 32 bp averaging
//                  dilutes below the threshold still counts. With an input bin equal
//                  to the output bin, on the same grid, this is the same as `any`.
struct LabelRule {
  enum class Kind { kAnyBin, kFractionOfBins, kMeanOfBins, kMaxInput };
  Kind kind = Kind::kAnyBin;
  double fraction = 0.5;  // kFractionOfBins only
};
// "any", "fraction:0.25", "mean", "max".
Result<LabelRule> parse_label_rule(std::string_view text);
std::string label_rule_text(const LabelRule& rule);
// `bins` are the window's output bins; `input_values` its values at input resolution
// (only read by the max rule).
int8_t window_label(std::span<const float> bins, std::span<const float> input_values, double threshold,
                    const LabelRule& rule);

// ---------------------------------------------------------------------------------
// Windows. Each region is tiled with windows of `width` bp every `stride` bp from its
// start. When the last window would run past the region's end:
//   kDrop (default)  it is left out, so no window reaches beyond the region;
//   kAlignToEnd      one more window ending exactly at the region's end is added (it
//                    overlaps its neighbour), so the region's last bases are seen too.
// A region shorter than `width` gives no window under either policy.
enum class WindowTail { kDrop, kAlignToEnd };
Result<WindowTail> parse_window_tail(std::string_view name);  // "drop", "align-end"
const char* window_tail_name(WindowTail tail);

// Fails when width or stride is 0; windows come out region by region, left to right.
Result<std::vector<Region>> tile_windows(std::span<const Region> regions, uint32_t width, uint32_t stride,
                                         WindowTail tail = WindowTail::kDrop);

// ---------------------------------------------------------------------------------
// Options: one plain struct, with defaults and named presets; the CLI and the labs
// fill the same struct. The transform is applied at input resolution, before
// re-binning, as Tutorial 1 does; the threshold is on the transformed scale.
enum class SplitMethod { kHash, kChromosome };
Result<SplitMethod> parse_split_method(std::string_view name);  // "hash", "chrom"
const char* split_method_name(SplitMethod method);

struct PrepOptions {
  uint32_t window = 1024;         // bp per window
  uint32_t stride = 1024;         // bp between window starts (< window: overlapping windows)
  WindowTail window_tail = WindowTail::kDrop;
  uint32_t bin = 32;              // bp per output bin; must divide `window`
  uint32_t input_bin = 25;        // bp per bin of the input track (MACS2: 25); 1 = per-base
  SignalTransform transform = SignalTransform::kArcsinh;
  // arcsinh(2): a bin whose mean -log10(p) reaches 2 (p <= 0.01) is a peak.
  double threshold = 1.4436354751788103;
  LabelRule label_rule;
  SplitMethod split = SplitMethod::kHash;
  uint64_t seed = 1;
  SplitFractions fractions;
  // Windows are hashed in 20 kb blocks, so neighbours, which see nearly the same signal
  // and sequence, share a split; 0 hashes each window alone and leaks (split.h).
  uint64_t hash_block = 20000;
  std::vector<std::string> validation_chroms;
  std::vector<std::string> test_chroms;
};

// Names of the presets, and the options of one: "default" (the struct's defaults) and
// "tutorial1" (Tutorial 1: 1,024 bp windows of 32 bp bins from MACS2's 25 bp bins,
// arcsinh, peak where a bin's mean arcsinh value reaches arcsinh(2), 80/10/10 split by
// hashing 20 kb blocks, seed 1).
std::vector<std::string> prep_preset_names();
Result<PrepOptions> prep_preset(std::string_view name);

// Checks the options against each other ("window 1,000 is not a multiple of bin 32").
Status validate_prep_options(const PrepOptions& options);

// ---------------------------------------------------------------------------------
// Dataset: windows -> targets, labels and a split, ready for numpy or the loader.
struct SplitSummary {
  uint64_t windows = 0;
  uint64_t peaks = 0;        // label 1
  uint64_t background = 0;   // label 0
  uint64_t missing = 0;      // label -1
  // peaks / (peaks + background); NaN when no window has data.
  double peak_fraction() const;
};

struct PrepDataset {
  std::vector<Region> windows;     // [N]
  uint32_t bins_per_window = 0;    // W / bin
  std::vector<float> targets;      // [N, bins_per_window], transformed means, NaN = no data
  std::vector<int8_t> bin_labels;  // [N, bins_per_window]: 1, 0 or -1 per bin
  std::vector<int8_t> labels;      // [N]: the window's label under the rule
  std::vector<int8_t> split;       // [N]: Split values (0 train, 1 validation, 2 test)
  std::array<SplitSummary, 3> per_split;  // indexed by Split
  SplitSummary total;
};

// Where the dataset's signal comes from: a bigWig natively, a buffer in a lab, a
// simulated track in a test. `values_batch` has BigWigReader::values_batch's contract:
// per-base values of each region laid end to end, NaN where there is no data.
struct SignalSource {
  std::string name;  // for messages: "signal.bw"
  std::function<std::optional<uint64_t>(std::string_view chrom)> chrom_length;
  std::function<Status(std::span<const Region> regions, std::span<float> out)> values_batch;
  // Optional, for messages: the chromosomes it has ("chr9 is not in signal.bw (its
  // chromosomes: chr2L, chr2R)"); may be left empty.
  std::function<std::vector<std::string>()> chrom_names;
};
SignalSource bigwig_signal_source(const BigWigReader& reader);  // the reader must outlive it

// Called after each batch of windows with (windows done, windows in all).
using PrepProgress = std::function<void(uint64_t done, uint64_t total)>;

// Tiles the regions, reads the signal in batches, transforms, re-bins, labels and
// splits. Fails naming the region when it is not on a chromosome of the source or runs
// past its end, and when no window fits in the regions.
Result<PrepDataset> prepare_dataset(const SignalSource& source, std::span<const Region> regions,
                                    const PrepOptions& options, const PrepProgress& progress = {});
// The same from a bigWig (what `epibook prep` runs).
Result<PrepDataset> prepare_dataset(const BigWigReader& reader, std::span<const Region> regions,
                                    const PrepOptions& options, const PrepProgress& progress = {});

// Counts per split and in total from labels and split (fills per_split and total).
void summarise_dataset(PrepDataset& dataset);

// ---------------------------------------------------------------------------------
// The content hash recorded in manifests: stable_hash (random.h) of a file's bytes,
// fed in pieces so a large bigWig never has to sit in memory at once.
class ContentHash {
 public:
  void update(std::string_view bytes);
  uint64_t finish(uint64_t seed = 0) const;  // equals stable_hash(all bytes, seed)

 private:
  uint64_t state_ = 0xcbf29ce484222325ULL;
};
// Hashes a file by path; the result is written as 16 hex digits in manifests.
Result<uint64_t> file_content_hash(const std::string& path);
std::string hex64(uint64_t value);

// The manifest of a prepared dataset as JSON text: every option, the epibook version,
// the input (path, size, content hash) and the counts and peak fraction per split.
struct PrepInput {
  std::string path;
  uint64_t size = 0;
  uint64_t content_hash = 0;
  std::vector<std::string> regions;  // the region arguments as given
};
std::string prep_manifest_json(const PrepDataset& dataset, const PrepOptions& options, const PrepInput& input);

}  // namespace epibook
