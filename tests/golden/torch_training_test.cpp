// The engine against PyTorch 1.13 (torch_training_reference.py): the same small CNN
// (2 Conv1d blocks + pooling + global average + Linear), the same initial weights
// (ours, exported as npy under PyTorch's state_dict names), the same 300 batches and
// BCE-with-logits loss with pos_weight, trained with SGD (momentum 0.9) and with Adam.
// Per-step losses agree within 1e-6 relative over the first 20 steps and 1e-5 over the
// first 100; later, rounding differences (float32 sums in another order) grow as in any
// two runs of SGD, so over the last 50 of 300 steps the mean loss must agree within 1%.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
#include "epibook/train.h"
#include "support/test_support.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

constexpr uint64_t kRows = 256;
constexpr uint64_t kLength = 64;
constexpr uint32_t kBatch = 32;
constexpr int kSteps = 300;

// Row r of step s: a fixed permutation walk, written for PyTorch to replay.
std::vector<int32_t> batch_rows() {
  std::vector<int32_t> rows;
  CounterRng rng(11);
  for (int step = 0; step < kSteps; ++step) {
    for (uint32_t i = 0; i < kBatch; ++i) rows.push_back(static_cast<int32_t>(rng.next_below(kRows)));
  }
  return rows;
}

struct TorchRun {
  std::vector<double> ours;
  std::vector<double> theirs;
};

TorchRun train_both(const std::string& optimizer_name, double learning_rate) {
  const std::string dir = testing::scratch_dir("torch-" + optimizer_name);
  std::filesystem::create_directories(dir + "/init");
  EXPECT_TRUE(testing::write_motif_dataset(dir, kRows, kLength, 21));
  ModelSpec spec;
  spec.conv_layers = 2;
  spec.channels = 16;
  spec.kernel_size = 5;
  spec.pool = 2;
  auto built = build_model(spec, nn::Shape{1, 4, kLength}, nn::Shape{1, 1}, 3);
  EXPECT_TRUE(built.is_ok()) << built.status().message();
  nn::Layer& model = **built;
  testing::write_file(dir + "/model.json", model.describe().dump());
  for (nn::Parameter* p : model.parameters()) {
    EXPECT_TRUE(write_npy(dir + "/init/" + p->name + ".npy", p->value.values(), p->value.shape().as_npy_shape()).is_ok());
  }
  const std::vector<int32_t> rows = batch_rows();
  const std::vector<uint64_t> rows_shape{static_cast<uint64_t>(kSteps), kBatch};
  EXPECT_TRUE(write_npy(dir + "/batch_rows.npy", rows, rows_shape).is_ok());

  DataOptions data_options{dir};
  data_options.split = "";
  auto data = load_training_data(data_options);
  EXPECT_TRUE(data.is_ok());
  nn::BceWithLogitsLoss loss({1.5f});
  std::unique_ptr<nn::Optimizer> optimizer;
  if (optimizer_name == "sgd") {
    optimizer = std::make_unique<nn::Sgd>(model.parameters(), nn::SgdOptions{learning_rate, 0.9, 0.0, 0.0, false});
  } else {
    optimizer = std::make_unique<nn::Adam>(model.parameters(), nn::AdamOptions{learning_rate}, false);
  }
  TorchRun run;
  nn::Tensor inputs, targets, outputs, grad;
  for (int step = 0; step < kSteps; ++step) {
    const std::vector<uint32_t> batch(rows.begin() + step * kBatch, rows.begin() + (step + 1) * kBatch);
    gather_rows(data->inputs, batch, inputs);
    gather_rows(data->targets, batch, targets);
    model.zero_grad();
    EXPECT_TRUE(model.forward(inputs, outputs).is_ok());
    run.ours.push_back(*loss.evaluate(outputs, targets, &grad));
    EXPECT_TRUE(model.backward(grad, nullptr).is_ok());
    optimizer->step();
  }
  const auto reference = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_GOLDEN_DIR +
                                              "/torch_training_reference.py " + dir + " " + optimizer_name + " " +
                                              std::to_string(learning_rate) + " 2>&1");
  EXPECT_EQ(reference.exit_code, 0) << reference.output;
  if (reference.exit_code == 0) run.theirs = nlohmann::json::parse(reference.output).get<std::vector<double>>();
  return run;
}

// Largest relative difference over steps [0, steps), and of the mean loss over the last 50.
double max_relative(const TorchRun& run, size_t steps) {
  double worst = 0.0;
  for (size_t i = 0; i < steps; ++i) worst = std::max(worst, std::fabs(run.ours[i] - run.theirs[i]) / run.theirs[i]);
  return worst;
}

double tail_relative(const TorchRun& run) {
  double ours = 0.0, theirs = 0.0;
  for (size_t i = run.ours.size() - 50; i < run.ours.size(); ++i) {
    ours += run.ours[i];
    theirs += run.theirs[i];
  }
  return std::fabs(ours - theirs) / theirs;
}

void expect_curves_agree(const TorchRun& run, const std::string& name) {
  ASSERT_EQ(run.theirs.size(), run.ours.size());
  const double first20 = max_relative(run, 20), first100 = max_relative(run, 100), all = max_relative(run, kSteps);
  std::printf("%s: loss %.5f -> %.5f (PyTorch %.5f -> %.5f); max relative difference %.1e (steps 1-20), "
              "%.1e (1-100), %.1e (1-300); mean of the last 50 steps differs by %.1e\n",
              name.c_str(), run.ours.front(), run.ours.back(), run.theirs.front(), run.theirs.back(), first20,
              first100, all, tail_relative(run));
  EXPECT_LT(first20, 1e-6) << name;
  EXPECT_LT(first100, 1e-5) << name;
  EXPECT_LT(tail_relative(run), 1e-2) << name;
  EXPECT_LT(run.ours.back(), 0.8 * run.ours.front()) << name << " did not learn";
}

TEST(TorchTraining, SgdWithMomentumFollowsPyTorchsLossCurve) {
  expect_curves_agree(train_both("sgd", 0.05), "SGD");
}

TEST(TorchTraining, AdamFollowsPyTorchsLossCurve) {
  expect_curves_agree(train_both("adam", 0.003), "Adam");
}

}  // namespace
}  // namespace epibook
