// The layers of a model in order (see layer_chain.h).
#include "layer_chain.h"

#include <nlohmann/json.hpp>

namespace epibook {

void LayerChain::append(nn::LayerPtr layer) {
  layer->add_name_prefix(std::to_string(layers_.size()));
  layers_.push_back(std::move(layer));
  activations_.resize(layers_.size());
}

Result<nn::Shape> LayerChain::output_shape(const nn::Shape& input) const {
  nn::Shape shape = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Result<nn::Shape> next = layers_[i]->output_shape(shape);
    if (!next.is_ok()) return next.status().with_context("layer " + std::to_string(i) + " (" + layers_[i]->kind() + ")");
    shape = *next;
  }
  return shape;
}

Status LayerChain::forward(const nn::Tensor& input, nn::Tensor& output) {
  const nn::Tensor* current = &input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Status status = layers_[i]->forward(*current, activations_[i]);
    if (!status.is_ok()) return status.with_context("layer " + std::to_string(i) + " (" + layers_[i]->kind() + ")");
    current = &activations_[i];
  }
  output = *current;
  return Status::ok();
}

Status LayerChain::backward(const nn::Tensor& grad_output, nn::Tensor* grad_input) {
  gradients_.resize(2);
  const nn::Tensor* incoming = &grad_output;
  for (size_t k = layers_.size(); k-- > 0;) {
    nn::Tensor* outgoing = k == 0 ? grad_input : &gradients_[k % 2];
    Status status = layers_[k]->backward(*incoming, outgoing);
    if (!status.is_ok()) return status.with_context("layer " + std::to_string(k) + " (" + layers_[k]->kind() + ")");
    incoming = outgoing;
  }
  return Status::ok();
}

std::vector<nn::Parameter*> LayerChain::parameters() {
  std::vector<nn::Parameter*> all;
  for (nn::LayerPtr& layer : layers_) {
    for (nn::Parameter* p : layer->parameters()) all.push_back(p);
  }
  return all;
}

std::vector<nn::Buffer*> LayerChain::buffers() {
  std::vector<nn::Buffer*> all;
  for (nn::LayerPtr& layer : layers_) {
    for (nn::Buffer* b : layer->buffers()) all.push_back(b);
  }
  return all;
}

std::vector<nn::Counter*> LayerChain::counters() {
  std::vector<nn::Counter*> all;
  for (nn::LayerPtr& layer : layers_) {
    for (nn::Counter* c : layer->counters()) all.push_back(c);
  }
  return all;
}

nlohmann::json LayerChain::describe() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const nn::LayerPtr& layer : layers_) layers.push_back(layer->describe());
  return nlohmann::json{{"kind", "Sequential"}, {"layers", layers}};
}

void LayerChain::reset_parameters(uint64_t seed) {
  for (nn::LayerPtr& layer : layers_) layer->reset_parameters(seed);
}

void LayerChain::set_training(bool training) {
  nn::Layer::set_training(training);
  for (nn::LayerPtr& layer : layers_) layer->set_training(training);
}

void LayerChain::set_backend(nn::Backend& backend) {
  nn::Layer::set_backend(backend);
  for (nn::LayerPtr& layer : layers_) layer->set_backend(backend);
}

}  // namespace epibook
