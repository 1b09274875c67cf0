// The interval set behind exclusion lists: the question region choice asks of every
// candidate window (regions.h), beside its GC content (statistics.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "epibook/regions.h"

namespace epibook {
namespace {


bool region_less(const Region& a, const Region& b) {
  if (a.chrom != b.chrom) return a.chrom < b.chrom;
  return a.start < b.start;
}

}  // namespace

RegionIndex::RegionIndex(std::span<const Region> regions) {
  std::vector<Region> sorted;
  for (const Region& r : regions) {
    if (r.end > r.start) sorted.push_back(r);
  }
  std::sort(sorted.begin(), sorted.end(), region_less);
  for (Region& r : sorted) {
    if (!merged_.empty() && merged_.back().chrom == r.chrom && r.start <= merged_.back().end) {
      merged_.back().end = std::max(merged_.back().end, r.end);
    } else {
      merged_.push_back(std::move(r));
    }
  }
}

bool RegionIndex::overlaps(const Region& region) const {
  if (region.end <= region.start) return false;
  // The first merged interval starting at or after region.end cannot overlap; the one
  // before it is the only candidate, because merged intervals are disjoint.
  const Region probe{region.chrom, region.end, region.end};
  auto after = std::lower_bound(merged_.begin(), merged_.end(), probe, region_less);
  if (after == merged_.begin()) return false;
  const Region& before = *std::prev(after);
  return before.chrom == region.chrom && before.end > region.start;
}

}  // namespace epibook
