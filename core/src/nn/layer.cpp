// The Layer base: naming, freezing and gradient zeroing shared by every layer, so each
// layer file holds only its own arithmetic.
#include "epibook/nn/layer.h"

#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"

namespace epibook::nn {

Layer::Layer() = default;
Layer::~Layer() = default;

Backend& Layer::backend() const { return backend_ != nullptr ? *backend_ : standalone_cpu_backend(); }

nlohmann::json Layer::describe() const { return nlohmann::json{{"kind", kind()}}; }

void Layer::add_name_prefix(const std::string& prefix) {
  for (Parameter* parameter : parameters()) parameter->name = prefix + "." + parameter->name;
  for (Buffer* buffer : buffers()) buffer->name = prefix + "." + buffer->name;
  for (Counter* counter : counters()) counter->name = prefix + "." + counter->name;
}

void Layer::zero_grad() {
  for (Parameter* parameter : parameters()) parameter->grad.resize_zeroed(parameter->value.shape());
}

void Layer::set_trainable(bool trainable) {
  for (Parameter* parameter : parameters()) parameter->trainable = trainable;
}

}  // namespace epibook::nn
