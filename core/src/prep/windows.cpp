// Tiling regions into fixed-size windows, the samples of a dataset (epibook/prep.h).
#include <string>

#include "epibook/prep.h"

namespace epibook {

Result<WindowTail> parse_window_tail(std::string_view name) {
  if (name == "drop") return WindowTail::kDrop;
  if (name == "align-end") return WindowTail::kAlignToEnd;
  return invalid_argument("window tail '" + std::string(name) + "': expected drop or align-end");
}

const char* window_tail_name(WindowTail tail) { return tail == WindowTail::kDrop ? "drop" : "align-end"; }

Result<std::vector<Region>> tile_windows(std::span<const Region> regions, uint32_t width, uint32_t stride,
                                         WindowTail tail) {
  if (width == 0) return invalid_argument("window width must be at least 1 bp");
  if (stride == 0) return invalid_argument("window stride must be at least 1 bp");
  std::vector<Region> windows;
  for (const Region& region : regions) {
    if (region.end < region.start) {
      return invalid_argument(format_region(region) + ": end is before start");
    }
    if (region.length() < width) continue;
    uint64_t start = region.start;
    uint64_t last_end = region.start;
    for (; start + width <= region.end; start += stride) {
      windows.push_back(Region{region.chrom, start, start + width});
      last_end = start + width;
    }
    if (tail == WindowTail::kAlignToEnd && last_end < region.end) {
      windows.push_back(Region{region.chrom, region.end - width, region.end});
    }
  }
  return windows;
}

}  // namespace epibook
