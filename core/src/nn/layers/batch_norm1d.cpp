// BatchNorm1D: shapes, mode and the batch counter here; statistics, running averages,
// normalisation and backward are backend ops (the CPU's sum in double in a fixed order:
// channel, sample, position).
#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/nn/layers/batch_norm.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {
namespace {

int64_t positions_per_channel(const Shape& shape) { return shape.rank() == 3 ? shape[2] : 1; }

}  // namespace

Result<std::unique_ptr<BatchNorm1D>> BatchNorm1D::create(int64_t channels, double eps, double momentum) {
  if (channels <= 0 || !(eps > 0.0) || !(momentum >= 0.0 && momentum <= 1.0)) {
    return invalid_argument("BatchNorm1d: channels must be positive, eps positive and momentum in [0, 1] (got " +
                            std::to_string(channels) + ", " + std::to_string(eps) + ", " + std::to_string(momentum) +
                            ")");
  }
  return std::unique_ptr<BatchNorm1D>(new BatchNorm1D(channels, eps, momentum));
}

BatchNorm1D::BatchNorm1D(int64_t channels, double eps, double momentum)
    : channels_(channels), eps_(eps), momentum_(momentum) {
  scale_.name = "weight";
  shift_.name = "bias";
  running_mean_.name = "running_mean";
  running_var_.name = "running_var";
  batches_tracked_.name = "num_batches_tracked";
  for (Parameter* parameter : {&scale_, &shift_}) {
    parameter->value.resize({channels});
    parameter->grad.resize_zeroed({channels});
  }
  running_mean_.value.resize({channels});
  running_var_.value.resize({channels});
  reset_parameters(0);
}

void BatchNorm1D::reset_parameters(uint64_t seed) {
  scale_.value.fill(1.0f);
  shift_.value.fill(0.0f);
  running_mean_.value.fill(0.0f);
  running_var_.value.fill(1.0f);
  batches_tracked_.value = 0;
}

Result<Shape> BatchNorm1D::output_shape(const Shape& input) const {
  if (input.rank() == 2) {
    if (input[1] != channels_ || input[0] <= 0) {
      return invalid_argument(kind() + ": input " + input.text() + " must be [batch, " + std::to_string(channels_) +
                              "]");
    }
    return input;
  }
  EPIBOOK_RETURN_IF_ERROR(expect_sequence(kind(), input, channels_));
  return input;
}

Status BatchNorm1D::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_ = &input;
  const int64_t count = input.dim(0) * positions_per_channel(input.shape());
  batch_statistics_ = training();
  if (batch_statistics_ && count < 2) {
    return invalid_argument(kind() + ": training needs more than one value per channel (input " +
                            input.shape().text() + ")");
  }
  BatchNormStep step;
  step.training = batch_statistics_;
  step.eps = eps_;
  step.momentum = momentum_;
  backend().batch_norm_forward(step, input, scale_.value, shift_.value, running_mean_.value, running_var_.value, mean_,
                               inverse_std_, output);
  if (batch_statistics_) ++batches_tracked_.value;
  return Status::ok();
}

Status BatchNorm1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), input_->shape()));
  backend().batch_norm_backward(batch_statistics_, *input_, grad_output, scale_.value, mean_, inverse_std_, grad_input,
                                scale_.trainable ? &scale_.grad : nullptr, shift_.trainable ? &shift_.grad : nullptr);
  return Status::ok();
}

nlohmann::json BatchNorm1D::describe() const {
  return {{"kind", kind()}, {"num_features", channels_}, {"eps", eps_}, {"momentum", momentum_}};
}

}  // namespace epibook::nn
