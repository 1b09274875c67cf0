// Models built from layers: Sequential (itself a Layer, so it nests), Residual blocks,
// MultiHead (one trunk, one head and loss weight per track) and Siamese (one trunk on
// two inputs, a head on the difference of their embeddings); freezing by layer index
// or name prefix for fine-tuning; and rebuilding a model from its JSON description.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "epibook/nn/layer.h"

namespace epibook::nn {

// Layers applied in order. Adding a layer at index i names its parameters "i.weight",
// ... (PyTorch's nn.Sequential state_dict names) and initialises them from the
// model's seed and those names, so two models with one seed are equal.
class Sequential final : public Layer {
 public:
  explicit Sequential(uint64_t seed = 0) : seed_(seed) {}

  // Appends a layer; returns *this for chaining.
  Sequential& add(LayerPtr layer);
  // add() for a Result of a layer factory; keeps the first error for check().
  template <typename L>
  Sequential& add(Result<std::unique_ptr<L>> layer) {
    if (!layer.is_ok()) {
      if (build_status_.is_ok()) build_status_ = layer.status();
      return *this;
    }
    return add(LayerPtr(std::move(layer).value()));
  }
  // The first error of a layer factory passed to add(), if any.
  const Status& check() const { return build_status_; }

  size_t size() const { return layers_.size(); }
  Layer& layer(size_t index) { return *layers_[index]; }
  const Layer& layer(size_t index) const { return *layers_[index]; }

  std::string kind() const override { return "Sequential"; }
  Result<Shape> output_shape(const Shape& input) const override;
  // Copies `output`; run() avoids that copy.
  Status forward(const Tensor& input, Tensor& output) override;
  // Runs the layers and returns the last activation, owned by the model and valid
  // until the next forward.
  Result<const Tensor*> run(const Tensor& input);
  // Back-propagates through the layers; stops early below the lowest layer that has a
  // trainable parameter when grad_input is null (a frozen trunk costs nothing).
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;

  std::vector<Parameter*> parameters() override;
  std::vector<Buffer*> buffers() override;
  std::vector<Counter*> counters() override;
  nlohmann::json describe() const override;
  void reset_parameters(uint64_t seed) override;
  void set_training(bool training) override;
  void set_backend(Backend* backend) override;

 private:
  uint64_t seed_;
  Status build_status_;
  std::vector<LayerPtr> layers_;
  std::vector<Tensor> activations_;  // activations_[i] is the input of layer i
  std::vector<std::vector<Parameter*>> layer_parameters_;  // per layer, gathered at the first backward
  Tensor gradient_a_;
  Tensor gradient_b_;
};

// y = body(x) + shortcut(x), the shortcut being the identity or, when the body changes
// the channel count, a 1x1 Conv1d "projection". Names: "body.<i>.*", "projection.*".
class Residual final : public Layer {
 public:
  // `projection_channels` = (in, out) channels of a 1x1 projection, or {0, 0} for none.
  static Result<std::unique_ptr<Residual>> create(std::unique_ptr<Sequential> body, int64_t projection_in = 0,
                                                  int64_t projection_out = 0);

  std::string kind() const override { return "Residual"; }
  Result<Shape> output_shape(const Shape& input) const override;
  // Keeps a reference to `input` for backward.
  Status forward(const Tensor& input, Tensor& output) override;
  Status backward(const Tensor& grad_output, Tensor* grad_input) override;
  std::vector<Parameter*> parameters() override;
  std::vector<Buffer*> buffers() override;
  std::vector<Counter*> counters() override;
  nlohmann::json describe() const override;
  void reset_parameters(uint64_t seed) override;
  void set_training(bool training) override;
  void set_backend(Backend* backend) override;

  Sequential& body() { return *body_; }

 private:
  Residual(std::unique_ptr<Sequential> body, LayerPtr projection);

  std::unique_ptr<Sequential> body_;
  LayerPtr projection_;  // null for an identity shortcut
  const Tensor* input_ = nullptr;
  Tensor body_output_;
  Tensor shortcut_output_;
  Tensor gradient_;
};

// Marks trainable (or frozen) every parameter whose name starts with `prefix` ("" for
// all); returns how many parameters it changed. Frozen parameters get no gradient.
int set_trainable(Layer& model, std::string_view prefix, bool trainable);
// Freezes (trainable = false) or unfreezes the layers [begin, end) of a Sequential.
void set_layers_trainable(Sequential& model, size_t begin, size_t end, bool trainable);
// Sum of the element counts of all (or only trainable) parameters.
int64_t count_parameters(Layer& model, bool trainable_only = false);

// One shared trunk and one head per output track; the training loop sums the heads'
// losses weighted by loss_weight(i).
class MultiHead {
 public:
  MultiHead(std::unique_ptr<Sequential> trunk, uint64_t seed = 0);
  // The head's parameters become "heads.<i>.<name>"; the trunk's are "trunk.<name>".
  MultiHead& add_head(std::unique_ptr<Sequential> head, float loss_weight = 1.0f);

  size_t heads() const { return heads_.size(); }
  float loss_weight(size_t head) const { return loss_weights_[head]; }
  Sequential& trunk() { return *trunk_; }
  Sequential& head(size_t index) { return *heads_[index]; }

  // One output per head, owned by the model until the next forward.
  Result<std::vector<const Tensor*>> forward(const Tensor& input);
  // One output gradient per head (already scaled by the loss weights, as the loss was);
  // the trunk receives their sum, added in head order.
  Status backward(const std::vector<const Tensor*>& grad_outputs);

  std::vector<Parameter*> parameters();
  std::vector<Buffer*> buffers();
  std::vector<Counter*> counters();
  void set_training(bool training);
  void set_backend(Backend* backend);

 private:
  uint64_t seed_;
  std::unique_ptr<Sequential> trunk_;
  std::vector<std::unique_ptr<Sequential>> heads_;
  std::vector<float> loss_weights_;
  Tensor trunk_gradient_;
  Tensor head_gradient_;
};

// One trunk embeds two inputs (e.g. reference and alternative allele windows); the
// head sees trunk(a) - trunk(b). Both inputs go through the trunk as one batch
// [a; b], so BatchNorm in the trunk sees 2N samples.
class Siamese {
 public:
  Siamese(std::unique_ptr<Sequential> trunk, std::unique_ptr<Sequential> head, uint64_t seed = 0);

  Sequential& trunk() { return *trunk_; }
  Sequential& head() { return *head_; }

  Result<const Tensor*> forward(const Tensor& a, const Tensor& b);
  Status backward(const Tensor& grad_output);

  std::vector<Parameter*> parameters();
  std::vector<Buffer*> buffers();
  std::vector<Counter*> counters();
  void set_training(bool training);
  void set_backend(Backend* backend);

 private:
  std::unique_ptr<Sequential> trunk_;
  std::unique_ptr<Sequential> head_;
  Tensor pair_batch_;
  Tensor difference_;
  Tensor difference_gradient_;
  Tensor pair_gradient_;
};

// Rebuilds a layer (Sequential and Residual included) from describe()'s JSON; fails
// naming the unknown kind or the missing field.
Result<LayerPtr> layer_from_description(const nlohmann::json& description);
Result<std::unique_ptr<Sequential>> sequential_from_description(const nlohmann::json& description,
                                                                uint64_t seed = 0);

}  // namespace epibook::nn
