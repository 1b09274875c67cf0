// Windows centred on peaks, and seeded jitter of windows: the positives of region
// choice (regions.h). Both keep every window inside its chromosome.
#include <algorithm>

#include "epibook/random.h"
#include "epibook/regions.h"

namespace epibook {
namespace {

Status unknown_chromosome(const Region& where, const FastaIndex& genome) {
  std::string names;
  for (size_t i = 0; i < genome.entries.size() && i < 5; ++i) names += (i ? ", " : "") + genome.entries[i].name;
  if (genome.entries.size() > 5) names += ", ...";
  return not_found(format_region(where) + ": chromosome " + where.chrom + " is not in the genome (it has " + names +
                   ")");
}

// [start, start + width) moved inside [0, length); length >= width.
Region placed_inside(const std::string& chrom, int64_t start, uint32_t width, uint64_t length) {
  const int64_t last_start = static_cast<int64_t>(length - width);
  const int64_t clamped = std::clamp<int64_t>(start, 0, last_start);
  return Region{chrom, static_cast<uint64_t>(clamped), static_cast<uint64_t>(clamped) + width};
}

uint64_t peak_centre(const BedRecord& peak) {
  const Region& r = peak.region;
  if (peak.peak >= 0 && static_cast<uint64_t>(peak.peak) < r.length()) return r.start + static_cast<uint64_t>(peak.peak);
  return r.start + r.length() / 2;
}

}  // namespace

Result<PeakWindows> peak_windows(std::span<const BedRecord> peaks, uint32_t width, const FastaIndex& genome) {
  if (width == 0) return invalid_argument("peak windows: width must be at least 1 bp");
  PeakWindows out;
  out.windows.reserve(peaks.size());
  for (const BedRecord& peak : peaks) {
    const FaiEntry* chrom = genome.find(peak.region.chrom);
    if (chrom == nullptr) return unknown_chromosome(peak.region, genome);
    if (chrom->length < width) {
      ++out.too_short_chromosome;
      continue;
    }
    const int64_t start = static_cast<int64_t>(peak_centre(peak)) - static_cast<int64_t>(width / 2);
    out.windows.push_back(placed_inside(chrom->name, start, width, chrom->length));
  }
  return out;
}

Result<std::vector<Region>> jitter_windows(std::span<const Region> windows, uint32_t max_shift, uint64_t seed,
                                           const FastaIndex& genome) {
  std::vector<Region> out;
  out.reserve(windows.size());
  const uint64_t choices = 2 * static_cast<uint64_t>(max_shift) + 1;
  for (const Region& window : windows) {
    const FaiEntry* chrom = genome.find(window.chrom);
    if (chrom == nullptr) return unknown_chromosome(window, genome);
    if (window.end > chrom->length) {
      return invalid_argument(format_region(window) + ": runs past the end of " + window.chrom + " (" +
                              with_thousands(chrom->length) + " bp)");
    }
    // One draw per window, keyed by its coordinates: CounterRng's counter is the hash.
    CounterRng rng(seed, /*stream=*/0x6a1773e5);
    rng.seek(stable_hash(split_key(window)));
    const int64_t shift = static_cast<int64_t>(rng.next_below(choices)) - static_cast<int64_t>(max_shift);
    const auto width = static_cast<uint32_t>(window.length());
    out.push_back(placed_inside(window.chrom, static_cast<int64_t>(window.start) + shift, width, chrom->length));
  }
  return out;
}

}  // namespace epibook
