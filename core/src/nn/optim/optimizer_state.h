// Private to core/src/nn/optim: saving and restoring per-parameter moment tensors and
// step counts, shared by SGD and Adam so both check a loaded state the same way.
#pragma once

#include <string>
#include <vector>

#include "epibook/nn/optimizer.h"

namespace epibook::nn {

// Appends "<parameter>.<slot>" for every parameter whose moment exists.
void save_slot(const std::vector<Parameter*>& parameters, const std::vector<Tensor>& moments, const std::string& slot,
               OptimizerState& state);
void save_steps(const std::vector<Parameter*>& parameters, const std::vector<uint64_t>& steps, OptimizerState& state);
// Fills `moments` from the state's "<parameter>.<slot>" tensors (absent: no step yet),
// checking each shape against its parameter.
Status load_slot(const std::vector<Parameter*>& parameters, const OptimizerState& state, const std::string& slot,
                 std::vector<Tensor>& moments);
Status load_steps(const std::vector<Parameter*>& parameters, const OptimizerState& state, std::vector<uint64_t>& steps);
Status check_state_kind(const OptimizerState& state, const std::string& kind);

}  // namespace epibook::nn
