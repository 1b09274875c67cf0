// Freezing for fine-tuning: a frozen parameter keeps trainable = false, so layers add
// no gradient to it and optimisers skip it.
#include "epibook/nn/model.h"

namespace epibook::nn {

int set_trainable(Layer& model, std::string_view prefix, bool trainable) {
  int changed = 0;
  for (Parameter* parameter : model.parameters()) {
    if (std::string_view(parameter->name).substr(0, prefix.size()) != prefix) continue;
    if (parameter->trainable != trainable) ++changed;
    parameter->trainable = trainable;
  }
  return changed;
}

void set_layers_trainable(Sequential& model, size_t begin, size_t end, bool trainable) {
  for (size_t i = begin; i < end && i < model.size(); ++i) model.layer(i).set_trainable(trainable);
}

int64_t count_parameters(Layer& model, bool trainable_only) {
  int64_t count = 0;
  for (Parameter* parameter : model.parameters()) {
    if (!trainable_only || parameter->trainable) count += parameter->value.size();
  }
  return count;
}

}  // namespace epibook::nn
