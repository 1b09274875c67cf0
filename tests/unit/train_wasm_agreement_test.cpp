// A short training run whose loss curve is pinned: the native build and the wasm build
// (this file runs in both unit suites) must reproduce it. Native kernels use fused
// multiply-adds, which wasm lacks, so the two agree to about 1e-8 relative, not to the
// bit; the test allows 1e-6. Bit-for-bit sameness across thread counts is tested apart.
#include <gtest/gtest.h>

#include <cstdio>

#include "epibook/train.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

std::vector<double> short_run_losses() {
  const testing::MotifDataset d = testing::make_motif_dataset(96, 48, 4);
  TrainingData data;
  data.inputs = nn::Tensor::from_values({96, 4, 48}, d.inputs);
  data.targets = nn::Tensor::from_values({96, 1}, d.labels);
  data.split = d.split;
  TrainOptions o = *train_preset("quick");
  o.data.dir = "in-memory";
  o.loss = "bce";
  o.model.conv_layers = 2;
  o.model.channels = 8;
  o.model.pool = 2;
  o.optimizer = OptimizerKind::kAdamW;
  o.batch_size = 16;
  o.epochs = 5;
  o.schedule.base = 0.01;
  o.schedule.kind = nn::LearningRateSchedule::Kind::kWarmupCosine;
  o.schedule.warmup_steps = 4;
  auto model = build_model(o.model, nn::Shape{1, 4, 48}, nn::Shape{1, 1}, o.seed);
  EXPECT_TRUE(model.is_ok());
  auto trainer = Trainer::create(**model, data, o);
  EXPECT_TRUE(trainer.is_ok()) << trainer.status().message();
  while (!(*trainer)->finished()) EXPECT_TRUE((*trainer)->run_epoch().is_ok());
  return (*trainer)->state().step_losses;
}

TEST(TrainWasmAgreement, ShortRunLossCurveIsPinnedWithinOneInAMillion) {
  const std::vector<double> losses = short_run_losses();
  ASSERT_EQ(losses.size(), 25u);
  std::printf("first %.17g, last %.17g\n", losses.front(), losses.back());
  EXPECT_NEAR(losses.front(), 0.75425624187463247, 0.75425624187463247 * 1e-6);
  EXPECT_NEAR(losses.back(), 0.66681089386031411, 0.66681089386031411 * 1e-6);
  // The curve falls: the pinned values are a training run, not a constant.
  EXPECT_LT(losses.back(), losses.front() - 0.05);
}

}  // namespace
}  // namespace epibook
