// Models: PyTorch names, seeded initialisation, freezing, multi-head and siamese
// gradients, rebuilding from a description, and the pinned fingerprints that native
// and wasm builds must both reproduce.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "epibook/nn.h"
#include "unit/nn_gradient_check.h"

namespace epibook::nn {
namespace {

using testing::random_tensor;

Conv1DOptions same_conv(int64_t in, int64_t out, int64_t kernel) {
  Conv1DOptions options;
  options.in_channels = in;
  options.out_channels = out;
  options.kernel_size = kernel;
  options.padding = Padding::kSame;
  return options;
}

std::unique_ptr<Sequential> small_cnn(uint64_t seed) {
  auto model = std::make_unique<Sequential>(seed);
  model->add(Conv1D::create(same_conv(4, 8, 9)))
      .add(LayerPtr(new ReLU()))
      .add(MaxPool1D::create(2))
      .add(Conv1D::create(same_conv(8, 8, 5)))
      .add(LayerPtr(new ReLU()))
      .add(LayerPtr(new GlobalAvgPool1D()))
      .add(Dense::create(8, 2));
  EXPECT_TRUE(model->check().is_ok());
  return model;
}

uint64_t fingerprint(std::span<const float> values) {
  return stable_hash(std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

TEST(NnModel, Sequential_NamesParametersAsPytorchStateDict) {
  auto model = small_cnn(1);
  std::vector<std::string> names;
  for (Parameter* parameter : model->parameters()) names.push_back(parameter->name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"}));
}

TEST(NnModel, SameSeed_GivesTheSameWeightsAndDifferentLayersDiffer) {
  auto a = small_cnn(42);
  auto b = small_cnn(42);
  auto c = small_cnn(43);
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    EXPECT_TRUE(testing::same_values(a->parameters()[i]->value, b->parameters()[i]->value));
    EXPECT_FALSE(testing::same_values(a->parameters()[i]->value, c->parameters()[i]->value));
  }
  // Two 8 -> 8 layers of one shape must not start equal.
  Sequential twins(42);
  twins.add(Conv1D::create(same_conv(8, 8, 3))).add(Conv1D::create(same_conv(8, 8, 3)));
  EXPECT_FALSE(testing::same_values(twins.parameters()[0]->value, twins.parameters()[2]->value));
}

TEST(NnModel, Initialisation_FollowsPytorchBounds) {
  auto model = small_cnn(3);
  const float bound = 1.0f / std::sqrt(4.0f * 9.0f);
  const Tensor& weight = model->parameters()[0]->value;
  float largest = 0.0f;
  double mean = 0.0;
  for (int64_t i = 0; i < weight.size(); ++i) {
    largest = std::max(largest, std::fabs(weight[i]));
    mean += weight[i] / static_cast<double>(weight.size());
  }
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.9f * bound);
  EXPECT_LT(std::fabs(mean), 0.1 * bound);
}

TEST(NnModel, FrozenLayers_GetNoGradientAndBackwardStopsAboveThem) {
  auto model = small_cnn(4);
  EXPECT_EQ(set_trainable(*model, "0.", false), 2);
  set_layers_trainable(*model, 3, 4, false);
  EXPECT_EQ(count_parameters(*model, true), 8 * 2 + 2);
  model->zero_grad();
  const Tensor input = random_tensor({2, 4, 32}, 5);
  auto output = model->run(input);
  ASSERT_TRUE(output.is_ok());
  ASSERT_TRUE(model->backward(Tensor((*output)->shape(), 1.0f), nullptr).is_ok());
  for (Parameter* parameter : model->parameters()) {
    const auto grad = parameter->grad.values();
    const bool any = std::any_of(grad.begin(), grad.end(), [](float v) { return v != 0.0f; });
    EXPECT_EQ(any, parameter->trainable) << parameter->name;
  }
  EXPECT_EQ(set_trainable(*model, "", true), 4);
}

TEST(NnModel, MultiHead_GradientsMatchFiniteDifferencesOfTheWeightedSum) {
  auto trunk = std::make_unique<Sequential>();
  trunk->add(Conv1D::create(same_conv(4, 6, 5))).add(LayerPtr(new GELU()));
  MultiHead model(std::move(trunk), 9);
  auto head_a = std::make_unique<Sequential>();
  head_a->add(LayerPtr(new GlobalAvgPool1D())).add(Dense::create(6, 1));
  auto head_b = std::make_unique<Sequential>();
  head_b->add(Conv1D::create(same_conv(6, 2, 3)));
  model.add_head(std::move(head_a), 0.5f).add_head(std::move(head_b), 2.0f);
  EXPECT_EQ(model.parameters()[0]->name, "trunk.0.weight");
  EXPECT_EQ(model.parameters()[2]->name, "heads.0.1.weight");

  const Tensor input = random_tensor({2, 4, 12}, 10);
  auto loss = [&](const Tensor& x) {
    auto outputs = model.forward(x);
    EXPECT_TRUE(outputs.is_ok());
    double total = 0.0;
    for (size_t h = 0; h < outputs->size(); ++h) total += model.loss_weight(h) * testing::sum_of(*(*outputs)[h]);
    return total;
  };
  loss(input);
  auto outputs = model.forward(input);
  ASSERT_TRUE(outputs.is_ok());
  std::vector<Tensor> grads;
  for (size_t h = 0; h < outputs->size(); ++h) grads.emplace_back((*outputs)[h]->shape(), model.loss_weight(h));
  for (Parameter* parameter : model.parameters()) parameter->grad.set_zero();
  ASSERT_TRUE(model.backward({&grads[0], &grads[1]}).is_ok());
  Parameter& trunk_weight = *model.parameters()[0];
  for (int64_t i = 0; i < trunk_weight.value.size(); i += 7) {
    const float saved = trunk_weight.value[i];
    trunk_weight.value[i] = saved + 1e-3f;
    const double plus = loss(input);
    trunk_weight.value[i] = saved - 1e-3f;
    const double minus = loss(input);
    trunk_weight.value[i] = saved;
    EXPECT_NEAR(trunk_weight.grad[i], (plus - minus) / 2e-3, 2e-3 + 2e-2 * std::fabs((plus - minus) / 2e-3));
  }
}

TEST(NnModel, Siamese_HeadSeesTheDifferenceAndGradientsMatchFiniteDifferences) {
  auto trunk = std::make_unique<Sequential>();
  trunk->add(Conv1D::create(same_conv(4, 5, 3))).add(LayerPtr(new Softplus())).add(LayerPtr(new GlobalAvgPool1D()));
  auto head = std::make_unique<Sequential>();
  head->add(Dense::create(5, 1));
  Siamese model(std::move(trunk), std::move(head), 11);
  const Tensor a = random_tensor({3, 4, 10}, 12);
  const Tensor b = random_tensor({3, 4, 10}, 13);
  auto same = model.forward(a, a);
  ASSERT_TRUE(same.is_ok());
  const float bias = model.head().parameters()[1]->value[0];
  for (int64_t i = 0; i < (*same)->size(); ++i) EXPECT_FLOAT_EQ((**same)[i], bias);  // zero difference

  auto loss = [&]() { return testing::sum_of(**model.forward(a, b)); };
  ASSERT_TRUE(model.forward(a, b).is_ok());
  for (Parameter* parameter : model.parameters()) parameter->grad.set_zero();
  ASSERT_TRUE(model.backward(Tensor({3, 1}, 1.0f)).is_ok());
  Parameter& conv_weight = *model.parameters()[0];
  EXPECT_EQ(conv_weight.name, "trunk.0.weight");
  for (int64_t i = 0; i < conv_weight.value.size(); i += 5) {
    const float saved = conv_weight.value[i];
    conv_weight.value[i] = saved + 1e-3f;
    const double plus = loss();
    conv_weight.value[i] = saved - 1e-3f;
    const double minus = loss();
    conv_weight.value[i] = saved;
    EXPECT_NEAR(conv_weight.grad[i], (plus - minus) / 2e-3, 2e-3 + 2e-2 * std::fabs((plus - minus) / 2e-3));
  }
}

TEST(NnModel, Description_RebuildsTheSameArchitectureAndWeights) {
  auto body = std::make_unique<Sequential>();
  body->add(Conv1D::create(same_conv(4, 4, 3))).add(BatchNorm1D::create(4)).add(Dropout::create(0.1));
  Sequential model(21);
  model.add(Residual::create(std::move(body))).add(LayerPtr(new GELU(true))).add(LayerPtr(new Flatten()));
  ASSERT_TRUE(model.check().is_ok());
  auto rebuilt = sequential_from_description(model.describe(), 21);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().message();
  EXPECT_EQ((*rebuilt)->describe(), model.describe());
  ASSERT_EQ((*rebuilt)->parameters().size(), model.parameters().size());
  for (size_t i = 0; i < model.parameters().size(); ++i) {
    EXPECT_EQ((*rebuilt)->parameters()[i]->name, model.parameters()[i]->name);
    EXPECT_TRUE(testing::same_values((*rebuilt)->parameters()[i]->value, model.parameters()[i]->value));
  }
  EXPECT_EQ(model.parameters()[0]->name, "0.body.0.weight");
}

TEST(NnModel, BadWiringAndBadDescriptions_FailWithSentences) {
  auto model = small_cnn(1);
  auto wrong = model->run(random_tensor({2, 5, 32}, 1));
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_EQ(wrong.status().message(), "layer 0 (Conv1d): Conv1d: input [2, 5, 32] has 5 channels, expected 4");
  auto tiny = model->run(random_tensor({2, 4, 1}, 1));
  EXPECT_FALSE(tiny.is_ok());
  EXPECT_FALSE(layer_from_description(nlohmann::json{{"kind", "Conv1d"}}).is_ok());
  EXPECT_FALSE(layer_from_description(nlohmann::json{{"kind", "Transformer"}}).is_ok());
  EXPECT_FALSE(layer_from_description(nlohmann::json::array()).is_ok());
  EXPECT_FALSE(layer_from_description(nlohmann::json{{"kind", "Residual"}, {"body", 3}}).is_ok());
  EXPECT_FALSE(Conv1D::create(Conv1DOptions{.in_channels = 4, .out_channels = 4, .kernel_size = 3, .stride = 2,
                                            .padding = Padding::kSame})
                   .is_ok());
  EXPECT_FALSE(Dropout::create(1.0).is_ok());
  Sequential broken;
  broken.add(Dense::create(0, 3));
  EXPECT_FALSE(broken.check().is_ok());
  Tensor unused;
  EXPECT_FALSE(broken.forward(random_tensor({1, 3}, 1), unused).is_ok());
}

TEST(NnModel, Dropout_IsSeededByPositionAndIdentityInEval) {
  Sequential a(5);
  a.add(Dropout::create(0.5));
  Sequential b(5);
  b.add(Dropout::create(0.5));
  const Tensor input(Shape{4, 8, 16}, 1.0f);
  const Tensor first = **a.run(input);
  EXPECT_TRUE(testing::same_values(first, (**b.run(input))));
  EXPECT_FALSE(testing::same_values(first, (**a.run(input))));  // the stream moves on
  int kept = 0;
  for (float value : first.values()) kept += value != 0.0f;
  EXPECT_NEAR(kept, 256, 40);
  a.set_training(false);
  EXPECT_TRUE(testing::same_values((**a.run(input)), input));
}

// Pinned fingerprints: initial weights are exact everywhere (integer RNG and one
// double -> float rounding); the forward pass of a seeded CNN must match natively
// and in wasm within 1e-5 (native uses fused multiply-add, wasm cannot).
TEST(NnModel, SeededCnn_MatchesPinnedFingerprintAndOutputs) {
  auto model = small_cnn(20261125);
  std::vector<float> all;
  for (Parameter* parameter : model->parameters()) all.insert(all.end(), parameter->value.values().begin(), parameter->value.values().end());
  EXPECT_EQ(fingerprint(all), 0x6dd0c9583ae54401ULL) << std::hex << fingerprint(all);
  Tensor input({2, 4, 64});
  for (int64_t l = 0; l < 64; ++l) {
    input.at(0, l % 4, l) = 1.0f;
    input.at(1, (l * l) % 4, l) = 1.0f;
  }
  auto output = model->run(input);
  ASSERT_TRUE(output.is_ok());
  const std::vector<float> pinned = {-0.36662388f, -0.08595790f, -0.37069601f, -0.07473783f};
  for (size_t i = 0; i < pinned.size(); ++i) EXPECT_NEAR((**output)[static_cast<int64_t>(i)], pinned[i], 1e-5) << i;
}

}  // namespace
}  // namespace epibook::nn
