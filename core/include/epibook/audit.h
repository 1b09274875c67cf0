// The leakage auditor: given windows with their train / validation / test split, it
// reports the ways a test score can flatter a model. Sits after region choice and the
// split (regions.h, split.h) and before the loader; `epibook audit` and the labs show
// the same LeakageReport.
//
// Sections: split windows | contacts across splits | near-duplicate sequences |
//           normalisation records | label balance | distributions | the report
//
// The checks, and why each is a leak:
//   contacts        a test window overlapping (or touching) a training window shares
//                   bases or a peak with it: the model has seen part of the answer.
//   near-duplicates repeats, segmental duplications and reverse-complement copies put
//                   the same sequence in two splits far apart on the genome.
//   normalisation   means, scales or quantiles fitted on validation / test data carry
//                   information from them into training.
//   label balance   a test split with a different peak fraction gives scores (AUPRC,
//                   accuracy) that are not comparable with validation ones.
//   distributions   GC or depth shifted between splits measures a confounder, not the
//                   model.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/fasta.h"
#include "epibook/prep.h"
#include "epibook/region.h"
#include "epibook/split.h"
#include "epibook/status.h"

namespace epibook {

class BigWigReader;

// ---------------------------------------------------------------------------------
// Windows with their split and, when known, their label.
struct SplitWindows {
  std::vector<Region> windows;
  std::vector<Split> splits;    // one per window
  std::vector<int8_t> labels;   // empty when unknown; else 1 peak, 0 background, -1 no data
  std::vector<uint64_t> lines;  // line of each window in its file (for messages)
};

// "train", "validation" (or "val", "valid"), "test".
Result<Split> parse_split_name(std::string_view name);

// Reads BED text with the split in column 4 and, optionally, the label in column 5:
// `epibook regions` output and `epibook prep`'s windows.bed. Either every line has a
// label or none does. Errors name the source and the line.
Result<SplitWindows> parse_split_windows(const std::string& text, const std::string& source_name);
Result<SplitWindows> read_split_windows(const std::string& path);

// ---------------------------------------------------------------------------------
// (a) Windows of different splits that overlap, or lie within `adjacency_bp` of each
// other (0: only book-ended windows count as adjacent). Exact, O(n log n): each window
// is compared with the furthest-reaching earlier window and the nearest later window
// of every other split on its chromosome.
struct SplitContact {
  size_t first = 0;   // window indices, first < second
  size_t second = 0;
  int64_t gap = 0;    // bases between them; negative: they share -gap bases
};
struct ContactFindings {
  uint64_t overlapping_windows = 0;  // windows sharing a base with a window of another split
  uint64_t adjacent_windows = 0;     // windows not overlapping but within adjacency_bp of one
  std::vector<SplitContact> examples;  // the closest: up to max_examples overlaps, then as many adjacent pairs
};
ContactFindings find_cross_split_contacts(const SplitWindows& data, uint64_t adjacency_bp, size_t max_examples = 10);

// ---------------------------------------------------------------------------------
// (b) Near-duplicate sequences. Each window's sequence becomes a MinHash sketch of its
// canonical k-mers (the smaller of a k-mer and its reverse complement, so a sequence
// and its reverse complement have the same sketch); k-mers with N are skipped. The
// sketch is a one-permutation MinHash: each k-mer is hashed once into one of `hashes`
// bins, each bin keeps its minimum, and empty bins are filled from the next non-empty
// one (densification by rotation); the share of bins two sketches agree on estimates
// the Jaccard index of their k-mer sets. Windows
// whose sketches share a band (locality-sensitive hashing) are compared, and a pair in
// different splits whose estimated Jaccard index reaches the threshold is a duplicate.
// With 32 bands of 4, a pair at Jaccard 0.5 is compared with probability 0.87, at 0.6
// with 0.99. Each window is compared with at most max_comparisons others (windows
// capped are counted), so a huge family of identical repeats cannot make it quadratic.
struct MinHashOptions {
  uint32_t k = 21;          // 1..32
  uint32_t hashes = 128;    // sketch size; a multiple of bands
  uint32_t bands = 32;
  double jaccard = 0.5;     // estimated Jaccard at or above which a pair is a near-duplicate
  uint64_t seed = 7;
  uint32_t max_comparisons = 256;
};
Status validate_minhash_options(const MinHashOptions& options);

using MinHashSketch = std::vector<uint64_t>;  // `hashes` minima; empty when no k-mer is valid
MinHashSketch minhash_sketch(std::string_view sequence, const MinHashOptions& options);
// Share of positions where two sketches agree; 0 when either is empty.
double estimated_jaccard(const MinHashSketch& a, const MinHashSketch& b);
// The exact Jaccard index of the canonical k-mer sets (a check for the sketches).
double exact_kmer_jaccard(std::string_view a, std::string_view b, uint32_t k);

struct DuplicatePair {
  size_t first = 0;
  size_t second = 0;
  double jaccard = 0;
};
struct DuplicateFindings {
  uint64_t windows_sketched = 0;
  uint64_t windows_without_kmers = 0;
  uint64_t windows_with_duplicate = 0;  // windows with a near-duplicate in another split
  uint64_t comparisons = 0;
  uint64_t windows_capped = 0;          // reached max_comparisons before deciding
  std::vector<DuplicatePair> examples;  // highest Jaccard first
};
// Pairs whose windows overlap on the genome are left to the overlap check: sharing
// bases, they share k-mers trivially. `windows` may be empty (sequences without places).
DuplicateFindings find_cross_split_duplicates(std::span<const MinHashSketch> sketches, std::span<const Split> splits,
                                              std::span<const Region> windows, const MinHashOptions& options,
                                              size_t max_examples = 10);

// What the sequence checks need from each window, read once.
struct SequenceFeatures {
  std::vector<MinHashSketch> sketches;
  std::vector<double> gc;  // gc_fraction (regions.h); NaN without A/C/G/T
};
SequenceFeatures sequence_features(std::span<const std::string> sequences, const MinHashOptions& options);
// The same, fetching each window from a genome; (windows done, windows in all).
Result<SequenceFeatures> sequence_features(const FastaReader& genome, std::span<const Region> windows,
                                           const MinHashOptions& options,
                                           const std::function<void(uint64_t, uint64_t)>& progress = {});

// ---------------------------------------------------------------------------------
// (c) Normalisation records. A JSON document (a normalisation-stats file, a dataset
// manifest) records what statistics were fitted on with a "fitted_on" key, in any
// object at any depth. Its value is a split name, "all", an array of split names, or an
// object with any of "splits" (names), "regions" ("chr:start-end" texts) and "windows"
// (indices into the audited windows). The object holding it is the record; its "name"
// key, or else its JSON path, names it. Objects with statistic keys (mean, std, var,
// scale, offset, min, max, median, quantiles, percentiles) but no "fitted_on" in the
// whole document are recorded as unknown. An `epibook prep` manifest applies a fixed
// transform (arcsinh, log1p) and fits nothing; it gives no record.
struct NormalisationRecord {
  std::string name;
  bool fitted_on_known = false;
  std::vector<std::string> splits;  // as written ("train", "test", "all")
  std::vector<std::string> regions;
  std::vector<uint64_t> windows;
};
struct NormalisationDocument {
  std::string source;
  std::string tool;  // the document's "tool" key, "" when none
  std::vector<NormalisationRecord> records;
};
Result<NormalisationDocument> parse_normalisation_document(const std::string& json_text, const std::string& source_name);

struct NormalisationFindings {
  bool given = false;
  uint64_t records = 0;
  uint64_t fitted_outside_train = 0;  // names a non-train split, "all", or a non-train window
  uint64_t unknown = 0;               // statistics with no record of what they were fitted on
  std::vector<std::string> problems;  // one readable line per finding
};
NormalisationFindings check_normalisation(std::span<const NormalisationDocument> documents, const SplitWindows& data);

// ---------------------------------------------------------------------------------
// (d) Peak / no-peak fraction per split, and how far apart the splits are: the largest
// absolute difference between two splits' peak fractions and the two-proportion z of
// that pair (how many standard errors apart they are).
struct LabelBalance {
  bool known = false;                       // false when the windows carry no labels
  std::array<SplitSummary, 3> per_split{};  // indexed by Split
  double largest_gap = 0;
  Split gap_first = Split::kTrain;
  Split gap_second = Split::kTrain;
  double z = 0;
};
LabelBalance label_balance(const SplitWindows& data);

// ---------------------------------------------------------------------------------
// (e) Distributions per split, compared with the two-sample Kolmogorov-Smirnov test
// (ks_statistic and ks_p_value, statistics.h).

struct DistributionComparison {
  Split first = Split::kTrain;
  Split second = Split::kTest;
  size_t n_first = 0;
  size_t n_second = 0;
  double ks = 0;
  double p_value = 1;
};
struct DistributionFindings {
  std::string quantity;                      // "gc", "depth"
  std::array<double, 3> mean{};              // per split; NaN when empty
  std::vector<DistributionComparison> pairs;  // train-validation, train-test, validation-test (non-empty ones)
};
DistributionFindings compare_distributions(const std::string& quantity, std::span<const double> values,
                                           std::span<const Split> splits);

// Mean signal of each window over the bases with data (NaN when none), read in batches.
Result<std::vector<double>> mean_signal_per_window(const BigWigReader& reader, std::span<const Region> windows);

// ---------------------------------------------------------------------------------
// The report. Each check is PASS, WARN or FAIL (or SKIPPED when its input is missing):
//   overlap         FAIL when any window overlaps a window of another split
//   adjacency       WARN when windows of different splits lie within adjacency_bp
//   near-duplicates FAIL when any window has a near-duplicate in another split
//   normalisation   FAIL when statistics were fitted outside train; WARN when unknown
//   label-balance   WARN when two splits' peak fractions differ by more than
//                   peak_gap_warn, FAIL above peak_gap_fail (z must exceed 3 for either)
//   gc, depth       WARN when some pair's KS statistic exceeds ks_warn, FAIL above
//                   ks_fail, either only when its p-value is below ks_alpha
enum class CheckLevel { kPass, kWarn, kFail, kSkipped };
const char* check_level_name(CheckLevel level);  // "PASS", "WARN", "FAIL", "SKIPPED"

struct AuditOptions {
  uint64_t adjacency_bp = 0;
  MinHashOptions minhash;
  double peak_gap_warn = 0.05;
  double peak_gap_fail = 0.15;
  double ks_warn = 0.1;
  double ks_fail = 0.25;
  double ks_alpha = 0.01;
};
Status validate_audit_options(const AuditOptions& options);

// What the audit looks at; leave out what is not available and its check is skipped.
struct AuditInputs {
  SplitWindows data;
  std::optional<SequenceFeatures> sequence;      // per window: near-duplicates and GC
  std::vector<double> depth;                     // per window, or empty
  std::vector<NormalisationDocument> normalisation;
};

struct AuditCheck {
  std::string name;
  CheckLevel level = CheckLevel::kSkipped;
  std::string summary;  // one line with the numbers
};

struct LeakageReport {
  uint64_t windows = 0;
  std::array<uint64_t, 3> windows_per_split{};
  std::vector<AuditCheck> checks;  // in the order listed above
  ContactFindings contacts;
  std::optional<DuplicateFindings> duplicates;
  NormalisationFindings normalisation;
  LabelBalance labels;
  std::optional<DistributionFindings> gc;
  std::optional<DistributionFindings> depth;

  const AuditCheck* find(std::string_view name) const;
  // True when some check FAILed (what `epibook audit --fail-on-leak` exits 1 on).
  bool has_leak() const;
};

// Fails only on inputs that do not fit together (feature counts differing from the
// number of windows, bad options); findings are in the report, never errors.
Result<LeakageReport> audit_splits(const AuditInputs& inputs, const AuditOptions& options);

// The report as JSON (every number, the examples with their regions) and as a table
// for a terminal: one row per check with PASS / WARN / FAIL and its numbers.
std::string leakage_report_json(const LeakageReport& report, const SplitWindows& data, const AuditOptions& options);
std::string leakage_report_table(const LeakageReport& report);

}  // namespace epibook
