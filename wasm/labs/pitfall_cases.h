// The experiments of chapter 12's "pitfalls" lab, without the drawing: for each pitfall of
// the chapter, two ways of making the same kind of data set (with the pitfall, and with
// its fix) from one simulated genome, the leakage auditor's report on each (audit_splits,
// the code of `epibook audit`) and the scores of one k-mer model fitted and scored on
// each. Kept apart from pitfalls.cpp (ImGui) so each step is a plain function.
//
// The model: a k-mer naive Bayes classifier (the counts of each canonical 8-mer in peak
// and in background windows of the fitting set, Laplace-smoothed; a window's score is the
// mean log-likelihood ratio of its 8-mers). Counting is its whole fit, so it fits in
// milliseconds, and like a convolutional network it can recall sequence it has seen:
// exactly what dependent examples and leaky statistics reward.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "epibook/audit.h"
#include "epibook/bed.h"
#include "epibook/fasta.h"
#include "epibook/regions.h"

namespace epibook::labs {

enum class Pitfall { kDependent, kPreprocessing, kValidationBalance, kConfounding, kImbalance, kDistribution };
// "dependent", "preprocessing", "validation-balance", "confounding", "imbalance", "distribution".
const char* pitfall_name(Pitfall pitfall);
Result<Pitfall> parse_pitfall(const std::string& name);
std::string pitfall_names();  // the names, comma-separated, for messages

// The k-mer model. Fitted on the windows whose flag is set; scores any sequence.
class KmerModel {
 public:
  explicit KmerModel(uint32_t k = 8) : k_(k) {}
  // Rows with fitted_on[i] set count; a row may appear several times (oversampling).
  void fit(const std::vector<std::string>& sequences, const std::vector<int8_t>& labels,
           const std::vector<uint8_t>& fitted_on);
  // The mean log-likelihood ratio (peak against background) of the sequence's k-mers; 0
  // for a sequence without any. Above 0: the k-mers are, on average, likelier in peaks.
  double score(const std::string& sequence) const;

 private:
  uint32_t k_;
  std::vector<uint32_t> peak_counts_, background_counts_;
  double peak_log_total_ = 0, background_log_total_ = 0;
};

// Scores of the model on one split.
struct SplitScores {
  uint64_t windows = 0;
  uint64_t peaks = 0;
  double peak_fraction = 0;
  double auroc = 0;
  double auprc = 0;
  double accuracy = 0;           // score > 0 called a peak
  double peak_recall = 0;        // share of peak windows called a peak
  double balanced_accuracy = 0;  // mean of the recalls of peaks and background
  double gc_auroc = 0;           // the AUROC of GC alone on the same windows
};

// One side of an experiment: the data made one way, its audit, the model's scores.
struct PitfallSide {
  std::string design;          // how the windows, splits and statistics were made, one line
  SplitWindows data;
  std::vector<double> gc;      // per window
  LeakageReport report;
  std::string flagged_check;   // the check that names this pitfall
  CheckLevel level = CheckLevel::kSkipped;
  std::string finding;         // that check's summary
  SplitScores validation, test;
};

// The shipped data the lab reads: a simulated genome whose open chromatin follows GC and
// the peaks planted in it (chapter 5's regions/sim).
struct PitfallGenome {
  const FastaReader* genome = nullptr;
  std::vector<BedRecord> peaks;
};

// Makes the data of one side (`fixed`: with the fix) and audits and scores it.
Result<PitfallSide> run_pitfall_side(const PitfallGenome& genome, Pitfall pitfall, bool fixed);

}  // namespace epibook::labs
