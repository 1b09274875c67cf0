// Elementwise nonlinearities as layers (torch.nn.ReLU, GELU, Softplus, Sigmoid): no
// parameters, any input shape, output shape = input shape.
#pragma once

#include "epibook/nn/backend.h"
#include "epibook/nn/layer.h"

namespace epibook::nn {

// The shared machinery: forward keeps a reference to the input, backward multiplies by
// the derivative at it. Each concrete layer names its function.
class ActivationLayer : public Layer {
 public:
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  Activation activation() const { return activation_; }

 protected:
  explicit ActivationLayer(Activation activation) : activation_(activation) {}

 private:
  Activation activation_;
  const Tensor* input_ = nullptr;
};

class ReLU final : public ActivationLayer {
 public:
  ReLU() : ActivationLayer(Activation::kRelu) {}
  std::string kind() const override { return "ReLU"; }
};

// GELU in PyTorch's default (exact, erf) form, or its tanh approximation.
class GELU final : public ActivationLayer {
 public:
  explicit GELU(bool tanh_approximation = false)
      : ActivationLayer(tanh_approximation ? Activation::kGeluTanh : Activation::kGeluErf) {}
  std::string kind() const override { return "GELU"; }
  nlohmann::json describe() const override;
};

// log(1 + e^x), linear above x = 20 as PyTorch (beta 1, threshold 20).
class Softplus final : public ActivationLayer {
 public:
  Softplus() : ActivationLayer(Activation::kSoftplus) {}
  std::string kind() const override { return "Softplus"; }
};

class Sigmoid final : public ActivationLayer {
 public:
  Sigmoid() : ActivationLayer(Activation::kSigmoid) {}
  std::string kind() const override { return "Sigmoid"; }
};

}  // namespace epibook::nn
