// Pooling over the length axis of [N, C, L]: MaxPool1d and AvgPool1d as PyTorch's
// (padding 0, floor of the last partial window), and a global average that turns a
// sequence into one value per channel for a head.
#pragma once

#include <vector>

#include "epibook/nn/backend.h"
#include "epibook/nn/layer.h"

namespace epibook::nn {

class MaxPool1D final : public Layer {
 public:
  // stride 0 means stride = kernel_size (PyTorch's default).
  static Result<std::unique_ptr<MaxPool1D>> create(int64_t kernel_size, int64_t stride = 0);
  std::string kind() const override { return "MaxPool1d"; }
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  nlohmann::json describe() const override;

 private:
  explicit MaxPool1D(const Pool1dGeometry& geometry) : geometry_(geometry) {}
  Pool1dGeometry geometry_;
  Shape input_shape_;
  PoolIndices argmax_;
};

class AvgPool1D final : public Layer {
 public:
  static Result<std::unique_ptr<AvgPool1D>> create(int64_t kernel_size, int64_t stride = 0);
  std::string kind() const override { return "AvgPool1d"; }
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  nlohmann::json describe() const override;

 private:
  explicit AvgPool1D(const Pool1dGeometry& geometry) : geometry_(geometry) {}
  Pool1dGeometry geometry_;
  Shape input_shape_;
};

// [N, C, L] -> [N, C]: the mean over the whole length (PyTorch: AdaptiveAvgPool1d(1)
// followed by Flatten).
class GlobalAvgPool1D final : public Layer {
 public:
  std::string kind() const override { return "GlobalAvgPool1d"; }
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  Shape input_shape_;
};

// [N, d1, d2, ...] -> [N, d1 * d2 * ...] (torch.nn.Flatten()).
class Flatten final : public Layer {
 public:
  std::string kind() const override { return "Flatten"; }
  Result<Shape> output_shape(const Shape& input) const override;
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  Shape input_shape_;
};

}  // namespace epibook::nn
