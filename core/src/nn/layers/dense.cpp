// Dense: shape checks and parameters; the backend does the GEMMs.
#include "epibook/nn/layers/dense.h"

#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/nn/init.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<Dense>> Dense::create(int64_t in_features, int64_t out_features, bool bias) {
  if (in_features <= 0 || out_features <= 0) {
    return invalid_argument("Linear: feature counts must be positive (got in " + std::to_string(in_features) +
                            ", out " + std::to_string(out_features) + ")");
  }
  return std::unique_ptr<Dense>(new Dense(in_features, out_features, bias));
}

Dense::Dense(int64_t in_features, int64_t out_features, bool bias)
    : in_features_(in_features), out_features_(out_features), has_bias_(bias) {
  weight_.name = "weight";
  weight_.value.resize({out_features, in_features});
  weight_.grad.resize_zeroed(weight_.value.shape());
  if (has_bias_) {
    bias_.name = "bias";
    bias_.value.resize({out_features});
    bias_.grad.resize_zeroed(bias_.value.shape());
  }
  reset_parameters(0);
}

void Dense::reset_parameters(uint64_t seed) {
  const float bound = default_uniform_bound(in_features_);
  fill_uniform(weight_.value, bound, seed, weight_.name);
  if (has_bias_) fill_uniform(bias_.value, bound, seed, bias_.name);
}

Result<Shape> Dense::output_shape(const Shape& input) const {
  EPIBOOK_RETURN_IF_ERROR(expect_features(kind(), input, in_features_));
  Shape output = input;
  output[output.rank() - 1] = out_features_;
  return output;
}

Status Dense::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_ = &input;
  backend().linear_forward(input, weight_.value, has_bias_ ? &bias_.value : nullptr, output);
  return Status::ok();
}

Status Dense::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_ASSIGN_OR_RETURN(const Shape expected, output_shape(input_->shape()));
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), expected));
  backend().linear_backward(*input_, weight_.value, grad_output, grad_input,
                            weight_.trainable ? &weight_.grad : nullptr,
                            has_bias_ && bias_.trainable ? &bias_.grad : nullptr);
  return Status::ok();
}

std::vector<Parameter*> Dense::parameters() {
  if (has_bias_) return {&weight_, &bias_};
  return {&weight_};
}

nlohmann::json Dense::describe() const {
  return {{"kind", kind()}, {"in_features", in_features_}, {"out_features", out_features_}, {"bias", has_bias_}};
}

}  // namespace epibook::nn
