// Conv1D: checks shapes and options, owns weight and bias, and hands the arithmetic to
// the backend (im2col + GEMM or the direct kernels on the CPU).
#include "epibook/nn/layers/conv1d.h"

#include <nlohmann/json.hpp>

#include "epibook/nn/init.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<Conv1D>> Conv1D::create(const Conv1DOptions& options) {
  if (options.in_channels <= 0 || options.out_channels <= 0 || options.kernel_size <= 0 || options.stride <= 0 ||
      options.dilation <= 0 || options.padding_size < 0) {
    return invalid_argument("Conv1d: channels, kernel size, stride and dilation must be positive (got in " +
                            std::to_string(options.in_channels) + ", out " + std::to_string(options.out_channels) +
                            ", kernel " + std::to_string(options.kernel_size) + ", stride " +
                            std::to_string(options.stride) + ", dilation " + std::to_string(options.dilation) + ")");
  }
  if (options.padding == Padding::kSame && options.stride != 1) {
    return invalid_argument("Conv1d: 'same' padding needs stride 1 (got stride " + std::to_string(options.stride) + ")");
  }
  Conv1dGeometry geometry{options.in_channels, options.out_channels, options.kernel_size, options.stride,
                          options.dilation, 0, 0};
  if (options.padding == Padding::kSame) {
    const int64_t total = options.dilation * (options.kernel_size - 1);
    geometry.padding_left = total / 2;
    geometry.padding_right = total - total / 2;
  } else if (options.padding == Padding::kSymmetric) {
    geometry.padding_left = geometry.padding_right = options.padding_size;
  }
  return std::unique_ptr<Conv1D>(new Conv1D(options, geometry));
}

Conv1D::Conv1D(const Conv1DOptions& options, const Conv1dGeometry& geometry)
    : options_(options), geometry_(geometry) {
  weight_.name = "weight";
  weight_.value.resize({options.out_channels, options.in_channels, options.kernel_size});
  weight_.grad.resize_zeroed(weight_.value.shape());
  if (options.bias) {
    bias_.name = "bias";
    bias_.value.resize({options.out_channels});
    bias_.grad.resize_zeroed(bias_.value.shape());
  }
  reset_parameters(0);
}

void Conv1D::reset_parameters(uint64_t seed) {
  const float bound = default_uniform_bound(options_.in_channels * options_.kernel_size);
  fill_uniform(weight_.value, bound, seed, weight_.name);
  if (options_.bias) fill_uniform(bias_.value, bound, seed, bias_.name);
}

Result<Shape> Conv1D::output_shape(const Shape& input) const {
  EPIBOOK_RETURN_IF_ERROR(expect_sequence(kind(), input, options_.in_channels));
  const int64_t length = geometry_.output_length(input[2]);
  if (length <= 0) {
    return invalid_argument(kind() + ": input length " + std::to_string(input[2]) +
                            " is shorter than the receptive field of " +
                            std::to_string(options_.dilation * (options_.kernel_size - 1) + 1) + " positions");
  }
  return Shape{input[0], options_.out_channels, length};
}

Status Conv1D::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_ = &input;
  backend().conv1d_forward(geometry_, input, weight_.value, options_.bias ? &bias_.value : nullptr, output);
  return Status::ok();
}

Status Conv1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_ASSIGN_OR_RETURN(const Shape expected, output_shape(input_->shape()));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), expected));
  Tensor* grad_weight = weight_.trainable ? &weight_.grad : nullptr;
  Tensor* grad_bias = options_.bias && bias_.trainable ? &bias_.grad : nullptr;
  backend().conv1d_backward(geometry_, *input_, weight_.value, grad_output, grad_input, grad_weight, grad_bias);
  return Status::ok();
}

std::vector<Parameter*> Conv1D::parameters() {
  if (options_.bias) return {&weight_, &bias_};
  return {&weight_};
}

nlohmann::json Conv1D::describe() const {
  nlohmann::json description = {{"kind", kind()},
                                {"in_channels", options_.in_channels},
                                {"out_channels", options_.out_channels},
                                {"kernel_size", options_.kernel_size},
                                {"stride", options_.stride},
                                {"dilation", options_.dilation},
                                {"bias", options_.bias}};
  if (options_.padding == Padding::kSame) {
    description["padding"] = "same";
  } else if (options_.padding == Padding::kValid) {
    description["padding"] = "valid";
  } else {
    description["padding"] = options_.padding_size;
  }
  return description;
}

}  // namespace epibook::nn
