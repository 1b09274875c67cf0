// GELU's description records which form it computes, so a checkpoint rebuilds the same
// function and the PyTorch twin gets approximate='tanh' or 'none' to match.
#include <nlohmann/json.hpp>

#include "epibook/nn/layers/activations.h"

namespace epibook::nn {

nlohmann::json GELU::describe() const {
  return {{"kind", kind()}, {"approximate", activation() == Activation::kGeluTanh ? "tanh" : "none"}};
}

}  // namespace epibook::nn
