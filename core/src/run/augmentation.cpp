// Reverse complement and shift of training rows (augmentation.h): the draws, the checks
// of the shapes they apply to, and the in-place moves of one row's sequence and targets.
#include "epibook/augmentation.h"

#include <algorithm>
#include <string>

#include "epibook/random.h"

namespace epibook {
namespace {

// Distinct from the batch order's stream (trainer.cpp) and the model's initialisation.
constexpr uint64_t kAugmentationStream = 0xa06e0000ULL;

bool per_bin_targets(const nn::Shape& targets) { return targets.rank() == 3; }

// Moves `values` by `shift` places along their length (positive: to higher indices),
// zero-filling the places left behind.
void shift_in_place(std::span<float> values, int64_t shift) {
  const auto n = static_cast<int64_t>(values.size());
  if (shift == 0) return;
  if (shift >= n || -shift >= n) {
    std::fill(values.begin(), values.end(), 0.0f);
  } else if (shift > 0) {
    std::copy_backward(values.begin(), values.end() - shift, values.end());
    std::fill(values.begin(), values.begin() + shift, 0.0f);
  } else {
    std::copy(values.begin() - shift, values.end(), values.begin());
    std::fill(values.end() + shift, values.end(), 0.0f);
  }
}

}  // namespace

Result<int64_t> augmentation_step(const Augmentation& a, const nn::Shape& inputs, const nn::Shape& targets) {
  if (!a.active()) return int64_t{1};
  if (inputs.rank() != 3 || inputs[1] != 4) {
    return invalid_argument("augment: reverse_complement and max_shift need one-hot DNA inputs [N, 4, L]; these are " +
                            inputs.text());
  }
  const int64_t length = inputs[2];
  int64_t step = 1;
  if (per_bin_targets(targets)) {
    const int64_t bins = targets[2];
    if (bins <= 0 || length % bins != 0) {
      return invalid_argument("augment: the targets' " + std::to_string(bins) + " bins do not tile the " +
                              std::to_string(length) + " bp window " + inputs.text() + ", so they cannot move with it");
    }
    step = length / bins;
  }
  if (a.max_shift > 0) {
    if (a.max_shift < step) {
      return invalid_argument("augment.max_shift " + std::to_string(a.max_shift) + " bp is less than one target bin (" +
                              std::to_string(step) + " bp): shifts move sequence and targets by whole bins");
    }
    if (a.max_shift >= length) {
      return invalid_argument("augment.max_shift " + std::to_string(a.max_shift) + " bp is not under the window's " +
                              std::to_string(length) + " bp");
    }
  }
  return step;
}

RowAugmentation draw_row_augmentation(const Augmentation& a, uint64_t seed, uint32_t epoch, uint32_t row,
                                      int64_t step) {
  const uint64_t draw = CounterRng(seed, kAugmentationStream + epoch).at(row);
  RowAugmentation out;
  out.reverse = a.reverse_complement && (draw >> 63) != 0;
  const uint64_t steps = step > 0 ? a.max_shift / static_cast<uint64_t>(step) : 0;
  if (steps > 0) {
    // The low 32 bits pick one of 2k + 1 shifts (multiply-shift; bias under 2^-25 for k < 128).
    const uint64_t choice = ((draw & 0xffffffffULL) * (2 * steps + 1)) >> 32;
    out.shift = (static_cast<int64_t>(choice) - static_cast<int64_t>(steps)) * step;
  }
  return out;
}

void augment_row(const RowAugmentation& a, std::span<float> input, int64_t length, std::span<float> target,
                 int64_t tracks, bool per_bin) {
  const auto channel = [&](int c) { return input.subspan(static_cast<size_t>(c * length), static_cast<size_t>(length)); };
  if (a.reverse) {
    for (int c = 0; c < 4; ++c) std::reverse(channel(c).begin(), channel(c).end());
    std::swap_ranges(channel(0).begin(), channel(0).end(), channel(3).begin());  // A <-> T
    std::swap_ranges(channel(1).begin(), channel(1).end(), channel(2).begin());  // C <-> G
  }
  for (int c = 0; c < 4; ++c) shift_in_place(channel(c), a.shift);
  if (!per_bin || tracks <= 0) return;
  const auto bins = static_cast<int64_t>(target.size()) / tracks;
  const int64_t bin_shift = bins > 0 ? a.shift / (length / bins) : 0;
  for (int64_t t = 0; t < tracks; ++t) {
    const std::span<float> track = target.subspan(static_cast<size_t>(t * bins), static_cast<size_t>(bins));
    if (a.reverse) std::reverse(track.begin(), track.end());
    shift_in_place(track, bin_shift);
  }
}

Status augment_batch(const Augmentation& a, uint64_t seed, uint32_t epoch, std::span<const uint32_t> rows,
                     nn::Tensor& inputs, nn::Tensor& targets) {
  if (!a.active()) return Status::ok();
  EPIBOOK_ASSIGN_OR_RETURN(const int64_t step, augmentation_step(a, inputs.shape(), targets.shape()));
  const auto n = static_cast<int64_t>(rows.size());
  if (inputs.dim(0) != n || targets.size() % std::max<int64_t>(1, n) != 0) {
    return invalid_argument("augment: a batch of " + std::to_string(n) + " rows has inputs " + inputs.shape().text() +
                            " and targets " + targets.shape().text());
  }
  const int64_t length = inputs.dim(2);
  const int64_t input_row = 4 * length;
  const int64_t target_row = n > 0 ? targets.size() / n : 0;
  const bool per_bin = per_bin_targets(targets.shape());
  const int64_t tracks = per_bin ? targets.dim(1) : 0;
  for (int64_t i = 0; i < n; ++i) {
    const RowAugmentation draw = draw_row_augmentation(a, seed, epoch, rows[static_cast<size_t>(i)], step);
    augment_row(draw, inputs.values().subspan(static_cast<size_t>(i * input_row), static_cast<size_t>(input_row)), length,
                targets.values().subspan(static_cast<size_t>(i * target_row), static_cast<size_t>(target_row)), tracks,
                per_bin);
  }
  return Status::ok();
}

}  // namespace epibook
