// SGD with momentum, torch.optim.SGD's update: the first step copies the gradient into
// the momentum buffer; later steps blend it in with (1 - dampening).
#include "epibook/nn/backend.h"
#include "epibook/nn/optimizer.h"
#include "optimizer_state.h"

namespace epibook::nn {

Status validate_sgd_options(const SgdOptions& o) {
  if (!(o.learning_rate >= 0.0)) return invalid_argument("sgd: learning rate must be >= 0");
  if (!(o.momentum >= 0.0)) return invalid_argument("sgd: momentum must be >= 0");
  if (!(o.weight_decay >= 0.0)) return invalid_argument("sgd: weight decay must be >= 0");
  if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) {
    return invalid_argument("sgd: nesterov needs momentum > 0 and dampening 0");
  }
  return Status::ok();
}

Sgd::Sgd(std::vector<Parameter*> parameters, const SgdOptions& options)
    : Optimizer(std::move(parameters)),
      options_(options),
      momentum_(parameters_.size()),
      steps_(parameters_.size(), 0) {}

namespace {

// One fused pass per parameter, in torch.optim.SGD's float32 order per element:
// d = g + decay * w; b = d (first step) or b * momentum + blend * d; d = d + momentum * b
// (nesterov) or b; w = w - lr * d.
void sgd_plain(float* __restrict w, const float* __restrict g, int64_t n, float lr, float decay) {
  if (decay != 0.0f) {
    for (int64_t i = 0; i < n; ++i) w[i] = w[i] - lr * (g[i] + decay * w[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) w[i] = w[i] - lr * g[i];
  }
}

void sgd_momentum(float* __restrict w, const float* __restrict g, float* __restrict b, int64_t n, float lr, float decay,
                  float momentum, float blend, bool first, bool nesterov) {
  for (int64_t i = 0; i < n; ++i) {
    const float d = decay != 0.0f ? g[i] + decay * w[i] : g[i];
    const float buffer = first ? d : b[i] * momentum + blend * d;
    b[i] = buffer;
    const float direction = nesterov ? d + momentum * buffer : buffer;
    w[i] = w[i] - lr * direction;
  }
}

}  // namespace

// The CPU backend's sgd_update: the loops above.
void Backend::sgd_update(const SgdUpdate& u, Tensor& value, const Tensor& grad, Tensor* momentum_buffer) {
  const int64_t n = value.size();
  if (momentum_buffer != nullptr) {
    sgd_momentum(value.data(), grad.data(), momentum_buffer->data(), n, u.learning_rate, u.decay, u.momentum, u.blend,
                 u.first, u.nesterov);
  } else {
    sgd_plain(value.data(), grad.data(), n, u.learning_rate, u.decay);
  }
}

void Sgd::step() {
  const auto lr = static_cast<float>(options_.learning_rate);
  const auto momentum = static_cast<float>(options_.momentum);
  const auto blend = static_cast<float>(1.0 - options_.dampening);
  const auto decay = static_cast<float>(options_.weight_decay);
  for (size_t p = 0; p < parameters_.size(); ++p) {
    Parameter& parameter = *parameters_[p];
    if (!parameter.trainable) continue;
    SgdUpdate update{lr, decay, momentum, blend, false, options_.nesterov};
    if (momentum != 0.0f) {
      Tensor& buffer = momentum_[p];
      update.first = buffer.empty();
      if (update.first) buffer.resize(parameter.value.shape());
      backend().sgd_update(update, parameter.value, parameter.grad, &buffer);
    } else {
      backend().sgd_update(update, parameter.value, parameter.grad, nullptr);
    }
    ++steps_[p];
  }
}

OptimizerState Sgd::state() const {
  OptimizerState state;
  state.kind = name();
  save_slot(parameters_, momentum_, "momentum_buffer", state);
  save_steps(parameters_, steps_, state);
  return state;
}

Status Sgd::load_state(const OptimizerState& state) {
  EPIBOOK_RETURN_IF_ERROR(check_state_kind(state, name()));
  EPIBOOK_RETURN_IF_ERROR(load_steps(parameters_, state, steps_));
  return load_slot(parameters_, state, "momentum_buffer", momentum_);
}

std::vector<Tensor*> Sgd::state_tensors() {
  std::vector<Tensor*> tensors;
  for (Tensor& t : momentum_) {
    if (!t.empty()) tensors.push_back(&t);
  }
  return tensors;
}

}  // namespace epibook::nn
