// Dropout with a counter-based mask: element i of the k-th training forward is kept
// when draw(seed, position + i) >= p, independent of how work is split; the backend
// draws the mask (backend.h), so a device draws the same bits.
#include "epibook/nn/layers/dropout.h"

#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/random.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<Dropout>> Dropout::create(double probability) {
  if (!(probability >= 0.0 && probability < 1.0)) {
    return invalid_argument("Dropout: probability must be in [0, 1) (got " + std::to_string(probability) + ")");
  }
  return std::unique_ptr<Dropout>(new Dropout(probability));
}

Dropout::Dropout(double probability) : probability_(probability) {
  position_.name = "rng_position";
  position_.in_state_dict = false;
  reset_parameters(0);
}

void Dropout::reset_parameters(uint64_t seed) {
  seed_ = stable_hash(position_.name, seed);
  position_.value = 0;
}

Result<Shape> Dropout::output_shape(const Shape& input) const {
  if (input.elements() == 0) return invalid_argument(kind() + ": input " + input.text() + " is empty");
  return input;
}

Status Dropout::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  masked_ = training() && probability_ > 0.0;
  if (!masked_) {
    backend().copy(input, output);
    return Status::ok();
  }
  const float keep_scale = static_cast<float>(1.0 / (1.0 - probability_));
  mask_.resize(input.shape());
  backend().dropout_mask(seed_, position_.value, probability_, keep_scale, mask_);
  position_.value += static_cast<uint64_t>(input.size());
  backend().multiply(input, mask_, output);
  return Status::ok();
}

Status Dropout::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (grad_input == nullptr) return Status::ok();
  if (!masked_) {
    backend().copy(grad_output, *grad_input);
    return Status::ok();
  }
  EPIBOOK_RETURN_IF_ERROR(expect_gradient_shape(kind(), grad_output.shape(), mask_.shape()));
  backend().multiply(grad_output, mask_, *grad_input);
  return Status::ok();
}

nlohmann::json Dropout::describe() const { return {{"kind", kind()}, {"p", probability_}}; }

}  // namespace epibook::nn
