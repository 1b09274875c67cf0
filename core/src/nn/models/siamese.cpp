// Siamese: both inputs travel through the trunk as one batch [a; b] (one set of saved
// activations, one backward), then the head sees the difference of the two halves.
#include <algorithm>

#include "epibook/nn/model.h"

namespace epibook::nn {
namespace {

Shape with_batch(const Shape& shape, int64_t batch) {
  Shape result = shape;
  result[0] = batch;
  return result;
}

}  // namespace

Siamese::Siamese(std::unique_ptr<Sequential> trunk, std::unique_ptr<Sequential> head, uint64_t seed)
    : trunk_(std::move(trunk)), head_(std::move(head)) {
  trunk_->add_name_prefix("trunk");
  head_->add_name_prefix("head");
  trunk_->reset_parameters(seed);
  head_->reset_parameters(seed);
  head_->set_backend(trunk_->attached_backend());  // one model, one backend
}

Result<const Tensor*> Siamese::forward(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.rank() < 1 || a.empty()) {
    return invalid_argument("Siamese: the two inputs must have one non-empty shape (got " + a.shape().text() +
                            " and " + b.shape().text() + ")");
  }
  const int64_t batch = a.dim(0);
  pair_batch_.resize(with_batch(a.shape(), 2 * batch));
  std::copy(a.values().begin(), a.values().end(), pair_batch_.values().begin());
  std::copy(b.values().begin(), b.values().end(), pair_batch_.values().begin() + a.size());
  Result<const Tensor*> embedded = trunk_->run(pair_batch_);
  if (!embedded.is_ok()) return embedded.status().with_context("trunk");
  const Tensor& both = **embedded;
  const int64_t half = both.size() / 2;
  difference_.resize(with_batch(both.shape(), batch));
  for (int64_t i = 0; i < half; ++i) difference_[i] = both[i] - both[half + i];
  Result<const Tensor*> output = head_->run(difference_);
  if (!output.is_ok()) return output.status().with_context("head");
  return output;
}

Status Siamese::backward(const Tensor& grad_output) {
  EPIBOOK_RETURN_IF_ERROR(head_->backward(grad_output, &difference_gradient_).with_context("head"));
  const int64_t half = difference_gradient_.size();
  pair_gradient_.resize(with_batch(difference_gradient_.shape(), 2 * difference_gradient_.dim(0)));
  for (int64_t i = 0; i < half; ++i) {
    pair_gradient_[i] = difference_gradient_[i];
    pair_gradient_[half + i] = -difference_gradient_[i];
  }
  return trunk_->backward(pair_gradient_, nullptr).with_context("trunk");
}

std::vector<Parameter*> Siamese::parameters() {
  std::vector<Parameter*> all = trunk_->parameters();
  for (Parameter* parameter : head_->parameters()) all.push_back(parameter);
  return all;
}

std::vector<Buffer*> Siamese::buffers() {
  std::vector<Buffer*> all = trunk_->buffers();
  for (Buffer* buffer : head_->buffers()) all.push_back(buffer);
  return all;
}

std::vector<Counter*> Siamese::counters() {
  std::vector<Counter*> all = trunk_->counters();
  for (Counter* counter : head_->counters()) all.push_back(counter);
  return all;
}

void Siamese::set_training(bool training) {
  trunk_->set_training(training);
  head_->set_training(training);
}

void Siamese::set_backend(Backend* backend) {
  trunk_->set_backend(backend);
  head_->set_backend(backend);
}

}  // namespace epibook::nn
