// Scores of peak / no-peak predictions: AUROC, average precision, best F1, accuracy.
// The ranking scores walk the predictions from the highest score down, one group of
// tied scores at a time, as sklearn's precision_recall_curve does; ties therefore
// never depend on the order the sort left them in.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "epibook/metrics.h"
#include "metric_inputs.h"

namespace epibook {
namespace {

// True and false positives accumulated down to one distinct score.
struct ThresholdPoint {
  double threshold = 0.0;
  uint64_t true_positives = 0;
  uint64_t false_positives = 0;
};

// One point per distinct score, from the highest: predicting "score >= threshold".
std::vector<ThresholdPoint> threshold_points(std::span<const float> scores, std::span<const float> labels) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  std::vector<ThresholdPoint> points;
  ThresholdPoint running;
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t i = order[k];
    if (labels[i] == 1.0f) ++running.true_positives; else ++running.false_positives;
    const bool group_ends = k + 1 == order.size() || scores[order[k + 1]] != scores[i];
    if (group_ends) {
      running.threshold = scores[i];
      points.push_back(running);
    }
  }
  return points;
}

uint64_t count_positives(std::span<const float> labels) {
  uint64_t positives = 0;
  for (float label : labels) positives += label == 1.0f ? 1 : 0;
  return positives;
}

Status check_has_positive(uint64_t positives, const char* metric) {
  if (positives == 0) return invalid_argument(std::string(metric) + " is undefined: the labels hold no positive (1)");
  return Status::ok();
}

}  // namespace

Result<double> auroc(std::span<const float> scores, std::span<const float> labels) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_labels(scores, labels));
  const uint64_t positives = count_positives(labels);
  const uint64_t negatives = labels.size() - positives;
  if (positives == 0 || negatives == 0) {
    return invalid_argument("AUROC is undefined: the labels hold only one class (" + std::to_string(positives) +
                            " positives, " + std::to_string(negatives) + " negatives)");
  }
  // Mann-Whitney: the rank sum of the positives, ties at their average rank.
  const std::vector<double> ranks = average_ranks(scores);
  double positive_rank_sum = 0.0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == 1.0f) positive_rank_sum += ranks[i];
  }
  const double p = static_cast<double>(positives);
  const double n = static_cast<double>(negatives);
  return (positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n);
}

Result<double> auprc(std::span<const float> scores, std::span<const float> labels) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_labels(scores, labels));
  const uint64_t positives = count_positives(labels);
  EPIBOOK_RETURN_IF_ERROR(check_has_positive(positives, "average precision"));
  double average_precision = 0.0;
  double previous_recall = 0.0;
  for (const ThresholdPoint& point : threshold_points(scores, labels)) {
    const double tp = static_cast<double>(point.true_positives);
    const double recall = tp / static_cast<double>(positives);
    const double precision = tp / static_cast<double>(point.true_positives + point.false_positives);
    average_precision += (recall - previous_recall) * precision;
    previous_recall = recall;
  }
  return average_precision;
}

Result<BestF1> best_f1(std::span<const float> scores, std::span<const float> labels) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_labels(scores, labels));
  const uint64_t positives = count_positives(labels);
  EPIBOOK_RETURN_IF_ERROR(check_has_positive(positives, "F1"));
  BestF1 best;
  best.f1 = -1.0;
  for (const ThresholdPoint& point : threshold_points(scores, labels)) {
    const double tp = static_cast<double>(point.true_positives);
    const double fp = static_cast<double>(point.false_positives);
    const double fn = static_cast<double>(positives - point.true_positives);
    const double f1 = 2.0 * tp / (2.0 * tp + fp + fn);
    if (f1 > best.f1) {
      best.f1 = f1;
      best.threshold = point.threshold;
      best.precision = tp / (tp + fp);
      best.recall = tp / static_cast<double>(positives);
    }
  }
  return best;
}

Result<double> accuracy(std::span<const float> scores, std::span<const float> labels, double threshold) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_labels(scores, labels));
  uint64_t correct = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = static_cast<double>(scores[i]) >= threshold;
    correct += predicted == (labels[i] == 1.0f) ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(scores.size());
}

Result<double> multiclass_accuracy(std::span<const float> logits, uint32_t classes,
                                   std::span<const int32_t> classes_of) {
  if (classes == 0) return invalid_argument("multi-class accuracy needs at least one class");
  if (logits.size() != static_cast<size_t>(classes) * classes_of.size()) {
    return invalid_argument("logits hold " + std::to_string(logits.size()) + " values, expected " +
                            std::to_string(classes_of.size()) + " rows x " + std::to_string(classes) + " classes");
  }
  EPIBOOK_RETURN_IF_ERROR(check_same_length(classes_of.size(), classes_of.size(), "classes", "classes"));
  EPIBOOK_RETURN_IF_ERROR(check_finite(logits, "logits"));
  uint64_t correct = 0;
  for (size_t row = 0; row < classes_of.size(); ++row) {
    const int32_t truth = classes_of[row];
    if (truth < 0 || static_cast<uint32_t>(truth) >= classes) {
      return invalid_argument("classes[" + std::to_string(row) + "] is " + std::to_string(truth) + ", outside 0.." +
                              std::to_string(classes - 1));
    }
    const float* first = logits.data() + row * classes;
    const auto predicted = static_cast<int32_t>(std::max_element(first, first + classes) - first);
    correct += predicted == truth ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(classes_of.size());
}

}  // namespace epibook
