// The shape checks every layer makes before touching memory, with messages that name
// the layer and both shapes ("Conv1d: input [8, 5, 100] has 5 channels, expected 4"),
// so a model wired wrongly fails with a sentence instead of reading out of bounds.
#pragma once

#include <string>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

namespace epibook::nn {

// A rank-3 [N, C, L] input with `channels` channels (any when channels < 0), N, L > 0.
Status expect_sequence(const std::string& layer, const Shape& input, int64_t channels = -1);
// A rank >= 2 input whose last axis has `features` entries.
Status expect_features(const std::string& layer, const Shape& input, int64_t features);
// backward() needs a forward() before it.
Status expect_backward_after_forward(const std::string& layer, const void* saved_input);
Status expect_gradient_shape(const std::string& layer, const Shape& gradient, const Shape& output);

}  // namespace epibook::nn
