// Dropout (torch.nn.Dropout): in training, zeroes each input with probability p and
// scales the rest by 1 / (1 - p); in eval, the identity. The mask comes from the
// counter-based RNG at a position that advances with every training forward, so a
// seeded run drops the same units on any thread count, in wasm, and after a resume
// from a checkpoint (the position is saved as a counter).
#pragma once

#include "epibook/nn/layer.h"

namespace epibook::nn {

class Dropout final : public Layer {
 public:
  static Result<std::unique_ptr<Dropout>> create(double probability);

  std::string kind() const override { return "Dropout"; }
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  std::vector<Counter*> counters() override { return {&position_}; }
  nlohmann::json describe() const override;
  // Sets the random stream (from the seed and this layer's name) and rewinds it.
  void reset_parameters(uint64_t seed) override;

  double probability() const { return probability_; }

 private:
  explicit Dropout(double probability);

  double probability_;
  uint64_t seed_ = 0;
  Counter position_;
  Tensor mask_;  // 0 or 1 / (1 - p) per element of the last training forward
  bool masked_ = false;
};

}  // namespace epibook::nn
