// Shape checks shared by the layers (see shape_checks.h).
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Status expect_sequence(const std::string& layer, const Shape& input, int64_t channels) {
  if (input.rank() != 3) {
    return invalid_argument(layer + ": input " + input.text() + " must be [batch, channels, length]");
  }
  if (input[0] <= 0 || input[2] <= 0) return invalid_argument(layer + ": input " + input.text() + " is empty");
  if (channels >= 0 && input[1] != channels) {
    return invalid_argument(layer + ": input " + input.text() + " has " + std::to_string(input[1]) +
                            " channels, expected " + std::to_string(channels));
  }
  return Status::ok();
}

Status expect_features(const std::string& layer, const Shape& input, int64_t features) {
  if (input.rank() < 2 || input[input.rank() - 1] != features) {
    return invalid_argument(layer + ": input " + input.text() + " must end in " + std::to_string(features) +
                            " features");
  }
  if (input.elements() == 0) return invalid_argument(layer + ": input " + input.text() + " is empty");
  return Status::ok();
}

Status expect_backward_after_forward(const std::string& layer, const void* saved_input) {
  if (saved_input == nullptr) return invalid_argument(layer + ": backward called before forward");
  return Status::ok();
}

Status expect_gradient_shape(const std::string& layer, const Shape& gradient, const Shape& output) {
  if (gradient != output) {
    return invalid_argument(layer + ": output gradient " + gradient.text() + " does not match the output " +
                            output.text());
  }
  return Status::ok();
}

}  // namespace epibook::nn
