// The host implementations of the backend's plain data ops (fill, copy): what the CPU
// backend runs, and what layers and optimisers did themselves before these were ops.
#include <algorithm>

#include "epibook/nn/backend.h"

namespace epibook::nn {

void Backend::fill(Tensor& tensor, float value) { tensor.fill(value); }

void Backend::copy(const Tensor& input, Tensor& output) {
  if (&input != &output) output = input;
}

void Backend::copy_into(const Tensor& input, Tensor& output, int64_t offset) {
  std::copy(input.data(), input.data() + input.size(), output.data() + offset);
}

}  // namespace epibook::nn
