// Residual: the body learns a correction on top of the input, which skips ahead
// unchanged (or through a 1x1 projection when the channel count changes).
#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/nn/layers/conv1d.h"
#include "epibook/nn/model.h"
#include "nn/layers/shape_checks.h"

namespace epibook::nn {

Result<std::unique_ptr<Residual>> Residual::create(std::unique_ptr<Sequential> body, int64_t projection_in,
                                                   int64_t projection_out) {
  if (body == nullptr) return invalid_argument("Residual: no body");
  EPIBOOK_RETURN_IF_ERROR(body->check());
  LayerPtr projection;
  if (projection_in > 0 || projection_out > 0) {
    Conv1DOptions options;
    options.in_channels = projection_in;
    options.out_channels = projection_out;
    options.kernel_size = 1;
    EPIBOOK_ASSIGN_OR_RETURN(projection, Conv1D::create(options));
  }
  return std::unique_ptr<Residual>(new Residual(std::move(body), std::move(projection)));
}

Residual::Residual(std::unique_ptr<Sequential> body, LayerPtr projection)
    : body_(std::move(body)), projection_(std::move(projection)) {
  body_->add_name_prefix("body");
  if (projection_ != nullptr) projection_->add_name_prefix("projection");
  set_backend(nullptr);  // the parts run where the block runs, as Sequential::add does
  reset_parameters(0);
}

Result<Shape> Residual::output_shape(const Shape& input) const {
  EPIBOOK_ASSIGN_OR_RETURN(const Shape body_shape, body_->output_shape(input));
  Shape shortcut_shape = input;
  if (projection_ != nullptr) {
    EPIBOOK_ASSIGN_OR_RETURN(shortcut_shape, projection_->output_shape(input));
  }
  if (body_shape != shortcut_shape) {
    return invalid_argument("Residual: body output " + body_shape.text() + " does not match the shortcut " +
                            shortcut_shape.text() + " (add a projection or use 'same' padding)");
  }
  return body_shape;
}

Status Residual::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_RETURN_IF_ERROR(output_shape(input.shape()).status());
  input_ = &input;
  EPIBOOK_ASSIGN_OR_RETURN(const Tensor* body_output, body_->run(input));
  if (projection_ == nullptr) {
    backend().add(*body_output, input, output);
    return Status::ok();
  }
  EPIBOOK_RETURN_IF_ERROR(projection_->forward(input, shortcut_output_));
  backend().add(*body_output, shortcut_output_, output);
  return Status::ok();
}

Status Residual::backward(const Tensor& grad_output, Tensor* grad_input) {
  EPIBOOK_RETURN_IF_ERROR(expect_backward_after_forward(kind(), input_));
  EPIBOOK_RETURN_IF_ERROR(body_->backward(grad_output, grad_input != nullptr ? &gradient_ : nullptr));
  if (projection_ != nullptr) {
    EPIBOOK_RETURN_IF_ERROR(projection_->backward(grad_output, grad_input != nullptr ? &shortcut_output_ : nullptr));
  }
  if (grad_input == nullptr) return Status::ok();
  backend().add(gradient_, projection_ != nullptr ? shortcut_output_ : grad_output, *grad_input);
  return Status::ok();
}

std::vector<Parameter*> Residual::parameters() {
  std::vector<Parameter*> all = body_->parameters();
  if (projection_ != nullptr) {
    for (Parameter* parameter : projection_->parameters()) all.push_back(parameter);
  }
  return all;
}

std::vector<Buffer*> Residual::buffers() { return body_->buffers(); }
std::vector<Counter*> Residual::counters() { return body_->counters(); }

nlohmann::json Residual::describe() const {
  nlohmann::json description = {{"kind", kind()}, {"body", body_->describe()}};
  if (projection_ != nullptr) {
    const auto& conv = static_cast<const Conv1D&>(*projection_);
    description["projection"] = {{"in_channels", conv.options().in_channels},
                                 {"out_channels", conv.options().out_channels}};
  }
  return description;
}

void Residual::reset_parameters(uint64_t seed) {
  body_->reset_parameters(seed);
  if (projection_ != nullptr) projection_->reset_parameters(seed);
}

void Residual::set_training(bool training) {
  Layer::set_training(training);
  body_->set_training(training);
  if (projection_ != nullptr) projection_->set_training(training);
}

void Residual::set_backend(Backend* backend) {
  Layer::set_backend(backend);
  body_->set_backend(backend);
  if (projection_ != nullptr) projection_->set_backend(backend);
}

}  // namespace epibook::nn
