// Gradient clipping by global norm: one exploding batch (a window on a repeat with
// huge coverage) must not throw the weights away. The squares are summed in double in
// eight fixed lanes per parameter (element i goes to lane i mod 8; lanes, then
// parameters, added in order): vector code with the same bits on every machine.
#include <cmath>

#include "epibook/nn/backend.h"
#include "epibook/nn/optimizer.h"

namespace epibook::nn {
namespace {

constexpr int kLanes = 8;

double sum_of_squares(const float* __restrict values, int64_t n) {
  double lanes[kLanes] = {};
  const int64_t whole = n / kLanes * kLanes;
  for (int64_t i = 0; i < whole; i += kLanes) {
    for (int lane = 0; lane < kLanes; ++lane) {
      const double g = values[i + lane];
      lanes[lane] += g * g;
    }
  }
  for (int64_t i = whole; i < n; ++i) {
    const double g = values[i];
    lanes[i - whole] += g * g;
  }
  double sum = 0.0;
  for (double lane : lanes) sum += lane;
  return sum;
}

void scale(float* __restrict values, int64_t n, float factor) {
  for (int64_t i = 0; i < n; ++i) values[i] *= factor;
}

}  // namespace

double clip_gradient_norm(const std::vector<Parameter*>& parameters, double max_norm) {
  double squares = 0.0;
  for (const Parameter* parameter : parameters) {
    if (parameter->trainable) squares += sum_of_squares(parameter->grad.data(), parameter->grad.size());
  }
  const double norm = std::sqrt(squares);
  const double factor = max_norm / (norm + 1e-6);
  if (factor < 1.0) {
    for (Parameter* parameter : parameters) {
      if (parameter->trainable) scale(parameter->grad.data(), parameter->grad.size(), static_cast<float>(factor));
    }
  }
  return norm;
}

void Optimizer::zero_grad() {
  for (Parameter* parameter : parameters_) {
    if (parameter->grad.shape() != parameter->value.shape()) parameter->grad.resize(parameter->value.shape());
    backend().fill(parameter->grad, 0.0f);
  }
}

Backend& Optimizer::backend() const { return backend_ != nullptr ? *backend_ : standalone_cpu_backend(); }

}  // namespace epibook::nn
