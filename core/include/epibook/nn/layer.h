// The contract between layers, models and the training loop: a Layer maps an input
// tensor to an output, and back-propagates a gradient; its Parameters carry value,
// gradient and a trainable flag that freezing clears. Losses and optimisers
// (training's headers) work on these Parameters only.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

namespace epibook::nn {

class Backend;

// A learnable tensor. `name` follows PyTorch's state_dict ("weight", or "0.weight"
// once the layer sits in a Sequential at index 0). A frozen parameter
// (trainable == false) gets no gradient from backward and no update from optimisers.
struct Parameter {
  std::string name;
  Tensor value;
  Tensor grad;  // same shape as value; backward adds to it, the training loop zeroes it
  bool trainable = true;
};

// State that is not learned by gradient but belongs to the model (BatchNorm's
// running mean and variance). Saved in checkpoints and exported to PyTorch.
struct Buffer {
  std::string name;
  Tensor value;
};

// An integer that must survive a checkpoint for a resumed run to repeat an
// uninterrupted one: BatchNorm's num_batches_tracked (also a PyTorch buffer) or
// Dropout's position in its random stream (epibook only).
struct Counter {
  std::string name;
  uint64_t value = 0;
  bool in_state_dict = true;  // exported to PyTorch's state_dict
};

class Layer {
 public:
  Layer();
  virtual ~Layer();
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // PyTorch's class name of the equivalent module ("Conv1d", "Linear", "ReLU").
  virtual std::string kind() const = 0;
  // The output shape for an input shape, or why the input does not fit this layer.
  virtual Result<Shape> output_shape(const Shape& input) const = 0;

  // Computes `output` (resized as needed) and keeps what backward needs; a layer may
  // keep a reference to `input` (Conv1D, Dense do), so the input must stay alive and
  // unchanged until backward (Sequential keeps every activation). In training
  // mode Dropout drops and BatchNorm uses batch statistics; in eval mode they do not.
  virtual Status forward(const Tensor& input, Tensor& output) = 0;
  // Back-propagates the gradient of the last forward's output: adds parameter
  // gradients to Parameter::grad (trainable parameters only) and writes the gradient
  // of the input to *grad_input, or skips computing it when grad_input is null (the
  // first layer of a model does not need it).
  virtual Status backward(const Tensor& grad_output, Tensor* grad_input) = 0;

  virtual std::vector<Parameter*> parameters() { return {}; }
  virtual std::vector<Buffer*> buffers() { return {}; }
  virtual std::vector<Counter*> counters() { return {}; }

  // The constructor arguments as JSON ({"kind": "Conv1d", "in_channels": 4, ...}),
  // enough to rebuild the layer (see model.h) and its PyTorch twin.
  virtual nlohmann::json describe() const;

  // Draws fresh initial values (PyTorch's default initialisation for the layer) from
  // epibook's counter-based RNG. Each parameter's stream is derived from its name, so
  // the layers of a model (named "0.weight", "2.weight", ...) differ under one seed.
  virtual void reset_parameters(uint64_t seed) {}

  virtual void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

  // Where the arithmetic runs. A Trainer attaches the backend it owns to the whole
  // model (containers pass it to their children); null detaches. A layer that was never
  // attached runs on a one-thread CPU backend private to the calling thread (see
  // backend.h): enough for tests and small predictions, never shared by two trainers.
  virtual void set_backend(Backend* backend) { backend_ = backend; }
  Backend& backend() const;
  // The attached backend, or null when the layer runs on the standalone one.
  Backend* attached_backend() const { return backend_; }

  // Puts "<prefix>." in front of every parameter, buffer and counter name: how a
  // container gives its children PyTorch's dotted names.
  void add_name_prefix(const std::string& prefix);
  // Zeroes every parameter gradient.
  void zero_grad();
  // Marks every parameter (un)trainable.
  void set_trainable(bool trainable);

 private:
  Backend* backend_ = nullptr;
  bool training_ = true;
};

using LayerPtr = std::unique_ptr<Layer>;

}  // namespace epibook::nn
