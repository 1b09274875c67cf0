// The host implementations of the backend's plain data ops (fill, copy, Dropout's mask): what the CPU
// backend runs, and what layers and optimisers did themselves before these were ops.
#include <algorithm>

#include "epibook/nn/backend.h"
#include "epibook/random.h"

namespace epibook::nn {

void Backend::fill(Tensor& tensor, float value) { tensor.fill(value); }

void Backend::copy(const Tensor& input, Tensor& output) {
  if (&input != &output) output = input;
}

void Backend::copy_into(const Tensor& input, Tensor& output, int64_t offset) {
  std::copy(input.data(), input.data() + input.size(), output.data() + offset);
}

void Backend::dropout_mask(uint64_t seed, uint64_t position, double probability, float keep_scale, Tensor& mask) {
  const CounterRng rng(seed);
  for (int64_t i = 0; i < mask.size(); ++i) {
    const double draw = static_cast<double>(rng.at(position + static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
    mask[i] = draw >= probability ? keep_scale : 0.0f;
  }
}

}  // namespace epibook::nn
