// MultiHead: one trunk feeds every head; in backward the heads' input gradients are
// summed in head order (a fixed order, so the bits do not depend on anything else).
#include "epibook/nn/backend.h"
#include "epibook/nn/model.h"

namespace epibook::nn {

MultiHead::MultiHead(std::unique_ptr<Sequential> trunk, uint64_t seed) : seed_(seed), trunk_(std::move(trunk)) {
  trunk_->add_name_prefix("trunk");
  trunk_->reset_parameters(seed_);
}

MultiHead& MultiHead::add_head(std::unique_ptr<Sequential> head, float loss_weight) {
  head->add_name_prefix("heads." + std::to_string(heads_.size()));
  head->reset_parameters(seed_);
  head->set_training(trunk_->training());
  head->set_backend(trunk_->attached_backend());
  heads_.push_back(std::move(head));
  loss_weights_.push_back(loss_weight);
  return *this;
}

Result<std::vector<const Tensor*>> MultiHead::forward(const Tensor& input) {
  if (heads_.empty()) return invalid_argument("MultiHead: no heads");
  Result<const Tensor*> features = trunk_->run(input);
  if (!features.is_ok()) return features.status().with_context("trunk");
  std::vector<const Tensor*> outputs;
  for (size_t i = 0; i < heads_.size(); ++i) {
    Result<const Tensor*> output = heads_[i]->run(**features);
    if (!output.is_ok()) return output.status().with_context("head " + std::to_string(i));
    outputs.push_back(*output);
  }
  return outputs;
}

Status MultiHead::backward(const std::vector<const Tensor*>& grad_outputs) {
  if (grad_outputs.size() != heads_.size()) {
    return invalid_argument("MultiHead: " + std::to_string(grad_outputs.size()) + " output gradients for " +
                            std::to_string(heads_.size()) + " heads");
  }
  for (size_t i = 0; i < heads_.size(); ++i) {
    Tensor* target = i == 0 ? &trunk_gradient_ : &head_gradient_;
    EPIBOOK_RETURN_IF_ERROR(heads_[i]->backward(*grad_outputs[i], target).with_context("head " + std::to_string(i)));
    if (i > 0) trunk_->backend().add(trunk_gradient_, head_gradient_, trunk_gradient_);
  }
  return trunk_->backward(trunk_gradient_, nullptr).with_context("trunk");
}

std::vector<Parameter*> MultiHead::parameters() {
  std::vector<Parameter*> all = trunk_->parameters();
  for (auto& head : heads_) {
    for (Parameter* parameter : head->parameters()) all.push_back(parameter);
  }
  return all;
}

std::vector<Buffer*> MultiHead::buffers() {
  std::vector<Buffer*> all = trunk_->buffers();
  for (auto& head : heads_) {
    for (Buffer* buffer : head->buffers()) all.push_back(buffer);
  }
  return all;
}

std::vector<Counter*> MultiHead::counters() {
  std::vector<Counter*> all = trunk_->counters();
  for (auto& head : heads_) {
    for (Counter* counter : head->counters()) all.push_back(counter);
  }
  return all;
}

void MultiHead::set_training(bool training) {
  trunk_->set_training(training);
  for (auto& head : heads_) head->set_training(training);
}

void MultiHead::set_backend(Backend* backend) {
  trunk_->set_backend(backend);
  for (auto& head : heads_) head->set_backend(backend);
}

}  // namespace epibook::nn
