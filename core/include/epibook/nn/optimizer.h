// Optimisers: how a gradient becomes a change of the weights. Sits after a model's
// backward pass in the training loop (train.h). SGD with momentum, Adam and AdamW follow
// PyTorch 1.13's update formulas and defaults step for step (float32 arithmetic in the
// same order), so a run here and in torch.optim stay together for hundreds of steps
// (tests/golden/torch_training_test.cpp).
//
// Only trainable parameters are touched: a frozen parameter keeps its value and its
// optimiser state, as a PyTorch parameter without a gradient does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/nn/layer.h"
#include "epibook/status.h"

namespace epibook::nn {

// torch.optim.SGD's arguments.
struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;  // L2: added to the gradient
  bool nesterov = false;      // needs momentum > 0 and dampening 0
};

// torch.optim.Adam / AdamW's arguments. AdamW's default weight decay is 0.01 (see
// adamw_defaults); Adam's is 0.
struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;
};
AdamOptions adamw_defaults();

// What an optimiser must carry across a checkpoint for a resumed run to repeat an
// uninterrupted one: per parameter its moment tensors (named "<parameter>.<slot>", e.g.
// "0.weight.exp_avg") and its step count.
struct OptimizerState {
  std::string kind;  // "sgd", "adam", "adamw"
  struct Slot {
    std::string name;
    Tensor value;
  };
  std::vector<Slot> tensors;
  struct Steps {
    std::string parameter;
    uint64_t steps = 0;
  };
  std::vector<Steps> steps;
};

class Optimizer {
 public:
  // The parameters are not owned; they must outlive the optimiser.
  explicit Optimizer(std::vector<Parameter*> parameters) : parameters_(std::move(parameters)) {}
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string name() const = 0;
  // Updates every trainable parameter from its gradient at the current learning rate.
  virtual void step() = 0;
  virtual double learning_rate() const = 0;
  // What a schedule calls before each step.
  virtual void set_learning_rate(double learning_rate) = 0;

  virtual OptimizerState state() const = 0;
  // Fails naming the slot when the state was saved for other parameters or shapes.
  virtual Status load_state(const OptimizerState& state) = 0;

  // The tensors of the state (moments, momentum buffers) that exist so far: what a
  // device trainer copies to the host to snapshot a run.
  virtual std::vector<Tensor*> state_tensors() { return {}; }

  const std::vector<Parameter*>& parameters() const { return parameters_; }
  // Zeroes the gradient of every parameter (torch's zero_grad(set_to_none=False)),
  // without allocating: what a training step calls before backward.
  void zero_grad();

  // Where the updates run: the backend of the model's trainer (set by it), else the
  // calling thread's standalone CPU backend. Moments live where that backend keeps them.
  void set_backend(Backend* backend) { backend_ = backend; }
  Backend& backend() const;

 protected:
  std::vector<Parameter*> parameters_;
  Backend* backend_ = nullptr;
};

class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<Parameter*> parameters, const SgdOptions& options);
  std::string name() const override { return "sgd"; }
  void step() override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  OptimizerState state() const override;
  Status load_state(const OptimizerState& state) override;
  std::vector<Tensor*> state_tensors() override;

 private:
  SgdOptions options_;
  std::vector<Tensor> momentum_;      // empty until a parameter's first step
  std::vector<uint64_t> steps_;
};

// Adam, or AdamW when `decoupled_weight_decay` (the decay shrinks the weights directly,
// w -= lr * wd * w, instead of joining the gradient and its moments).
class Adam final : public Optimizer {
 public:
  Adam(std::vector<Parameter*> parameters, const AdamOptions& options, bool decoupled_weight_decay);
  std::string name() const override { return decoupled_ ? "adamw" : "adam"; }
  void step() override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  OptimizerState state() const override;
  Status load_state(const OptimizerState& state) override;
  std::vector<Tensor*> state_tensors() override;

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<Tensor> first_moment_;   // exp_avg
  std::vector<Tensor> second_moment_;  // exp_avg_sq
  std::vector<uint64_t> steps_;
};

// Checks options ("sgd: nesterov needs momentum > 0 and dampening 0").
Status validate_sgd_options(const SgdOptions& options);
Status validate_adam_options(const AdamOptions& options);

// Scales all gradients together so their global L2 norm is at most `max_norm`
// (torch.nn.utils.clip_grad_norm_, with its 1e-6 in the denominator); returns the norm
// before clipping, summed in double in a fixed order (eight lanes per parameter,
// parameters in order).
double clip_gradient_norm(const std::vector<Parameter*>& parameters, double max_norm);

}  // namespace epibook::nn
