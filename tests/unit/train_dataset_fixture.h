// A small dataset with a known answer for the training tests (unit, golden, CLI):
// random DNA, one-hot [N, 4, L], where a row's label is 1 when the motif GATAAG was
// planted in it. Written as the npy files a run reads (inputs, targets, split).
#pragma once

#include <string>
#include <vector>

#include "epibook/npy.h"
#include "epibook/random.h"

namespace epibook::testing {

struct MotifDataset {
  std::vector<float> inputs;   // [rows, 4, length]
  std::vector<float> labels;   // [rows, 1]
  std::vector<int8_t> split;   // every fifth row validation
};

inline MotifDataset make_motif_dataset(uint64_t rows, uint64_t length, uint64_t seed) {
  static constexpr char kMotif[] = "GATAAG";
  static constexpr char kBases[] = "ACGT";
  MotifDataset d;
  d.inputs.assign(rows * 4 * length, 0.0f);
  CounterRng rng(seed);
  for (uint64_t r = 0; r < rows; ++r) {
    std::string sequence(length, 'A');
    for (char& base : sequence) base = kBases[rng.next_below(4)];
    const bool planted = rng.next_below(2) == 1;
    if (planted) sequence.replace(rng.next_below(length - 6), 6, kMotif);
    for (uint64_t i = 0; i < length; ++i) {
      const uint64_t channel = static_cast<uint64_t>(std::string_view(kBases).find(sequence[i]));
      d.inputs[(r * 4 + channel) * length + i] = 1.0f;
    }
    d.labels.push_back(planted ? 1.0f : 0.0f);
    d.split.push_back(r % 5 == 4 ? 1 : 0);
  }
  return d;
}

// Writes inputs.npy, targets.npy and split.npy into `dir`; false when a write fails.
inline bool write_motif_dataset(const std::string& dir, uint64_t rows, uint64_t length, uint64_t seed) {
  const MotifDataset d = make_motif_dataset(rows, length, seed);
  const std::vector<uint64_t> input_shape{rows, 4, length}, label_shape{rows, 1}, split_shape{rows};
  return write_npy(dir + "/inputs.npy", d.inputs, input_shape).is_ok() &&
         write_npy(dir + "/targets.npy", d.labels, label_shape).is_ok() &&
         write_npy(dir + "/split.npy", d.split, split_shape).is_ok();
}

}  // namespace epibook::testing
