// Sequential: runs layers in order, keeps every activation for backward, and walks the
// gradient back through two ping-pong buffers (no allocation once shapes repeat).
#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/nn/model.h"

namespace epibook::nn {
namespace {

Status in_layer(const Status& status, size_t index, const Layer& layer) {
  return status.with_context("layer " + std::to_string(index) + " (" + layer.kind() + ")");
}

}  // namespace

Sequential& Sequential::add(LayerPtr layer) {
  layer->add_name_prefix(std::to_string(layers_.size()));
  layer->reset_parameters(seed_);
  layer->set_training(training());
  layer->set_backend(attached_backend());
  layers_.push_back(std::move(layer));
  return *this;
}

Result<Shape> Sequential::output_shape(const Shape& input) const {
  EPIBOOK_RETURN_IF_ERROR(build_status_);
  Shape shape = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Result<Shape> next = layers_[i]->output_shape(shape);
    if (!next.is_ok()) return in_layer(next.status(), i, *layers_[i]);
    shape = *next;
  }
  return shape;
}

Result<const Tensor*> Sequential::run(const Tensor& input) {
  EPIBOOK_RETURN_IF_ERROR(build_status_);
  activations_.resize(layers_.size() + 1);
  backend().copy(input, activations_[0]);
  for (size_t i = 0; i < layers_.size(); ++i) {
    Status status = layers_[i]->forward(activations_[i], activations_[i + 1]);
    if (!status.is_ok()) return in_layer(status, i, *layers_[i]);
  }
  return &activations_.back();
}

Status Sequential::forward(const Tensor& input, Tensor& output) {
  EPIBOOK_ASSIGN_OR_RETURN(const Tensor* result, run(input));
  backend().copy(*result, output);
  return Status::ok();
}

Status Sequential::backward(const Tensor& grad_output, Tensor* grad_input) {
  if (activations_.size() != layers_.size() + 1) return invalid_argument("Sequential: backward called before forward");
  size_t stop = 0;
  if (grad_input == nullptr) {
    // Layers below the lowest trainable parameter need no gradient at all.
    // The layers' parameter lists are gathered once (parameters() builds a vector), so
    // a training step allocates nothing here.
    if (layer_parameters_.size() != layers_.size()) {
      layer_parameters_.clear();
      for (LayerPtr& layer : layers_) layer_parameters_.push_back(layer->parameters());
    }
    stop = layers_.size();
    for (size_t i = 0; i < layers_.size() && stop == layers_.size(); ++i) {
      for (Parameter* parameter : layer_parameters_[i]) {
        if (parameter->trainable) stop = i;
      }
    }
  }
  if (stop == layers_.size() && grad_input != nullptr) {  // no layers: the identity
    backend().copy(grad_output, *grad_input);
    return Status::ok();
  }
  const Tensor* current = &grad_output;
  for (size_t i = layers_.size(); i-- > stop;) {
    Tensor* target = i == stop ? grad_input : (current == &gradient_a_ ? &gradient_b_ : &gradient_a_);
    Status status = layers_[i]->backward(*current, target);
    if (!status.is_ok()) return in_layer(status, i, *layers_[i]);
    if (target != nullptr) current = target;
  }
  return Status::ok();
}

std::vector<Parameter*> Sequential::parameters() {
  std::vector<Parameter*> all;
  for (LayerPtr& layer : layers_) {
    for (Parameter* parameter : layer->parameters()) all.push_back(parameter);
  }
  return all;
}

std::vector<Buffer*> Sequential::buffers() {
  std::vector<Buffer*> all;
  for (LayerPtr& layer : layers_) {
    for (Buffer* buffer : layer->buffers()) all.push_back(buffer);
  }
  return all;
}

std::vector<Counter*> Sequential::counters() {
  std::vector<Counter*> all;
  for (LayerPtr& layer : layers_) {
    for (Counter* counter : layer->counters()) all.push_back(counter);
  }
  return all;
}

nlohmann::json Sequential::describe() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerPtr& layer : layers_) layers.push_back(layer->describe());
  return {{"kind", kind()}, {"layers", layers}};
}

void Sequential::reset_parameters(uint64_t seed) {
  seed_ = seed;
  for (LayerPtr& layer : layers_) layer->reset_parameters(seed);
}

void Sequential::set_training(bool training) {
  Layer::set_training(training);
  for (LayerPtr& layer : layers_) layer->set_training(training);
}

void Sequential::set_backend(Backend* backend) {
  Layer::set_backend(backend);
  for (LayerPtr& layer : layers_) layer->set_backend(backend);
}

}  // namespace epibook::nn
