// Checks (d) and (e) of the auditor (audit.h): peak fraction per split, and GC / depth
// distributions compared between splits with the two-sample Kolmogorov-Smirnov test.
#include <algorithm>
#include <cmath>
#include <limits>

#include "epibook/audit.h"
#include "epibook/bigwig.h"
#include "epibook/statistics.h"

namespace epibook {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Two-proportion z of peak fractions p1 (of n1) and p2 (of n2), pooled standard error.
double two_proportion_z(double p1, uint64_t n1, double p2, uint64_t n2) {
  const double pooled = (p1 * static_cast<double>(n1) + p2 * static_cast<double>(n2)) / static_cast<double>(n1 + n2);
  const double se = std::sqrt(pooled * (1 - pooled) * (1.0 / static_cast<double>(n1) + 1.0 / static_cast<double>(n2)));
  if (se == 0) return p1 == p2 ? 0 : std::numeric_limits<double>::infinity();
  return (p1 - p2) / se;
}

}  // namespace

DistributionFindings compare_distributions(const std::string& quantity, std::span<const double> values,
                                           std::span<const Split> splits) {
  DistributionFindings findings;
  findings.quantity = quantity;
  std::array<std::vector<double>, 3> per_split;
  for (size_t i = 0; i < values.size() && i < splits.size(); ++i) {
    if (!std::isnan(values[i])) per_split[static_cast<size_t>(splits[i])].push_back(values[i]);
  }
  for (size_t s = 0; s < 3; ++s) {
    double sum = 0;
    for (double v : per_split[s]) sum += v;
    findings.mean[s] = per_split[s].empty() ? kNaN : sum / static_cast<double>(per_split[s].size());
  }
  const std::pair<Split, Split> pairs[] = {{Split::kTrain, Split::kValidation},
                                           {Split::kTrain, Split::kTest},
                                           {Split::kValidation, Split::kTest}};
  for (const auto& [first, second] : pairs) {
    const auto& a = per_split[static_cast<size_t>(first)];
    const auto& b = per_split[static_cast<size_t>(second)];
    if (a.empty() || b.empty()) continue;
    DistributionComparison c{first, second, a.size(), b.size(), ks_statistic(a, b), 1};
    c.p_value = ks_p_value(c.ks, a.size(), b.size());
    findings.pairs.push_back(c);
  }
  return findings;
}

LabelBalance label_balance(const SplitWindows& data) {
  LabelBalance balance;
  if (data.labels.empty() || data.labels.size() != data.windows.size()) return balance;
  balance.known = true;
  for (size_t i = 0; i < data.labels.size(); ++i) {
    SplitSummary& s = balance.per_split[static_cast<size_t>(data.splits[i])];
    ++s.windows;
    if (data.labels[i] == kPeakLabel) ++s.peaks;
    else if (data.labels[i] == kBackgroundLabel) ++s.background;
    else ++s.missing;
  }
  bool compared = false;
  for (size_t a = 0; a < 3; ++a) {
    for (size_t b = a + 1; b < 3; ++b) {
      const SplitSummary &sa = balance.per_split[a], &sb = balance.per_split[b];
      if (sa.peaks + sa.background == 0 || sb.peaks + sb.background == 0) continue;
      const double gap = std::fabs(sa.peak_fraction() - sb.peak_fraction());
      if (compared && gap <= balance.largest_gap) continue;
      compared = true;
      balance.largest_gap = gap;
      balance.gap_first = static_cast<Split>(a);
      balance.gap_second = static_cast<Split>(b);
      balance.z = two_proportion_z(sa.peak_fraction(), sa.peaks + sa.background, sb.peak_fraction(),
                                   sb.peaks + sb.background);
    }
  }
  return balance;
}

Result<std::vector<double>> mean_signal_per_window(const BigWigReader& reader, std::span<const Region> windows) {
  std::vector<double> means;
  means.reserve(windows.size());
  constexpr uint64_t kBatchBases = uint64_t{1} << 24;  // 64 MB of floats per batch
  std::vector<float> values;
  size_t begin = 0;
  while (begin < windows.size()) {
    size_t end = begin;
    uint64_t bases = 0;
    while (end < windows.size() && (end == begin || bases + windows[end].length() <= kBatchBases)) {
      bases += windows[end++].length();
    }
    values.assign(bases, 0.0f);
    EPIBOOK_RETURN_IF_ERROR(reader.values_batch(windows.subspan(begin, end - begin), values));
    size_t offset = 0;
    for (size_t w = begin; w < end; ++w) {
      double sum = 0;
      uint64_t covered = 0;
      for (uint64_t k = 0; k < windows[w].length(); ++k) {
        const float v = values[offset + k];
        if (std::isnan(v)) continue;
        sum += v;
        ++covered;
      }
      offset += windows[w].length();
      means.push_back(covered == 0 ? kNaN : sum / static_cast<double>(covered));
    }
    begin = end;
  }
  return means;
}

}  // namespace epibook
