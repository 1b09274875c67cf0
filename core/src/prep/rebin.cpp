// Re-binning by mean: per-base values to bins, and one bin size to another (MACS2's
// 25 bp to a model's 32 bp) by overlap-weighted means, see epibook/prep.h.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "epibook/prep.h"

namespace epibook {
namespace {

constexpr float kNoData = std::numeric_limits<float>::quiet_NaN();

uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

// Number of output bins over `length` bases under the tail policy.
uint64_t output_bin_count(uint64_t length, uint32_t bin, BinTail tail) {
  return tail == BinTail::kDrop ? length / bin : ceil_div(length, bin);
}

}  // namespace

Result<std::vector<float>> bin_mean(std::span<const float> per_base, uint32_t bin_size, BinTail tail) {
  if (bin_size == 0) return invalid_argument("bin size must be at least 1 bp");
  const uint64_t bins = output_bin_count(per_base.size(), bin_size, tail);
  std::vector<float> out(bins);
  for (uint64_t b = 0; b < bins; ++b) {
    const uint64_t first = b * bin_size;
    const uint64_t last = std::min<uint64_t>(first + bin_size, per_base.size());
    double sum = 0;
    uint64_t count = 0;
    for (uint64_t i = first; i < last; ++i) {
      if (std::isnan(per_base[i])) continue;
      sum += per_base[i];
      ++count;
    }
    out[b] = count > 0 ? static_cast<float>(sum / static_cast<double>(count)) : kNoData;
  }
  return out;
}

Result<std::vector<float>> rebin_mean(const BinnedTrack& input, uint64_t out_start, uint64_t out_end,
                                      uint32_t output_bin, BinTail tail) {
  if (input.bin_size == 0 || output_bin == 0) return invalid_argument("bin size must be at least 1 bp");
  if (input.end < input.start) return invalid_argument("binned track ends before it starts");
  if (out_end < out_start) return invalid_argument("re-binned range ends before it starts");
  const uint64_t expected = ceil_div(input.end - input.start, input.bin_size);
  if (input.values.size() != expected) {
    return invalid_argument("binned track over " + with_thousands(input.end - input.start) + " bp in " +
                            std::to_string(input.bin_size) + " bp bins needs " + with_thousands(expected) +
                            " values, has " + with_thousands(input.values.size()));
  }
  const uint64_t bins = output_bin_count(out_end - out_start, output_bin, tail);
  std::vector<float> out(bins);
  for (uint64_t b = 0; b < bins; ++b) {
    const uint64_t lo = out_start + b * output_bin;
    const uint64_t hi = std::min<uint64_t>(lo + output_bin, out_end);
    // Input bins overlapping [lo, hi), clamped to the input's span.
    const uint64_t from = std::max(lo, input.start);
    const uint64_t to = std::min(hi, input.end);
    double sum = 0;
    uint64_t weight = 0;
    if (from < to) {
      const uint64_t first = (from - input.start) / input.bin_size;
      const uint64_t last = (to - 1 - input.start) / input.bin_size;
      for (uint64_t i = first; i <= last; ++i) {
        const float v = input.values[i];
        if (std::isnan(v)) continue;
        const uint64_t bin_lo = input.start + i * input.bin_size;
        const uint64_t bin_hi = std::min<uint64_t>(bin_lo + input.bin_size, input.end);
        const uint64_t shared = std::min(hi, bin_hi) - std::max(lo, bin_lo);
        sum += static_cast<double>(shared) * v;
        weight += shared;
      }
    }
    out[b] = weight > 0 ? static_cast<float>(sum / static_cast<double>(weight)) : kNoData;
  }
  return out;
}

Result<std::vector<float>> rebin_mean(std::span<const float> binned, uint32_t input_bin, uint32_t output_bin,
                                      BinTail tail) {
  if (input_bin == 0 || output_bin == 0) return invalid_argument("bin size must be at least 1 bp");
  BinnedTrack track;
  track.bin_size = input_bin;
  track.end = static_cast<uint64_t>(binned.size()) * input_bin;
  track.values = binned;
  return rebin_mean(track, 0, track.end, output_bin, tail);
}

}  // namespace epibook
