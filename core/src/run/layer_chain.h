// Private to core/src/run: the layers of a ModelSpec run one after another, with
// PyTorch's nn.Sequential names ("0.weight", "3.bias"), so a trained model's
// parameters load into the PyTorch twin by name. Keeps every activation alive between
// forward and backward, as the layers require.
#pragma once

#include <vector>

#include "epibook/nn/layer.h"

namespace epibook {

class LayerChain final : public nn::Layer {
 public:
  // Appends a layer and gives its parameters the index prefix.
  void append(nn::LayerPtr layer);
  size_t size() const { return layers_.size(); }

  std::string kind() const override { return "Sequential"; }
  Result<nn::Shape> output_shape(const nn::Shape& input) const override;
  Status forward(const nn::Tensor& input, nn::Tensor& output) override;
  Status backward(const nn::Tensor& grad_output, nn::Tensor* grad_input) override;
  std::vector<nn::Parameter*> parameters() override;
  std::vector<nn::Buffer*> buffers() override;
  std::vector<nn::Counter*> counters() override;
  nlohmann::json describe() const override;
  void reset_parameters(uint64_t seed) override;
  void set_training(bool training) override;
  void set_backend(nn::Backend& backend) override;

 private:
  std::vector<nn::LayerPtr> layers_;
  std::vector<nn::Tensor> activations_;  // output of layer i
  std::vector<nn::Tensor> gradients_;    // two buffers, swapped layer by layer
};

}  // namespace epibook
