// Scores of a model's predictions against the truth, as the chapters report them:
// correlations for signal, ranking scores for peak / no-peak, a distance for profiles,
// each with a floor (the score of shuffled labels) so a number never stands alone.
// Sits after nn (predictions) and before the run log (metrics.jsonl) and `epibook eval`.
//
// Sections: checks | regression | classification | profiles | baselines
//
// Every score is computed in double, in index order, so it is the same natively and in
// wasm. Each one matches scipy / sklearn on the same arrays (tests/golden/metrics_*):
// the reference is named beside each function. Inputs must be finite and of equal
// length; an error names the array and the index otherwise. Scores that the reference
// leaves undefined (a constant input for a correlation) come back as NaN, as scipy's do.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// Checks. Named so messages say "predictions[12] is NaN" rather than "x[12]".
Status check_finite(std::span<const float> values, const std::string& name);
// Binary labels must be exactly 0 or 1.
Status check_binary_labels(std::span<const float> labels, const std::string& name);

// The pairs (a[i], b[i]) where both are finite: targets from `epibook prep` hold NaN
// where the track has no data, and a missing bin must not count as a zero.
struct FinitePairs {
  std::vector<float> a;
  std::vector<float> b;
};
Result<FinitePairs> finite_pairs(std::span<const float> a, std::span<const float> b);

// ---------------------------------------------------------------------------------
// Regression (signal prediction).
// Pearson's r (scipy.stats.pearsonr); NaN when either input is constant.
Result<double> pearson(std::span<const float> predictions, std::span<const float> targets);
// Spearman's rho with average ranks for ties (scipy.stats.spearmanr).
Result<double> spearman(std::span<const float> predictions, std::span<const float> targets);
// Mean squared error (sklearn.metrics.mean_squared_error).
Result<double> mean_squared_error(std::span<const float> predictions, std::span<const float> targets);
// Ranks 1..n, ties given the mean of the ranks they span (scipy.stats.rankdata).
std::vector<double> average_ranks(std::span<const float> values);

// ---------------------------------------------------------------------------------
// Binary classification. `scores` are any monotone score (logits or probabilities);
// `labels` are 0 / 1.
// Area under the ROC curve (sklearn.metrics.roc_auc_score): the chance a random
// positive outscores a random negative, ties counting one half. Fails with one class.
Result<double> auroc(std::span<const float> scores, std::span<const float> labels);
// Average precision (sklearn.metrics.average_precision_score): the sum over distinct
// thresholds, from the highest, of (recall gained) x (precision there); no
// interpolation. Fails when there is no positive.
Result<double> auprc(std::span<const float> scores, std::span<const float> labels);
// The best F1 over all thresholds "score >= t" with t one of the scores (the maximum of
// 2PR/(P+R) along sklearn.metrics.precision_recall_curve), and the threshold giving it.
struct BestF1 {
  double f1 = 0.0;
  double threshold = 0.0;
  double precision = 0.0;
  double recall = 0.0;
};
Result<BestF1> best_f1(std::span<const float> scores, std::span<const float> labels);
// Fraction of (score >= threshold) == label (sklearn.metrics.accuracy_score).
Result<double> accuracy(std::span<const float> scores, std::span<const float> labels, double threshold);
// Multi-class: `logits` is [n, classes] row-major, `classes_of` the true class of each
// row; a row's prediction is its first largest logit (numpy.argmax).
Result<double> multiclass_accuracy(std::span<const float> logits, uint32_t classes,
                                   std::span<const int32_t> classes_of);

// ---------------------------------------------------------------------------------
// Profiles. Jensen-Shannon distance in bits (scipy.spatial.distance.jensenshannon with
// base=2): both profiles are scaled to sum to 1 first; 0 for equal shapes, 1 for
// profiles with no position in common. Values must be >= 0 and each profile must have
// a positive sum.
Result<double> jensen_shannon_distance(std::span<const float> p, std::span<const float> q);
// The mean distance over rows of [rows, length] profile arrays (one profile per window).
Result<double> mean_jensen_shannon_distance(std::span<const float> p, std::span<const float> q, uint64_t length);

// ---------------------------------------------------------------------------------
// Baselines. The shuffled-label floor: the score a model gets when the labels are
// randomly permuted, so that "AUROC 0.62" can be read against what chance gives on
// these very labels (class balance, ties and all). Permutations are Fisher-Yates from
// CounterRng(seed, round), so the floor is the same natively and in wasm.
using PairedMetric = std::function<Result<double>(std::span<const float>, std::span<const float>)>;
struct MetricFloor {
  double mean = 0.0;
  double sd = 0.0;      // sample standard deviation over the rounds (0 for one round)
  uint32_t rounds = 0;
};
Result<MetricFloor> shuffled_label_floor(const PairedMetric& metric, std::span<const float> predictions,
                                         std::span<const float> labels, uint64_t seed, uint32_t rounds = 20);

}  // namespace epibook
