// Finite-difference gradient checks for nn layers and models, shared by the nn unit
// tests: the analytic gradient from backward() must match central differences of the
// scalar loss sum(upstream * forward(x)), taken in double, for the input and for every
// parameter. Counters (Dropout's stream position) are rewound before each forward so
// every evaluation sees the same random mask.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "epibook/nn/layer.h"
#include "epibook/random.h"

namespace epibook::nn::testing {

// Whether two tensors hold the same values, bit for bit (shapes aside).
// (std::equal, not std::ranges::equal: emscripten 3.1.6's libc++ lacks the latter.)
inline bool same_values(const Tensor& a, const Tensor& b) {
  const auto x = a.values();
  const auto y = b.values();
  return std::equal(x.begin(), x.end(), y.begin(), y.end());
}

// Sum of a tensor's values, in double.
inline double sum_of(const Tensor& t) {
  double total = 0.0;
  for (float v : t.values()) total += v;
  return total;
}

// Uniform values in [low, high) from the counter-based RNG; far from zero when
// `min_magnitude` > 0 (keeps ReLU and max-pooling away from their kinks).
inline Tensor random_tensor(const Shape& shape, uint64_t seed, float low = -1.0f, float high = 1.0f,
                            float min_magnitude = 0.0f) {
  Tensor tensor(shape);
  CounterRng rng(seed);
  for (int64_t i = 0; i < tensor.size(); ++i) {
    float value = 0.0f;
    do {
      value = static_cast<float>(low + (high - low) * rng.next_double());
    } while (std::fabs(value) < min_magnitude);
    tensor[i] = value;
  }
  return tensor;
}

struct GradientCheckOptions {
  double step = 1e-3;              // central-difference step
  double relative_tolerance = 2e-2;
  double absolute_tolerance = 2e-3;
  int max_entries = 40;            // checked entries per tensor (spread evenly)
};

// The checks: d loss / d input and d loss / d parameter, loss = sum(upstream * f(x)).
inline void expect_gradients_match(Layer& layer, const Tensor& input, uint64_t seed,
                                   const GradientCheckOptions& options = {}) {
  std::vector<uint64_t> counters;
  for (Counter* counter : layer.counters()) counters.push_back(counter->value);
  auto rewind = [&] {
    std::vector<Counter*> all = layer.counters();
    for (size_t i = 0; i < all.size(); ++i) all[i]->value = counters[i];
  };
  Tensor output;
  rewind();
  ASSERT_TRUE(layer.forward(input, output).is_ok());
  const Tensor upstream = random_tensor(output.shape(), seed ^ 0x5eedULL);
  auto loss_at = [&](const Tensor& x) {
    Tensor y;
    rewind();
    Status status = layer.forward(x, y);
    EXPECT_TRUE(status.is_ok()) << status.message();
    double loss = 0.0;
    for (int64_t i = 0; i < y.size(); ++i) loss += static_cast<double>(upstream[i]) * y[i];
    return loss;
  };

  layer.zero_grad();
  Tensor grad_input;
  rewind();
  ASSERT_TRUE(layer.forward(input, output).is_ok());
  Status backward = layer.backward(upstream, &grad_input);
  ASSERT_TRUE(backward.is_ok()) << backward.message();
  ASSERT_EQ(grad_input.shape(), input.shape());

  auto compare = [&](const std::string& what, Tensor& values, const Tensor& analytic, const Tensor& x) {
    const int64_t stride = std::max<int64_t>(1, values.size() / options.max_entries);
    for (int64_t i = 0; i < values.size(); i += stride) {
      const float saved = values[i];
      values[i] = static_cast<float>(saved + options.step);
      const double plus = loss_at(x);
      values[i] = static_cast<float>(saved - options.step);
      const double minus = loss_at(x);
      values[i] = saved;
      const double numeric = (plus - minus) / (2.0 * options.step);
      const double tolerance = options.absolute_tolerance + options.relative_tolerance * std::fabs(numeric);
      EXPECT_NEAR(analytic[i], numeric, tolerance) << what << " entry " << i;
    }
  };
  Tensor x = input;
  compare("input", x, grad_input, x);
  for (Parameter* parameter : layer.parameters()) {
    const Tensor analytic = parameter->grad;
    compare(parameter->name, parameter->value, analytic, input);
  }
}

}  // namespace epibook::nn::testing
