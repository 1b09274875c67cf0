// Every layer's backward against finite differences (input and parameter gradients),
// in the configurations the book's models use: the specification of backward().
#include <gtest/gtest.h>

#include "epibook/nn.h"
#include "unit/nn_gradient_check.h"

namespace epibook::nn {
namespace {

using testing::expect_gradients_match;
using testing::random_tensor;

std::unique_ptr<Conv1D> conv(const Conv1DOptions& options) {
  auto layer = Conv1D::create(options);
  EXPECT_TRUE(layer.is_ok()) << layer.status().message();
  (*layer)->reset_parameters(7);
  return std::move(layer).value();
}

TEST(NnLayerGradient, Conv1D_SamePaddingDilatedEvenKernel_MatchesFiniteDifferences) {
  auto layer = conv({.in_channels = 3, .out_channels = 4, .kernel_size = 4, .dilation = 2, .padding = Padding::kSame});
  expect_gradients_match(*layer, random_tensor({2, 3, 13}, 1), 11);
}

TEST(NnLayerGradient, Conv1D_ValidStrided_MatchesFiniteDifferences) {
  auto layer = conv({.in_channels = 2, .out_channels = 3, .kernel_size = 3, .stride = 2});
  expect_gradients_match(*layer, random_tensor({3, 2, 12}, 2), 12);
}

TEST(NnLayerGradient, Conv1D_SymmetricPaddingStridedDilated_MatchesFiniteDifferences) {
  auto layer = conv({.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 3, .dilation = 2,
                     .padding = Padding::kSymmetric, .padding_size = 2});
  expect_gradients_match(*layer, random_tensor({2, 2, 11}, 3), 13);
}

TEST(NnLayerGradient, Conv1D_PointwiseWithoutBias_MatchesFiniteDifferences) {
  auto layer = conv({.in_channels = 5, .out_channels = 3, .kernel_size = 1, .bias = false});
  expect_gradients_match(*layer, random_tensor({2, 5, 7}, 4), 14);
}

TEST(NnLayerGradient, Conv1D_WideSameManyChannels_MatchesFiniteDifferences) {
  auto layer = conv({.in_channels = 16, .out_channels = 24, .kernel_size = 9, .padding = Padding::kSame});
  expect_gradients_match(*layer, random_tensor({3, 16, 70}, 5), 15);
}

TEST(NnLayerGradient, Dense_OnMatrixAndOnSequenceLastAxis_MatchesFiniteDifferences) {
  auto layer = Dense::create(6, 4);
  ASSERT_TRUE(layer.is_ok());
  (*layer)->reset_parameters(3);
  expect_gradients_match(**layer, random_tensor({5, 6}, 6), 16);
  expect_gradients_match(**layer, random_tensor({2, 3, 6}, 7), 17);
}

TEST(NnLayerGradient, Activations_MatchFiniteDifferences) {
  ReLU relu;
  GELU gelu;
  GELU gelu_tanh(true);
  Softplus softplus;
  Sigmoid sigmoid;
  for (Layer* layer : std::initializer_list<Layer*>{&relu, &gelu, &gelu_tanh, &softplus, &sigmoid}) {
    SCOPED_TRACE(layer->kind());
    expect_gradients_match(*layer, random_tensor({2, 3, 9}, 8, -4.0f, 4.0f, 0.05f), 18);
  }
}

TEST(NnLayerGradient, Softplus_AboveThreshold_IsIdentityWithUnitGradient) {
  Softplus softplus;
  Tensor input = Tensor::from_values({1, 1, 2}, {25.0f, 30.0f});
  Tensor output;
  ASSERT_TRUE(softplus.forward(input, output).is_ok());
  EXPECT_EQ(output[0], 25.0f);
  Tensor grad;
  ASSERT_TRUE(softplus.backward(Tensor({1, 1, 2}, 1.0f), &grad).is_ok());
  EXPECT_EQ(grad[1], 1.0f);
}

TEST(NnLayerGradient, Pooling_MatchesFiniteDifferences) {
  auto max_pool = MaxPool1D::create(3, 2);
  auto avg_pool = AvgPool1D::create(4, 3);
  ASSERT_TRUE(max_pool.is_ok() && avg_pool.is_ok());
  GlobalAvgPool1D global;
  Flatten flatten;
  for (Layer* layer : std::initializer_list<Layer*>{max_pool->get(), avg_pool->get(), &global, &flatten}) {
    SCOPED_TRACE(layer->kind());
    // Values on a grid 0.1 apart: no near-ties for max pooling to flip under the step.
    Tensor input = random_tensor({2, 3, 14}, 9);
    for (int64_t i = 0; i < input.size(); ++i) input[i] = static_cast<float>((i * 37) % 101) * 0.1f;
    expect_gradients_match(*layer, input, 19);
  }
}

TEST(NnLayerGradient, BatchNorm1D_TrainingAndEval_MatchFiniteDifferences) {
  auto norm = BatchNorm1D::create(3);
  ASSERT_TRUE(norm.is_ok());
  BatchNorm1D& layer = **norm;
  layer.parameters()[0]->value = random_tensor({3}, 10, 0.5f, 1.5f);
  layer.parameters()[1]->value = random_tensor({3}, 11);
  expect_gradients_match(layer, random_tensor({4, 3, 5}, 12, -2.0f, 3.0f), 20);
  expect_gradients_match(layer, random_tensor({6, 3}, 13), 21);
  layer.set_training(false);
  expect_gradients_match(layer, random_tensor({4, 3, 5}, 14), 22);
}

TEST(NnLayerGradient, Dropout_Training_MatchesFiniteDifferencesWithItsMask) {
  auto dropout = Dropout::create(0.3);
  ASSERT_TRUE(dropout.is_ok());
  expect_gradients_match(**dropout, random_tensor({2, 4, 10}, 15), 23);
}

TEST(NnLayerGradient, Residual_IdentityAndProjection_MatchFiniteDifferences) {
  auto identity_body = std::make_unique<Sequential>(1);
  identity_body->add(Conv1D::create({.in_channels = 3, .out_channels = 3, .kernel_size = 3, .padding = Padding::kSame}))
      .add(LayerPtr(new GELU()));
  auto identity = Residual::create(std::move(identity_body));
  ASSERT_TRUE(identity.is_ok()) << identity.status().message();
  expect_gradients_match(**identity, random_tensor({2, 3, 8}, 16), 24);

  auto projected_body = std::make_unique<Sequential>(2);
  projected_body->add(Conv1D::create({.in_channels = 3, .out_channels = 5, .kernel_size = 5, .padding = Padding::kSame}));
  auto projected = Residual::create(std::move(projected_body), 3, 5);
  ASSERT_TRUE(projected.is_ok()) << projected.status().message();
  (*projected)->reset_parameters(3);
  expect_gradients_match(**projected, random_tensor({2, 3, 8}, 17), 25);
}

TEST(NnLayerGradient, Sequential_ConvPoolDenseStack_MatchesFiniteDifferences) {
  Sequential model(5);
  model.add(Conv1D::create({.in_channels = 4, .out_channels = 6, .kernel_size = 5, .padding = Padding::kSame}))
      .add(LayerPtr(new Softplus()))
      .add(AvgPool1D::create(2))
      .add(BatchNorm1D::create(6))
      .add(Conv1D::create({.in_channels = 6, .out_channels = 4, .kernel_size = 3, .dilation = 2}))
      .add(LayerPtr(new Flatten()))
      .add(Dense::create(4 * 6, 3))
      .add(LayerPtr(new Sigmoid()));
  ASSERT_TRUE(model.check().is_ok()) << model.check().message();
  expect_gradients_match(model, random_tensor({3, 4, 20}, 18), 26);
}

}  // namespace
}  // namespace epibook::nn
