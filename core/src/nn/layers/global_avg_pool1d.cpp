// GlobalAvgPool1D: average pooling with one window as long as the input, then the
// length axis dropped; the usual bridge from a convolutional trunk to a dense head.
#include "epibook/nn/layers/pooling.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {
namespace {

// The name for the shape checks, made once: kind() builds a std::string per call, and
// "GlobalAvgPool1d" is longer than wasm32 libc++'s short-string buffer (10 chars), so
// checking by kind() allocated in every training step there.
const std::string& layer_name() {
  static const std::string name = "GlobalAvgPool1d";
  return name;
}

}  // namespace

Result<Shape> GlobalAvgPool1D::output_shape(const Shape& input) const {
  EPIBOOK_RETURN_IF_ERROR(expect_sequence(layer_name(), input));
  return Shape{input[0], input[1]};
}

Status GlobalAvgPool1D::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_ASSIGN_OR_RETURN(const Shape shape, output_shape(input.shape()));
  input_shape_ = input.shape();
  backend().avg_pool1d_forward(Pool1dGeometry{input.dim(2), input.dim(2)}, input, output);
  output.reshape(shape);
  return Status::ok();
}

Status GlobalAvgPool1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (input_shape_.rank() == 0) return invalid_argument(kind() + ": backward called before forward");
  EPIBOOK_ASSIGN_OR_RETURN(const Shape expected, output_shape(input_shape_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(layer_name(), grad_output.shape(), expected));
  if (grad_input == nullptr) return Status::ok();
  // The backend reads the [N, C] gradient as [N, C, 1]: the same elements, no copy.
  grad_input->resize(input_shape_);
  backend().avg_pool1d_backward(Pool1dGeometry{input_shape_[2], input_shape_[2]}, grad_output, *grad_input);
  return Status::ok();
}

}  // namespace epibook::nn
