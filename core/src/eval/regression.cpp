// Scores of predicted signal against measured signal: Pearson, Spearman and MSE, in
// double and in index order, as scipy.stats and sklearn compute them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "epibook/metrics.h"
#include "metric_inputs.h"

namespace epibook {
namespace {

template <typename T>
double mean_of(std::span<const T> values) {
  double sum = 0.0;
  for (T v : values) sum += static_cast<double>(v);
  return sum / static_cast<double>(values.size());
}

// Two-pass Pearson (means first, then centred sums), as scipy does: exact for the
// large, nearly constant values a coverage track can have.
template <typename T>
double pearson_of(std::span<const T> x, std::span<const T> y) {
  const double mx = mean_of(x);
  const double my = mean_of(y);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = static_cast<double>(x[i]) - mx;
    const double dy = static_cast<double>(y[i]) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0.0 || syy == 0.0) return std::numeric_limits<double>::quiet_NaN();
  const double r = sxy / (std::sqrt(sxx) * std::sqrt(syy));
  return std::clamp(r, -1.0, 1.0);
}

}  // namespace

std::vector<double> average_ranks(std::span<const float> values) {
  std::vector<uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  size_t run_start = 0;
  while (run_start < order.size()) {
    size_t run_end = run_start + 1;
    while (run_end < order.size() && values[order[run_end]] == values[order[run_start]]) ++run_end;
    // Ranks run_start+1 .. run_end share their mean.
    const double rank = 0.5 * static_cast<double>(run_start + 1 + run_end);
    for (size_t k = run_start; k < run_end; ++k) ranks[order[k]] = rank;
    run_start = run_end;
  }
  return ranks;
}

Result<double> pearson(std::span<const float> predictions, std::span<const float> targets) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_pairs(predictions, targets));
  return pearson_of(predictions, targets);
}

Result<double> spearman(std::span<const float> predictions, std::span<const float> targets) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_pairs(predictions, targets));
  const std::vector<double> rp = average_ranks(predictions);
  const std::vector<double> rt = average_ranks(targets);
  return pearson_of(std::span<const double>(rp), std::span<const double>(rt));
}

Result<double> mean_squared_error(std::span<const float> predictions, std::span<const float> targets) {
  EPIBOOK_RETURN_IF_ERROR(check_scored_pairs(predictions, targets));
  double sum = 0.0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const double d = static_cast<double>(predictions[i]) - static_cast<double>(targets[i]);
    sum += d * d;
  }
  return sum / static_cast<double>(predictions.size());
}

}  // namespace epibook
