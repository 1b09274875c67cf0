// BatchNorm1d (torch.nn.BatchNorm1d): per-channel normalisation of [N, C, L] or [N, C].
// Training normalises with the batch's mean and biased variance and updates running
// statistics (momentum 0.1, unbiased variance, as PyTorch); eval uses the running ones.
#pragma once

#include <vector>

#include "epibook/nn/layer.h"

namespace epibook::nn {

class BatchNorm1D final : public Layer {
 public:
  static Result<std::unique_ptr<BatchNorm1D>> create(int64_t channels, double eps = 1e-5, double momentum = 0.1);

  std::string kind() const override { return "BatchNorm1d"; }
  Result<Shape> output_shape(const Shape& input) const override;
  // Keeps a reference to `input` for backward.
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  std::vector<Parameter*> parameters() override { return {&scale_, &shift_}; }
  std::vector<Buffer*> buffers() override { return {&running_mean_, &running_var_}; }
  std::vector<Counter*> counters() override { return {&batches_tracked_}; }
  nlohmann::json describe() const override;
  // Scale 1, shift 0, running mean 0, running variance 1 (PyTorch's reset).
  void reset_parameters(uint64_t seed) override;

 private:
  BatchNorm1D(int64_t channels, double eps, double momentum);

  int64_t channels_;
  double eps_;
  double momentum_;
  Parameter scale_;  // PyTorch's "weight"
  Parameter shift_;  // PyTorch's "bias"
  Buffer running_mean_;
  Buffer running_var_;
  Counter batches_tracked_;
  const Tensor* input_ = nullptr;
  Tensor mean_;         // used by the last forward, per channel
  Tensor inverse_std_;  // 1 / sqrt(var + eps) of the last forward
  bool batch_statistics_ = false;   // the last forward normalised with batch statistics
};

}  // namespace epibook::nn
