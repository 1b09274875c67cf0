// Training-time augmentation of DNA windows, applied by the Trainer (train.h) to each
// training batch after its rows are gathered on the host: reverse complement (the other
// strand of the same window, which a double-stranded genome reads as well) and shift
// (the same window seen a few bases to the left or right). Never applied to validation
// or test rows, nor to anything predict / eval read, so a run's scores stay comparable
// with and without it. The streamed Loader (loader.h) has its own RC and jitter, drawn
// before the sequence is read; this is the in-memory path's (npy arrays, WindowDataset
// rows, the labs).
//
// What a row becomes:
// - reverse complement: the one-hot channels A, C, G, T (in that order) become T, G, C,
//   A and the length axis runs backwards; per-bin targets [tracks, bins] run backwards
//   along their bins; per-window targets (a label, a mean) do not change. Tracks are
//   taken as unstranded: a stranded pair (BPNet's + and - counts) would also swap, which
//   these data do not have.
// - shift by s bp (after the reverse complement, when both are drawn): base p of the
//   window moves to p + s; the |s| bases that enter from outside the window are
//   all-zero columns (what an N is with data.unknown_base = zeros), since a row in
//   memory holds nothing beyond its window. Per-bin targets move by s / w bins with the
//   sequence (w = window length / bins), so s is always a whole number of bins: a
//   fraction of a bin would leave each target over bases it was not measured on. Bins
//   entering from outside hold 0 (a sequence of Ns predicts background; the loss sees
//   at most max_shift / L of the bins so filled). Per-window targets keep their value,
//   and s may be any number of bp: keep max_shift well under the distance from a
//   window's feature (a peak summit) to its edge, or the feature can leave the window.
//
// Determinism: row r of epoch e draws from CounterRng(seed, stream + e).at(r), one
// 64-bit draw keyed by the row's index in the data, not by its place in a batch, so a
// row gets the same augmentation whatever the batch size, batch order, thread count,
// backend, or native / wasm build.
#pragma once

#include <cstdint>
#include <span>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

namespace epibook {

struct Augmentation {
  bool reverse_complement = false;  // each training row reverse-complemented with probability 1/2
  uint32_t max_shift = 0;           // bp; each row shifted by a whole number of target bins in [-max_shift, max_shift]
  bool active() const { return reverse_complement || max_shift > 0; }
};

// What one row gets in one epoch.
struct RowAugmentation {
  bool reverse = false;
  int64_t shift = 0;  // bp, a multiple of the step
  bool operator==(const RowAugmentation&) const = default;
};

// The shift step for rows of these shapes (the batch axis included, any count): the
// target bin width w for per-bin targets [n, T, bins], 1 for per-window targets [n, ...].
// Refuses, naming the key, inputs that are not one-hot DNA [n, 4, L], bins that do not
// tile the window, and a max_shift of less than one step or not under L.
Result<int64_t> augmentation_step(const Augmentation& augmentation, const nn::Shape& inputs, const nn::Shape& targets);

// Row `row`'s draw in `epoch`: RC with probability 1/2 (when on), the shift uniform over
// the multiples of `step` in [-max_shift, max_shift].
RowAugmentation draw_row_augmentation(const Augmentation& augmentation, uint64_t seed, uint32_t epoch, uint32_t row,
                                      int64_t step);

// Applies `a` to one row in place (no allocation): `input` [4, length], `target`
// [tracks, bins] when `per_bin` (the shift then moves it by shift / (length / bins)
// bins), else left alone.
void augment_row(const RowAugmentation& a, std::span<float> input, int64_t length, std::span<float> target,
                 int64_t tracks, bool per_bin);

// Every row of a gathered batch: inputs [n, 4, L] and targets [n, ...] of the data rows
// `rows` (in batch order), each by its own draw.
Status augment_batch(const Augmentation& augmentation, uint64_t seed, uint32_t epoch, std::span<const uint32_t> rows,
                     nn::Tensor& inputs, nn::Tensor& targets);

}  // namespace epibook
