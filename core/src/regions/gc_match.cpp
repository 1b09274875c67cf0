// GC-matched negatives (regions.h): pick candidates whose GC histogram follows the
// positives', so a model cannot separate the classes by GC content alone.
#include <algorithm>
#include <cmath>

#include "epibook/random.h"
#include "epibook/regions.h"

namespace epibook {
namespace {

size_t gc_bin(double gc, uint32_t bins) {
  const double scaled = std::floor(std::clamp(gc, 0.0, 1.0) * bins);
  return std::min<size_t>(bins - 1, static_cast<size_t>(scaled));
}

// round(ratio * total) shared out over the bins in proportion to `counts`: floors
// first, then one more to the bins with the largest remainders (lower bin on ties).
std::vector<uint64_t> wanted_per_bin(const std::vector<uint64_t>& counts, double ratio, uint64_t total_wanted) {
  std::vector<uint64_t> wanted(counts.size());
  std::vector<std::pair<double, size_t>> remainders;
  uint64_t given = 0;
  for (size_t b = 0; b < counts.size(); ++b) {
    const double exact = ratio * static_cast<double>(counts[b]);
    wanted[b] = static_cast<uint64_t>(std::floor(exact));
    given += wanted[b];
    if (exact > static_cast<double>(wanted[b])) remainders.push_back({exact - static_cast<double>(wanted[b]), b});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < remainders.size() && given < total_wanted; ++i, ++given) ++wanted[remainders[i].second];
  return wanted;
}

// Candidate indices per bin, each bin in a seeded random order.
std::vector<std::vector<size_t>> shuffled_candidates(std::span<const double> candidate_gc, uint32_t bins,
                                                     uint64_t seed) {
  std::vector<std::vector<std::pair<uint64_t, size_t>>> keyed(bins);
  const CounterRng rng(seed, /*stream=*/0x9c1a2b);
  for (size_t i = 0; i < candidate_gc.size(); ++i) {
    if (std::isnan(candidate_gc[i])) continue;
    keyed[gc_bin(candidate_gc[i], bins)].push_back({rng.at(i), i});
  }
  std::vector<std::vector<size_t>> out(bins);
  for (uint32_t b = 0; b < bins; ++b) {
    std::sort(keyed[b].begin(), keyed[b].end());
    for (const auto& entry : keyed[b]) out[b].push_back(entry.second);
  }
  return out;
}

}  // namespace

Result<GcMatch> match_gc(std::span<const double> positive_gc, std::span<const double> candidate_gc,
                         const GcMatchOptions& options) {
  if (options.bins == 0) return invalid_argument("GC matching: the number of GC bins must be at least 1");
  if (!std::isfinite(options.ratio) || options.ratio < 0) {
    return invalid_argument("GC matching: negatives per positive must be a number >= 0");
  }
  std::vector<uint64_t> positives(options.bins, 0);
  uint64_t with_gc = 0;
  for (double gc : positive_gc) {
    if (std::isnan(gc)) continue;
    ++positives[gc_bin(gc, options.bins)];
    ++with_gc;
  }
  GcMatch match;
  match.wanted = static_cast<uint64_t>(std::llround(options.ratio * static_cast<double>(with_gc)));
  const std::vector<uint64_t> wanted = wanted_per_bin(positives, options.ratio, match.wanted);
  const std::vector<std::vector<size_t>> pool = shuffled_candidates(candidate_gc, options.bins, options.seed);

  std::vector<size_t> used(options.bins, 0);  // taken from the front of each bin's pool
  std::vector<uint64_t> deficit(options.bins, 0);
  for (uint32_t b = 0; b < options.bins; ++b) {
    used[b] = static_cast<size_t>(std::min<uint64_t>(wanted[b], pool[b].size()));
    deficit[b] = wanted[b] - used[b];
  }
  // Borrow from the nearest bins with spare candidates, the lower one first at a tie.
  for (uint32_t b = 0; b < options.bins; ++b) {
    for (uint32_t d = 1; d < options.bins && deficit[b] > 0; ++d) {
      for (int64_t n : {static_cast<int64_t>(b) - d, static_cast<int64_t>(b) + d}) {
        if (n < 0 || n >= static_cast<int64_t>(options.bins) || deficit[b] == 0) continue;
        const auto nb = static_cast<size_t>(n);
        const uint64_t take = std::min<uint64_t>(deficit[b], pool[nb].size() - used[nb]);
        used[nb] += take;
        deficit[b] -= take;
        match.borrowed += take;
      }
    }
    match.shortfall += deficit[b];
  }
  for (uint32_t b = 0; b < options.bins; ++b) {
    match.chosen.insert(match.chosen.end(), pool[b].begin(), pool[b].begin() + static_cast<std::ptrdiff_t>(used[b]));
  }
  std::sort(match.chosen.begin(), match.chosen.end());
  return match;
}

}  // namespace epibook
