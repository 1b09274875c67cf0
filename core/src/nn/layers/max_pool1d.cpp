// MaxPool1D: the backend records which input won each window, and backward sends the
// gradient back to that position only.
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/pooling.h"
#include "nn/layers/pool_window.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<MaxPool1D>> MaxPool1D::create(int64_t kernel_size, int64_t stride) {
  EPIBOOK_ASSIGN_OR_RETURN(const Pool1dGeometry geometry, pool_geometry("MaxPool1d", kernel_size, stride));
  return std::unique_ptr<MaxPool1D>(new MaxPool1D(geometry));
}

Result<Shape> MaxPool1D::output_shape(const Shape& input) const { return pooled_shape(kind(), geometry_, input); }

Status MaxPool1D::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_shape_ = input.shape();
  backend().max_pool1d_forward(geometry_, input, output, argmax_);
  return Status::ok();
}

Status MaxPool1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (input_shape_.rank() == 0) return invalid_argument(kind() + ": backward called before forward");
  EPIBOOK_ASSIGN_OR_RETURN(const Shape expected, output_shape(input_shape_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), expected));
  if (grad_input == nullptr) return Status::ok();
  grad_input->resize(input_shape_);
  backend().max_pool1d_backward(geometry_, argmax_, grad_output, *grad_input);
  return Status::ok();
}

nlohmann::json MaxPool1D::describe() const {
  return {{"kind", kind()}, {"kernel_size", geometry_.kernel_size}, {"stride", geometry_.stride}};
}

}  // namespace epibook::nn
