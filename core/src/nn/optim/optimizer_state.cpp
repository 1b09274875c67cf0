// Optimiser state in and out of checkpoints (see optimizer_state.h).
#include "optimizer_state.h"

namespace epibook::nn {

void save_slot(const std::vector<Parameter*>& parameters, const std::vector<Tensor>& moments, const std::string& slot,
               OptimizerState& state) {
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!moments[i].empty()) state.tensors.push_back({parameters[i]->name + "." + slot, moments[i]});
  }
}

void save_steps(const std::vector<Parameter*>& parameters, const std::vector<uint64_t>& steps, OptimizerState& state) {
  for (size_t i = 0; i < parameters.size(); ++i) state.steps.push_back({parameters[i]->name, steps[i]});
}

Status load_slot(const std::vector<Parameter*>& parameters, const OptimizerState& state, const std::string& slot,
                 std::vector<Tensor>& moments) {
  std::vector<Tensor> loaded(parameters.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    const std::string name = parameters[i]->name + "." + slot;
    for (const OptimizerState::Slot& saved : state.tensors) {
      if (saved.name != name) continue;
      if (saved.value.shape() != parameters[i]->value.shape()) {
        return invalid_argument("optimiser state " + name + " has shape " + saved.value.shape().text() +
                                ", its parameter " + parameters[i]->value.shape().text());
      }
      loaded[i] = saved.value;
    }
  }
  moments = std::move(loaded);
  return Status::ok();
}

Status load_steps(const std::vector<Parameter*>& parameters, const OptimizerState& state, std::vector<uint64_t>& steps) {
  std::vector<uint64_t> loaded(parameters.size(), 0);
  for (size_t i = 0; i < parameters.size(); ++i) {
    bool found = false;
    for (const OptimizerState::Steps& saved : state.steps) {
      if (saved.parameter != parameters[i]->name) continue;
      loaded[i] = saved.steps;
      found = true;
    }
    if (!found) return invalid_argument("optimiser state has no step count for parameter " + parameters[i]->name);
  }
  steps = std::move(loaded);
  return Status::ok();
}

Status check_state_kind(const OptimizerState& state, const std::string& kind) {
  if (state.kind != kind) {
    return invalid_argument("optimiser state was saved by " + state.kind + ", cannot load it into " + kind);
  }
  return Status::ok();
}

}  // namespace epibook::nn
