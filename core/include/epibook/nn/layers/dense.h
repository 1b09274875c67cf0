// Dense (torch.nn.Linear): y = x W^T + b over the last axis, weight [out, in]; the head
// of most models, after Flatten or global pooling.
#pragma once

#include "epibook/nn/layer.h"

namespace epibook::nn {

class Dense final : public Layer {
 public:
  static Result<std::unique_ptr<Dense>> create(int64_t in_features, int64_t out_features, bool bias = true);

  std::string kind() const override { return "Linear"; }
  Result<Shape> output_shape(const Shape& input) const override;
  // Keeps a reference to `input` for backward.
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  std::vector<Parameter*> parameters() override;
  nlohmann::json describe() const override;
  void reset_parameters(uint64_t seed) override;

  Parameter& weight() { return weight_; }
  Parameter* bias() { return has_bias_ ? &bias_ : nullptr; }

 private:
  Dense(int64_t in_features, int64_t out_features, bool bias);

  int64_t in_features_;
  int64_t out_features_;
  bool has_bias_;
  Parameter weight_;
  Parameter bias_;
  const Tensor* input_ = nullptr;
};

}  // namespace epibook::nn
