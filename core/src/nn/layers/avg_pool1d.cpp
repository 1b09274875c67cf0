// AvgPool1D: each output is the window's mean; backward spreads its gradient evenly.
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/pooling.h"
#include "nn/layers/pool_window.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<AvgPool1D>> AvgPool1D::create(int64_t kernel_size, int64_t stride) {
  EPIBOOK_ASSIGN_OR_RETURN(const Pool1dGeometry geometry, pool_geometry("AvgPool1d", kernel_size, stride));
  return std::unique_ptr<AvgPool1D>(new AvgPool1D(geometry));
}

Result<Shape> AvgPool1D::output_shape(const Shape& input) const { return pooled_shape(kind(), geometry_, input); }

Status AvgPool1D::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_shape_ = input.shape();
  backend().avg_pool1d_forward(geometry_, input, output);
  return Status::ok();
}

Status AvgPool1D::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (input_shape_.rank() == 0) return invalid_argument(kind() + ": backward called before forward");
  EPIBOOK_ASSIGN_OR_RETURN(const Shape expected, output_shape(input_shape_));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), expected));
  if (grad_input == nullptr) return Status::ok();
  grad_input->resize(input_shape_);
  backend().avg_pool1d_backward(geometry_, grad_output, *grad_input);
  return Status::ok();
}

nlohmann::json AvgPool1D::describe() const {
  return {{"kind", kind()}, {"kernel_size", geometry_.kernel_size}, {"stride", geometry_.stride}};
}

}  // namespace epibook::nn
