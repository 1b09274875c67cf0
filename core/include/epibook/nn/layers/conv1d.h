// Conv1D: the motif scanner of every genomics CNN, as torch.nn.Conv1d (weight
// [out, in, kernel], bias [out], Kaiming-uniform initialisation), so trained weights
// load into PyTorch unchanged. Input [N, C_in, L] -> output [N, C_out, L_out].
#pragma once

#include <cstdint>

#include "epibook/nn/backend.h"
#include "epibook/nn/layer.h"

namespace epibook::nn {

enum class Padding {
  kValid,      // no padding: L_out = (L - dilation * (K - 1) - 1) / stride + 1
  kSame,       // L_out = L (stride 1 only, as PyTorch); an odd total pads one more on the right
  kSymmetric,  // `padding` zeros on each side (PyTorch's padding=int)
};

struct Conv1DOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  int64_t kernel_size = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  Padding padding = Padding::kValid;
  int64_t padding_size = 0;  // for Padding::kSymmetric
  bool bias = true;
};

class Conv1D final : public Layer {
 public:
  // Fails on non-positive sizes, and on "same" padding with a stride above 1.
  static Result<std::unique_ptr<Conv1D>> create(const Conv1DOptions& options);

  std::string kind() const override { return "Conv1d"; }
  Result<Shape> output_shape(const Shape& input) const override;
  // Keeps a reference to `input` for backward: it must stay alive and unchanged until then.
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  std::vector<Parameter*> parameters() override;
  nlohmann::json describe() const override;
  void reset_parameters(uint64_t seed) override;

  const Conv1DOptions& options() const { return options_; }
  const Conv1dGeometry& geometry() const { return geometry_; }
  Parameter& weight() { return weight_; }
  Parameter* bias() { return options_.bias ? &bias_ : nullptr; }

 private:
  Conv1D(const Conv1DOptions& options, const Conv1dGeometry& geometry);

  Conv1DOptions options_;
  Conv1dGeometry geometry_;
  Parameter weight_;
  Parameter bias_;
  const Tensor* input_ = nullptr;
};

}  // namespace epibook::nn
