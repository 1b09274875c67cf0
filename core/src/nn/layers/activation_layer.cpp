// The forward and backward shared by ReLU, GELU, Softplus and Sigmoid: the backend
// applies the function and its derivative elementwise.
#include "epibook/nn/layers/activations.h"

#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<Shape> ActivationLayer::output_shape(const Shape& input) const {
  if (input.elements() == 0) return invalid_argument(kind() + ": input " + input.text() + " is empty");
  return input;
}

Status ActivationLayer::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_ = &input;
  backend().activation_forward(activation_, input, output);
  return Status::ok();
}

Status ActivationLayer::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), input_->shape()));
  if (grad_input != nullptr) backend().activation_backward(activation_, *input_, grad_output, *grad_input);
  return Status::ok();
}

}  // namespace epibook::nn
