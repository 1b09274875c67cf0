// epibook's forward pass against PyTorch 1.13 on the same weights and inputs: each
// model is exported to .npz, loaded by scripts/load_epibook_weights.py into a
// torch.nn.Sequential (no epibook involved), run on the same batch, and the outputs
// compared. Covers Conv1D (same / valid / strided / dilated), pooling, BatchNorm in
// both modes, every activation, Residual and Dense, and the export format itself.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>

#include "epibook/nn.h"
#include "epibook/nn/state_dict.h"
#include "epibook/npy.h"
#include "support/test_support.h"
#include "unit/nn_gradient_check.h"

namespace epibook::nn {
namespace {

std::string loader_script() { return std::string(EPIBOOK_TEST_SOURCE_DIR) + "/../scripts/load_epibook_weights.py"; }

// Runs `model` here and in PyTorch on `input`; returns the largest |difference| relative
// to max(1, |PyTorch's value|), or fails the test.
double largest_difference_from_pytorch(Sequential& model, const Tensor& input, const std::string& name,
                                       bool train_mode) {
  const std::string dir = ::epibook::testing::scratch_dir("nn-export-" + name);
  const std::string weights = dir + "/weights.npz";
  const std::string input_path = dir + "/input.npy";
  const std::string output_path = dir + "/output.npy";
  EXPECT_TRUE(save_state_dict_npz(weights, model).is_ok());
  const std::vector<uint64_t> shape = input.shape().as_npy_shape();
  EXPECT_TRUE(write_npy(input_path, input.values(), shape).is_ok());
  const auto ran = ::epibook::testing::run_command(std::string(EPIBOOK_PYTHON) + " " + loader_script() + " " + weights +
                                        " --input " + input_path + " --output " + output_path + " --mode " +
                                        (train_mode ? "train" : "eval"));
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  auto theirs = read_npy(output_path);
  if (!theirs.is_ok()) {
    ADD_FAILURE() << theirs.status().message();
    return INFINITY;
  }
  model.set_training(train_mode);
  Result<const Tensor*> ours = model.run(input);
  EXPECT_TRUE(ours.is_ok()) << ours.status().message();
  if (!ours.is_ok()) return INFINITY;
  const std::vector<float> reference = theirs->as_float32();
  EXPECT_EQ((*ours)->shape().as_npy_shape(), theirs->shape);
  if (static_cast<int64_t>(reference.size()) != (*ours)->size()) return INFINITY;
  double largest = 0.0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const double scale = std::max(1.0, std::fabs(static_cast<double>(reference[i])));
    largest = std::max(largest, std::fabs((**ours)[static_cast<int64_t>(i)] - reference[i]) / scale);
  }
  return largest;
}

Conv1DOptions conv(int64_t in, int64_t out, int64_t kernel, Padding padding = Padding::kSame) {
  Conv1DOptions options;
  options.in_channels = in;
  options.out_channels = out;
  options.kernel_size = kernel;
  options.padding = padding;
  return options;
}

constexpr double kTolerance = 1e-5;

TEST(NnExportPytorch, Conv1DVariants_MatchPytorchForward) {
  Conv1DOptions dilated = conv(4, 8, 4);
  dilated.dilation = 3;
  Conv1DOptions strided = conv(8, 6, 5, Padding::kValid);
  strided.stride = 2;
  Conv1DOptions padded = conv(6, 5, 3, Padding::kSymmetric);
  padded.padding_size = 2;
  padded.bias = false;
  Sequential model(11);
  model.add(Conv1D::create(dilated)).add(Conv1D::create(strided)).add(Conv1D::create(padded));
  ASSERT_TRUE(model.check().is_ok());
  EXPECT_LT(largest_difference_from_pytorch(model, testing::random_tensor({3, 4, 57}, 1), "conv", false), kTolerance);
}

TEST(NnExportPytorch, ActivationsAndPooling_MatchPytorchForward) {
  Sequential model(12);
  model.add(Conv1D::create(conv(4, 6, 9)))
      .add(LayerPtr(new GELU()))
      .add(MaxPool1D::create(3, 2))
      .add(LayerPtr(new GELU(true)))
      .add(AvgPool1D::create(4))
      .add(LayerPtr(new Softplus()))
      .add(Conv1D::create(conv(6, 6, 3)))
      .add(LayerPtr(new ReLU()))
      .add(LayerPtr(new Sigmoid()));
  ASSERT_TRUE(model.check().is_ok());
  EXPECT_LT(largest_difference_from_pytorch(model, testing::random_tensor({2, 4, 101}, 2, -3.0f, 3.0f), "act", false),
            kTolerance);
}

TEST(NnExportPytorch, BatchNormTrainAndEvalWithRunningStatistics_MatchPytorchForward) {
  Sequential model(13);
  model.add(Conv1D::create(conv(4, 5, 5))).add(BatchNorm1D::create(5, 1e-3, 0.2)).add(LayerPtr(new ReLU()));
  ASSERT_TRUE(model.check().is_ok());
  // Two training batches move the running statistics away from (0, 1) first.
  model.set_training(true);
  ASSERT_TRUE(model.run(testing::random_tensor({4, 4, 30}, 3, -1.0f, 3.0f)).is_ok());
  ASSERT_TRUE(model.run(testing::random_tensor({4, 4, 30}, 4, -2.0f, 1.0f)).is_ok());
  const Tensor input = testing::random_tensor({5, 4, 30}, 5, -2.0f, 2.0f);
  EXPECT_LT(largest_difference_from_pytorch(model, input, "bn-eval", false), kTolerance);
  EXPECT_LT(largest_difference_from_pytorch(model, input, "bn-train", true), kTolerance);
}

TEST(NnExportPytorch, ResidualAndDenseHead_MatchPytorchForward) {
  auto body = std::make_unique<Sequential>();
  body->add(Conv1D::create(conv(4, 8, 7))).add(LayerPtr(new ReLU())).add(Conv1D::create(conv(8, 8, 3)));
  auto identity_body = std::make_unique<Sequential>();
  identity_body->add(Conv1D::create(conv(8, 8, 5))).add(LayerPtr(new GELU()));
  Sequential model(14);
  model.add(Residual::create(std::move(body), 4, 8))
      .add(Residual::create(std::move(identity_body)))
      .add(LayerPtr(new GlobalAvgPool1D()))
      .add(Dense::create(8, 3))
      .add(LayerPtr(new Softplus()));
  ASSERT_TRUE(model.check().is_ok()) << model.check().message();
  EXPECT_LT(largest_difference_from_pytorch(model, testing::random_tensor({3, 4, 40}, 6), "residual", false),
            kTolerance);
}

TEST(NnExportPytorch, GenomicsCnnWithFlattenHead_MatchesPytorchForward) {
  Sequential model(15);
  model.add(Conv1D::create(conv(4, 16, 9)))
      .add(LayerPtr(new ReLU()))
      .add(MaxPool1D::create(4))
      .add(Conv1D::create(conv(16, 16, 9)))
      .add(LayerPtr(new ReLU()))
      .add(MaxPool1D::create(4))
      .add(LayerPtr(new Flatten()))
      .add(Dense::create(16 * 12, 2));
  ASSERT_TRUE(model.check().is_ok());
  // One-hot DNA, as the models see it.
  Tensor input({4, 4, 200});
  for (int64_t n = 0; n < 4; ++n) {
    for (int64_t l = 0; l < 200; ++l) input.at(n, static_cast<int64_t>(stable_hash(std::to_string(n * 1000 + l)) % 4), l) = 1.0f;
  }
  EXPECT_LT(largest_difference_from_pytorch(model, input, "cnn", false), kTolerance);
}

TEST(NnExportPytorch, ExportedArchive_LoadsBackIntoAFreshModelBitForBit) {
  Sequential model(16);
  model.add(Conv1D::create(conv(4, 6, 5))).add(BatchNorm1D::create(6)).add(LayerPtr(new ReLU()));
  ASSERT_TRUE(model.run(testing::random_tensor({2, 4, 20}, 7)).is_ok());  // running stats and counter move
  const std::string path = ::epibook::testing::scratch_dir("nn-export-roundtrip") + "/model.npz";
  ASSERT_TRUE(save_state_dict_npz(path, model).is_ok());
  auto architecture = read_npz_architecture(path);
  ASSERT_TRUE(architecture.is_ok()) << architecture.status().message();
  auto rebuilt = sequential_from_description(*architecture, 99);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().message();
  ASSERT_TRUE(load_state_dict_npz(path, ModelState::of(**rebuilt)).is_ok());
  const ModelState original = ModelState::of(model);
  const ModelState loaded = ModelState::of(**rebuilt);
  ASSERT_EQ(original.parameters.size(), loaded.parameters.size());
  for (size_t i = 0; i < original.parameters.size(); ++i) {
    EXPECT_EQ(original.parameters[i]->name, loaded.parameters[i]->name);
    EXPECT_TRUE(testing::same_values(original.parameters[i]->value, loaded.parameters[i]->value));
  }
  EXPECT_TRUE(testing::same_values(original.buffers[0]->value, loaded.buffers[0]->value));
  EXPECT_EQ(loaded.counters[0]->value, 1u);
}

}  // namespace
}  // namespace epibook::nn

namespace epibook::nn {
namespace {

TEST(NnExportPytorch, NumpyCompressedArchive_LoadsIntoEpibook) {
  Sequential model(17);
  model.add(Conv1D::create(conv(4, 3, 3))).add(Dense::create(20, 2));
  const std::string dir = ::epibook::testing::scratch_dir("nn-export-compressed");
  ASSERT_TRUE(save_state_dict_npz(dir + "/plain.npz", model).is_ok());
  // numpy rewrites the archive deflated and doubles every weight.
  const auto ran = ::epibook::testing::run_command(
      std::string(EPIBOOK_PYTHON) + " -c \"import numpy as np; a = np.load('" + dir +
      "/plain.npz'); np.savez_compressed('" + dir +
      "/packed.npz', **{k: (a[k] * 2 if a[k].dtype == np.float32 else a[k]) for k in a.files})\"");
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  Sequential copy(18);
  copy.add(Conv1D::create(conv(4, 3, 3))).add(Dense::create(20, 2));
  Status loaded = load_state_dict_npz(dir + "/packed.npz", ModelState::of(copy));
  ASSERT_TRUE(loaded.is_ok()) << loaded.message();
  for (size_t i = 0; i < model.parameters().size(); ++i) {
    const Tensor& original = model.parameters()[i]->value;
    const Tensor& packed = copy.parameters()[i]->value;
    ASSERT_EQ(original.size(), packed.size());
    for (int64_t j = 0; j < original.size(); ++j) EXPECT_EQ(original[j] * 2.0f, packed[j]);
  }
}

}  // namespace
}  // namespace epibook::nn
