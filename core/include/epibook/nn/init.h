// Initial parameter values drawn from epibook's counter-based RNG, with the bounds
// PyTorch uses by default, so a fresh epibook model is distributed like a fresh
// PyTorch one (the draws themselves differ; load weights to get equal models).
#pragma once

#include <cstdint>
#include <string_view>

#include "epibook/nn/tensor.h"

namespace epibook::nn {

// Fills `tensor` with U(-bound, bound); the stream is a hash of `stream_name` (the
// parameter's name), so the values depend only on (seed, name, index).
void fill_uniform(Tensor& tensor, float bound, uint64_t seed, std::string_view stream_name);

// PyTorch's default for Conv1d and Linear (kaiming_uniform_ with a = sqrt(5) for the
// weight, and the same bound for the bias): bound = 1 / sqrt(fan_in).
float default_uniform_bound(int64_t fan_in);

}  // namespace epibook::nn
