// Input checks shared by every metric: equal lengths, finite values, 0/1 labels, and
// the removal of missing (NaN) pairs. Metrics refuse NaN rather than sort it, since a
// NaN has no rank and would silently shift every score computed after it.
#include <cmath>
#include <string>

#include "epibook/metrics.h"
#include "metric_inputs.h"

namespace epibook {

Status check_finite(std::span<const float> values, const std::string& name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return invalid_argument(name + "[" + std::to_string(i) + "] is " + std::to_string(values[i]) +
                              ": metrics need finite values (drop missing bins first)");
    }
  }
  return Status::ok();
}

Status check_binary_labels(std::span<const float> labels, const std::string& name) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0.0f && labels[i] != 1.0f) {
      return invalid_argument(name + "[" + std::to_string(i) + "] is " + std::to_string(labels[i]) +
                              ": binary labels must be 0 or 1");
    }
  }
  return Status::ok();
}

Result<FinitePairs> finite_pairs(std::span<const float> a, std::span<const float> b) {
  EPIBOOK_RETURN_IF_ERROR(check_same_length(a.size(), b.size(), "first", "second"));
  FinitePairs pairs;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isfinite(a[i]) && std::isfinite(b[i])) {
      pairs.a.push_back(a[i]);
      pairs.b.push_back(b[i]);
    }
  }
  return pairs;
}

Status check_same_length(size_t a, size_t b, const char* a_name, const char* b_name) {
  if (a != b) {
    return invalid_argument(std::string(a_name) + " has " + std::to_string(a) + " values, " + b_name + " has " +
                            std::to_string(b));
  }
  if (a == 0) return invalid_argument(std::string("no values to score: ") + a_name + " is empty");
  return Status::ok();
}

Status check_scored_pairs(std::span<const float> predictions, std::span<const float> targets) {
  EPIBOOK_RETURN_IF_ERROR(check_same_length(predictions.size(), targets.size(), "predictions", "targets"));
  EPIBOOK_RETURN_IF_ERROR(check_finite(predictions, "predictions"));
  return check_finite(targets, "targets");
}

Status check_scored_labels(std::span<const float> scores, std::span<const float> labels) {
  EPIBOOK_RETURN_IF_ERROR(check_same_length(scores.size(), labels.size(), "scores", "labels"));
  EPIBOOK_RETURN_IF_ERROR(check_finite(scores, "scores"));
  return check_binary_labels(labels, "labels");
}

}  // namespace epibook
