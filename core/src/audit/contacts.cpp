// Check (a) of the auditor (audit.h): windows of different splits that overlap or sit
// next to each other, found exactly with two sweeps per chromosome.
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "epibook/audit.h"

namespace epibook {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

// Bases between two windows; negative: minus the bases they share.
int64_t window_gap(const Region& a, const Region& b) {
  const uint64_t lo = std::max(a.start, b.start), hi = std::min(a.end, b.end);
  if (lo < hi) return -static_cast<int64_t>(hi - lo);
  return static_cast<int64_t>(lo - hi);
}

struct Closest {
  size_t partner = kNone;
  int64_t gap = std::numeric_limits<int64_t>::max();
  void offer(size_t candidate, int64_t candidate_gap) {
    if (candidate_gap < gap) {
      gap = candidate_gap;
      partner = candidate;
    }
  }
};

// For each window of one chromosome (indices sorted by start), its closest window of
// another split. Forward: among earlier windows of a split, the one reaching furthest
// right is the closest; backward: among later ones, the one starting first.
void closest_on_chromosome(const SplitWindows& data, const std::vector<size_t>& order, std::vector<Closest>& closest) {
  std::array<size_t, 3> furthest{kNone, kNone, kNone};
  for (size_t index : order) {
    const auto own = static_cast<size_t>(data.splits[index]);
    for (size_t s = 0; s < 3; ++s) {
      if (s != own && furthest[s] != kNone) {
        closest[index].offer(furthest[s], window_gap(data.windows[furthest[s]], data.windows[index]));
      }
    }
    if (furthest[own] == kNone || data.windows[index].end > data.windows[furthest[own]].end) furthest[own] = index;
  }
  std::array<size_t, 3> next{kNone, kNone, kNone};
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const size_t index = *it;
    const auto own = static_cast<size_t>(data.splits[index]);
    for (size_t s = 0; s < 3; ++s) {
      if (s != own && next[s] != kNone) {
        closest[index].offer(next[s], window_gap(data.windows[index], data.windows[next[s]]));
      }
    }
    next[own] = index;
  }
}

}  // namespace

ContactFindings find_cross_split_contacts(const SplitWindows& data, uint64_t adjacency_bp, size_t max_examples) {
  std::map<std::string, std::vector<size_t>> by_chrom;
  for (size_t i = 0; i < data.windows.size(); ++i) by_chrom[data.windows[i].chrom].push_back(i);
  std::vector<Closest> closest(data.windows.size());
  for (auto& [chrom, order] : by_chrom) {
    std::stable_sort(order.begin(), order.end(), [&data](size_t a, size_t b) {
      return data.windows[a].start < data.windows[b].start;
    });
    closest_on_chromosome(data, order, closest);
  }

  ContactFindings findings;
  std::set<std::tuple<int64_t, size_t, size_t>> contacts;  // (gap, first, second): closest first
  for (size_t i = 0; i < closest.size(); ++i) {
    const Closest& c = closest[i];
    if (c.partner == kNone) continue;
    if (c.gap < 0) {
      ++findings.overlapping_windows;
    } else if (static_cast<uint64_t>(c.gap) <= adjacency_bp) {
      ++findings.adjacent_windows;
    } else {
      continue;
    }
    contacts.insert({c.gap, std::min(i, c.partner), std::max(i, c.partner)});
  }
  // Up to max_examples overlaps and as many adjacent pairs, so that each finding has
  // an example even when overlaps are plentiful.
  size_t overlaps = 0, adjacent = 0;
  for (const auto& [gap, first, second] : contacts) {
    size_t& shown = gap < 0 ? overlaps : adjacent;
    if (shown == max_examples) continue;
    ++shown;
    findings.examples.push_back(SplitContact{first, second, gap});
  }
  return findings;
}

}  // namespace epibook
