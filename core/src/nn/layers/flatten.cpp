// Flatten: the same numbers with the non-batch axes merged (C-order, as PyTorch), so a
// Dense head can follow a convolutional trunk.
#include <algorithm>

#include "epibook/nn/backend.h"
#include "epibook/nn/layers/pooling.h"

namespace epibook::nn {

Result<Shape> Flatten::output_shape(const Shape& input) const {
  if (input.rank() < 1 || input.elements() == 0) {
    return invalid_argument(kind() + ": input " + input.text() + " is empty");
  }
  return Shape{input[0], input.elements() / input[0]};
}

Status Flatten::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_ASSIGN_OR_RETURN(const Shape shape, output_shape(input.shape()));
  input_shape_ = input.shape();
  backend().copy(input, output);
  output.reshape(shape);
  return Status::ok();
}

Status Flatten::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (input_shape_.rank() == 0) return invalid_argument(kind() + ": backward called before forward");
  if (grad_output.size() != input_shape_.elements()) {
    return invalid_argument(kind() + ": output gradient " + grad_output.shape().text() + " does not match the input " +
                            input_shape_.text());
  }
  if (grad_input == nullptr) return Status::ok();
  backend().copy(grad_output, *grad_input);
  grad_input->reshape(input_shape_);
  return Status::ok();
}

}  // namespace epibook::nn
