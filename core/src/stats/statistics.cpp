// Base composition and the two-sample Kolmogorov-Smirnov test (statistics.h): shared by
// region choice (GC-matched negatives) and the leakage audit (GC and depth per split).
#include "epibook/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace epibook {
namespace {

bool is_gc(char c) { return c == 'G' || c == 'C' || c == 'g' || c == 'c'; }
bool is_at(char c) { return c == 'A' || c == 'T' || c == 'a' || c == 't'; }

std::vector<double> sorted_finite(std::span<const double> values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

double gc_fraction(std::string_view sequence) {
  uint64_t gc = 0, at = 0;
  for (char c : sequence) {
    gc += is_gc(c) ? 1 : 0;
    at += is_at(c) ? 1 : 0;
  }
  if (gc + at == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(gc) / static_cast<double>(gc + at);
}

double unknown_base_fraction(std::string_view sequence) {
  if (sequence.empty()) return 0;
  uint64_t unknown = 0;
  for (char c : sequence) unknown += (is_gc(c) || is_at(c)) ? 0 : 1;
  return static_cast<double>(unknown) / static_cast<double>(sequence.size());
}

double ks_statistic(std::span<const double> a_values, std::span<const double> b_values) {
  const std::vector<double> a = sorted_finite(a_values), b = sorted_finite(b_values);
  if (a.empty() || b.empty()) return 0;
  const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
  size_t i = 0, j = 0;
  double d = 0;
  // The CDFs only change at data values: step both past the next smallest value.
  while (i < a.size() && j < b.size()) {
    const double v = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= v) ++i;
    while (j < b.size() && b[j] <= v) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / n - static_cast<double>(j) / m));
  }
  return d;
}

double ks_p_value(double d, size_t n, size_t m) {
  if (n == 0 || m == 0 || !(d > 0)) return 1;
  const double en = std::sqrt(static_cast<double>(n) * static_cast<double>(m) / static_cast<double>(n + m));
  const double lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 0.2) return 1;  // the series converges slowly there and its sum is 1 to 1e-10
  double sum = 0, sign = 1;
  for (int j = 1; j <= 100; ++j) {
    const double term = sign * std::exp(-2.0 * j * j * lambda * lambda);
    sum += term;
    if (std::fabs(term) < 1e-12 * std::fabs(sum)) break;
    sign = -sign;
  }
  return std::clamp(2 * sum, 0.0, 1.0);
}

}  // namespace epibook
