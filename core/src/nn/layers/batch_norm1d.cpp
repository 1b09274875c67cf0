// BatchNorm1D: statistics and the backward reduction here, the per-element affine map
// in the backend. Sums run in double in a fixed order (channel, sample, position).
#include <cmath>

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
  const size_t channels = static_cast<size_t>(channels_);
  mean_.resize(channels);
  inverse_std_.resize(channels);
  const int64_t count = input.dim(0) * positions_per_channel(input.shape());
  batch_statistics_ = training();
  if (batch_statistics_ && count < 2) {
    return invalid_argument(kind() + ": training needs more than one value per channel (input " +
                            input.shape().text() + ")");
  }
  if (batch_statistics_) {
    std::vector<double> mean;
    std::vector<double> variance;
    backend().channel_moments(input, mean, variance);
    const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
    for (size_t c = 0; c < channels; ++c) {
      mean_[c] = static_cast<float>(mean[c]);
      inverse_std_[c] = static_cast<float>(1.0 / std::sqrt(variance[c] + eps_));
      const auto ci = static_cast<int64_t>(c);
      running_mean_.value[ci] =
          static_cast<float>((1.0 - momentum_) * running_mean_.value[ci] + momentum_ * mean[c]);
      running_var_.value[ci] =
          static_cast<float>((1.0 - momentum_) * running_var_.value[ci] + momentum_ * variance[c] * unbiased);
    }
    ++batches_tracked_.value;
  } else {
    for (size_t c = 0; c < channels; ++c) {
      const auto ci = static_cast<int64_t>(c);
      mean_[c] = running_mean_.value[ci];
      inverse_std_[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var_.value[ci]) + eps_));
    }
  }
  backend().channel_normalize(input, mean_, inverse_std_, scale_.value, shift_.value, output);
  return Status::ok();
}

Status BatchNorm1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), input_->shape()));
  const Tensor& x = *input_;
  const int64_t batch = x.dim(0);
  const int64_t length = positions_per_channel(x.shape());
  const double count = static_cast<double>(batch * length);
  if (grad_input != nullptr) grad_input->resize(x.shape());
  for (int64_t c = 0; c < channels_; ++c) {
    const double mean = mean_[static_cast<size_t>(c)];
    const double inverse_std = inverse_std_[static_cast<size_t>(c)];
    // Sums of dy and of dy * x_hat over the channel.
    double sum_dy = 0.0;
    double sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels_ + c) * length;
      for (int64_t l = 0; l < length; ++l) {
        sum_dy += grad_output[base + l];
        sum_dy_xhat += grad_output[base + l] * (x[base + l] - mean) * inverse_std;
      }
    }
    if (scale_.trainable) scale_.grad[c] += static_cast<float>(sum_dy_xhat);
    if (shift_.trainable) shift_.grad[c] += static_cast<float>(sum_dy);
    if (grad_input == nullptr) continue;
    const double gamma = scale_.value[c];
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels_ + c) * length;
      for (int64_t l = 0; l < length; ++l) {
        double dx = grad_output[base + l];
        if (batch_statistics_) {
          const double x_hat = (x[base + l] - mean) * inverse_std;
          dx -= (sum_dy + x_hat * sum_dy_xhat) / count;
        }
        (*grad_input)[base + l] = static_cast<float>(dx * gamma * inverse_std);
      }
    }
  }
  return Status::ok();
}

nlohmann::json BatchNorm1D::describe() const {
  return {{"kind", kind()}, {"num_features", channels_}, {"eps", eps_}, {"momentum", momentum_}};
}

}  // namespace epibook::nn
