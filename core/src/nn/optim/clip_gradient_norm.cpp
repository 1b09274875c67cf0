// Gradient clipping by global norm: one exploding batch (a window on a repeat with
// huge coverage) must not throw the weights away. Norm in double, parameter order.
#include <cmath>

#include "epibook/nn/optimizer.h"

namespace epibook::nn {

double clip_gradient_norm(const std::vector<Parameter*>& parameters, double max_norm) {
  double squares = 0.0;
  for (const Parameter* parameter : parameters) {
    if (!parameter->trainable) continue;
    for (int64_t i = 0; i < parameter->grad.size(); ++i) {
      const double g = parameter->grad[i];
      squares += g * g;
    }
  }
  const double norm = std::sqrt(squares);
  const double scale = max_norm / (norm + 1e-6);
  if (scale < 1.0) {
    const auto factor = static_cast<float>(scale);
    for (Parameter* parameter : parameters) {
      if (!parameter->trainable) continue;
      for (int64_t i = 0; i < parameter->grad.size(); ++i) parameter->grad[i] *= factor;
    }
  }
  return norm;
}

}  // namespace epibook::nn
