// A short training run whose loss curve is pinned: the native build and the wasm build
// (this file runs in both unit suites) must reproduce it. The tolerance is zero: the
// values and a hash of their bits are compared exactly.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "epibook/random.h"
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

TEST(TrainWasmAgreement, ShortRunLossCurveIsPinnedToTheBit) {
  const std::vector<double> losses = short_run_losses();
  ASSERT_EQ(losses.size(), 25u);
  const std::string bytes(reinterpret_cast<const char*>(losses.data()), losses.size() * sizeof(double));
  const uint64_t fingerprint = stable_hash(bytes);
  std::printf("first %.17g, last %.17g, fingerprint %016llx\n", losses.front(), losses.back(),
              static_cast<unsigned long long>(fingerprint));
  EXPECT_EQ(losses.front(), 0.75425624187463247);
  EXPECT_EQ(losses.back(), 0.66681089386031411);
  EXPECT_EQ(fingerprint, 0x426428f493710a39ULL);
}

}  // namespace
}  // namespace epibook
