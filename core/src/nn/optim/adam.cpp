// Adam and AdamW, torch.optim's single-tensor update: moments in float32, bias
// corrections and the step size in double, then the division by sqrt(v) + eps.
#include <cmath>

#include "epibook/nn/backend.h"
#include "epibook/nn/optimizer.h"
#include "optimizer_state.h"

namespace epibook::nn {

AdamOptions adamw_defaults() {
  AdamOptions options;
  options.weight_decay = 1e-2;
  return options;
}

Status validate_adam_options(const AdamOptions& o) {
  if (!(o.learning_rate >= 0.0)) return invalid_argument("adam: learning rate must be >= 0");
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) return invalid_argument("adam: beta1 must lie in [0, 1)");
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) return invalid_argument("adam: beta2 must lie in [0, 1)");
  if (!(o.epsilon >= 0.0)) return invalid_argument("adam: epsilon must be >= 0");
  if (!(o.weight_decay >= 0.0)) return invalid_argument("adam: weight decay must be >= 0");
  return Status::ok();
}


// One fused pass over a parameter, torch.optim's float32 order per element, as a plain
// loop over restrict pointers that the compiler vectorises (sqrt and division are
// exact in vector code, so the bits are those of the scalar loop). The CPU backend's
// adam_update.
void Backend::adam_update(const AdamUpdate& c, Tensor& value, const Tensor& grad, Tensor& first, Tensor& second) {
  float* __restrict w = value.data();
  const float* __restrict g_all = grad.data();
  float* __restrict m = first.data();
  float* __restrict v = second.data();
  const int64_t n = value.size();
  if (c.shrink != 1.0f) {
    for (int64_t i = 0; i < n; ++i) w[i] = w[i] * c.shrink;
  }
  for (int64_t i = 0; i < n; ++i) {
    const float g = c.coupled_decay != 0.0f ? g_all[i] + c.coupled_decay * w[i] : g_all[i];
    const float m_i = m[i] * c.beta1 + c.keep1 * g;
    const float v_i = v[i] * c.beta2 + c.keep2 * (g * g);
    m[i] = m_i;
    v[i] = v_i;
    const float denominator = std::sqrt(v_i) / c.correction2_sqrt + c.eps;
    w[i] = w[i] - c.step_size * (m_i / denominator);
  }
}

Adam::Adam(std::vector<Parameter*> parameters, const AdamOptions& options, bool decoupled_weight_decay)
    : Optimizer(std::move(parameters)),
      options_(options),
      decoupled_(decoupled_weight_decay),
      first_moment_(parameters_.size()),
      second_moment_(parameters_.size()),
      steps_(parameters_.size(), 0) {}

void Adam::step() {
  const double lr = options_.learning_rate;
  const auto beta1 = static_cast<float>(options_.beta1);
  const auto beta2 = static_cast<float>(options_.beta2);
  const auto keep1 = static_cast<float>(1.0 - options_.beta1);
  const auto keep2 = static_cast<float>(1.0 - options_.beta2);
  const auto eps = static_cast<float>(options_.epsilon);
  const auto coupled_decay = static_cast<float>(decoupled_ ? 0.0 : options_.weight_decay);
  const auto shrink = static_cast<float>(1.0 - lr * options_.weight_decay);
  for (size_t p = 0; p < parameters_.size(); ++p) {
    Parameter& parameter = *parameters_[p];
    if (!parameter.trainable) continue;
    if (first_moment_[p].empty()) {
      first_moment_[p].resize_zeroed(parameter.value.shape());
      second_moment_[p].resize_zeroed(parameter.value.shape());
    }
    const uint64_t step = ++steps_[p];
    const double correction1 = 1.0 - std::pow(options_.beta1, static_cast<double>(step));
    const double correction2 = 1.0 - std::pow(options_.beta2, static_cast<double>(step));
    const auto step_size = static_cast<float>(lr / correction1);
    const auto correction2_sqrt = static_cast<float>(std::sqrt(correction2));
    backend().adam_update({beta1, beta2, keep1, keep2, eps, coupled_decay, step_size, correction2_sqrt,
                           decoupled_ && options_.weight_decay != 0.0 ? shrink : 1.0f},
                          parameter.value, parameter.grad, first_moment_[p], second_moment_[p]);
  }
}

OptimizerState Adam::state() const {
  OptimizerState state;
  state.kind = name();
  save_slot(parameters_, first_moment_, "exp_avg", state);
  save_slot(parameters_, second_moment_, "exp_avg_sq", state);
  save_steps(parameters_, steps_, state);
  return state;
}

Status Adam::load_state(const OptimizerState& state) {
  EPIBOOK_RETURN_IF_ERROR(check_state_kind(state, name()));
  EPIBOOK_RETURN_IF_ERROR(load_steps(parameters_, state, steps_));
  EPIBOOK_RETURN_IF_ERROR(load_slot(parameters_, state, "exp_avg", first_moment_));
  return load_slot(parameters_, state, "exp_avg_sq", second_moment_);
}

std::vector<Tensor*> Adam::state_tensors() {
  std::vector<Tensor*> tensors;
  for (std::vector<Tensor>* moments : {&first_moment_, &second_moment_}) {
    for (Tensor& t : *moments) {
      if (!t.empty()) tensors.push_back(&t);
    }
  }
  return tensors;
}

}  // namespace epibook::nn
