// Jensen-Shannon distance between predicted and measured profiles (the shape of the
// signal along a window, as BPNet-style models are scored): scipy's definition, base 2.
#include <cmath>
#include <string>

#include "epibook/metrics.h"
#include "metric_inputs.h"

namespace epibook {
namespace {

Result<double> profile_sum(std::span<const float> profile, const char* name) {
  double sum = 0.0;
  for (size_t i = 0; i < profile.size(); ++i) {
    if (!std::isfinite(profile[i]) || profile[i] < 0.0f) {
      return invalid_argument(std::string(name) + "[" + std::to_string(i) + "] is " + std::to_string(profile[i]) +
                              ": a profile needs finite values >= 0");
    }
    sum += static_cast<double>(profile[i]);
  }
  if (!(sum > 0.0)) return invalid_argument(std::string(name) + " sums to 0: it has no shape to compare");
  return sum;
}

// x log2(x / m), with 0 log 0 = 0 (scipy.special.rel_entr, in bits).
double relative_entropy_bits(double x, double m) { return x > 0.0 ? x * std::log2(x / m) : 0.0; }

}  // namespace

Result<double> jensen_shannon_distance(std::span<const float> p, std::span<const float> q) {
  EPIBOOK_RETURN_IF_ERROR(check_same_length(p.size(), q.size(), "p", "q"));
  EPIBOOK_ASSIGN_OR_RETURN(const double p_sum, profile_sum(p, "p"));
  EPIBOOK_ASSIGN_OR_RETURN(const double q_sum, profile_sum(q, "q"));
  double divergence = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double pi = static_cast<double>(p[i]) / p_sum;
    const double qi = static_cast<double>(q[i]) / q_sum;
    const double mi = 0.5 * (pi + qi);
    divergence += relative_entropy_bits(pi, mi) + relative_entropy_bits(qi, mi);
  }
  // Rounding can leave a tiny negative sum for equal profiles.
  return std::sqrt(std::max(0.0, divergence / 2.0));
}

Result<double> mean_jensen_shannon_distance(std::span<const float> p, std::span<const float> q, uint64_t length) {
  EPIBOOK_RETURN_IF_ERROR(check_same_length(p.size(), q.size(), "p", "q"));
  if (length == 0 || p.size() % length != 0) {
    return invalid_argument(std::to_string(p.size()) + " values do not split into profiles of length " +
                            std::to_string(length));
  }
  const uint64_t rows = p.size() / length;
  double total = 0.0;
  for (uint64_t row = 0; row < rows; ++row) {
    Result<double> distance = jensen_shannon_distance(p.subspan(row * length, length), q.subspan(row * length, length));
    if (!distance.is_ok()) return distance.status().with_context("profile " + std::to_string(row));
    total += *distance;
  }
  return total / static_cast<double>(rows);
}

}  // namespace epibook
