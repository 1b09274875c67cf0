// The five scores chapter 2 compares for a model of counts along windows, each beside
// its shuffled-label floor: how much signal a window holds (Pearson and Spearman of the
// window totals), which windows are peaks (AUROC and AUPRC of the totals against the
// peak labels), and where within a peak window the signal lies (the mean Jensen-Shannon
// distance of the profiles). Scoring one replicate against another gives the ceiling:
// what a model can reach when the count noise is all that is left to predict.
// Sits beside metrics.h (the scores) and after a model's predictions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "epibook/metrics.h"
#include "epibook/status.h"

namespace epibook {

struct WindowScore {
  std::string name;   // pearson, spearman, auroc, auprc, jsd
  double value = 0.0;
  MetricFloor floor;  // the score with the observed windows shuffled among themselves
};

struct WindowScores {
  std::vector<WindowScore> scores;  // in the order pearson, spearman, auroc, auprc, jsd
  uint64_t windows = 0;
  uint64_t peak_windows = 0;
  const WindowScore* find(const std::string& name) const;
};

// `predicted` and `observed` are [windows, length] on the count scale (a prediction
// below 0 counts as 0); `labels` is 1 for a peak window and 0 for background. Pearson
// is taken on log(1 + total), as counts span orders of magnitude; JSD (bits, 0 = the
// same shape) over the peak windows, whose shape is signal rather than noise. Floors
// shuffle the labels (AUROC, AUPRC), the observed totals (Pearson, Spearman) or which
// observed profile each peak window is paired with (JSD), `rounds` times from `seed`.
Result<WindowScores> score_windows(std::span<const float> predicted, std::span<const float> observed,
                                   uint64_t length, std::span<const float> labels, uint64_t seed,
                                   uint32_t rounds = 20);

}  // namespace epibook
