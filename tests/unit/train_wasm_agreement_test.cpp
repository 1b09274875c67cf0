// Training runs whose loss curves are pinned: the native build and the wasm build (this
// file runs in both unit suites) must reproduce them. The lab-sized run: native
// kernels that fuse multiply-adds (AVX2, AVX-512; wasm has none) agree with wasm to
// about 1e-8 relative, not to the bit; the test allows 1e-6. The benchmark CNN: see its
// test below. Bit-for-bit sameness across thread counts is tested apart.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "epibook/nn/backend.h"
#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
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

TEST(TrainWasmAgreement, ShortRunLossCurveIsPinnedWithinOneInAMillion) {
  const std::vector<double> losses = short_run_losses();
  ASSERT_EQ(losses.size(), 25u);
  std::printf("first %.17g, last %.17g\n", losses.front(), losses.back());
  EXPECT_NEAR(losses.front(), 0.75425624187463247, 0.75425624187463247 * 1e-6);
  EXPECT_NEAR(losses.back(), 0.66681089386031411, 0.66681089386031411 * 1e-6);
  // The curve falls: the pinned values are a training run, not a constant.
  EXPECT_LT(losses.back(), losses.front() - 0.05);
}

// The benchmark CNN of tests/bench/train_bench.cpp (4 x [Conv1d k9, 64 channels, ReLU,
// MaxPool 2], global average, Linear 64 -> 1; BCE with logits; Adam at 1e-3), on a
// smaller batch (16 x 512 bp), its loss after each of 14 steps on `kernels`.
std::vector<double> benchmark_cnn_losses(const std::string& kernels) {
  constexpr int64_t kBatch = 16, kLength = 512;
  ModelSpec spec;
  spec.conv_layers = 4;
  spec.channels = 64;
  spec.kernel_size = 9;
  spec.pool = 2;
  spec.head = "global_avg_dense";
  spec.outputs = 1;
  nn::Tensor inputs(nn::Shape{kBatch, 4, kLength});
  nn::Tensor labels(nn::Shape{kBatch, 1});
  CounterRng rng(7);
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t i = 0; i < kLength; ++i) inputs.at(n, static_cast<int64_t>(rng.next_below(4)), i) = 1.0f;
    labels[n] = static_cast<float>(rng.next_below(2));
  }
  nn::CpuBackend backend(1);
  EXPECT_TRUE(backend.use_conv_kernels(kernels).is_ok()) << kernels;
  auto model = build_model(spec, nn::Shape{1, 4, kLength}, nn::Shape{1, 1}, 1);
  EXPECT_TRUE(model.is_ok());
  (*model)->set_backend(&backend);
  nn::Adam adam((*model)->parameters(), nn::AdamOptions{}, false);
  nn::BceWithLogitsLoss loss;
  nn::Tensor outputs, grad;
  std::vector<double> losses;
  for (int step = 0; step < 14; ++step) {
    adam.zero_grad();
    EXPECT_TRUE((*model)->forward(inputs, outputs).is_ok());
    losses.push_back(*loss.evaluate(outputs, labels, &grad));
    EXPECT_TRUE((*model)->backward(grad, nullptr).is_ok());
    adam.step();
  }
  (*model)->set_backend(nullptr);
  return losses;
}

// The benchmark CNN's curve as the wasm build computes it (wasm-simd128 kernels, node 20).
const std::vector<double> kWasmCurve = {
    0.69317828381622837, 0.69207023330797712, 0.6907497042784535,  0.68886842118308467, 0.68633797315067535,
    0.68255170287666589, 0.67702818774951345, 0.66927433675705483, 0.67213960575913856, 0.69424642069997311,
    0.65572395210304868, 0.68016081496566994, 0.65418324983167808, 0.65299859679133176};

double relative_difference(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

// Native against wasm on the benchmark CNN, the decision of README.md ("Native and
// WebAssembly"): kernels that multiply then add (baseline, wasm-simd128) follow the wasm
// curve within 1e-5 for all 14 steps (measured: 4e-8 through step 11, 6.5e-6 at step 14;
// what is left is Eigen's dense product order and libm's last bits). Kernels that fuse
// (avx2, avx512) agree with it within 1e-6 for the first 3 steps only: Adam divides each
// gradient by its own size, so a rounding-sized difference in a gradient near zero becomes
// a step of the full learning rate in another direction, and from step 4 the fused curve
// parts (2.9e-6 at step 4, 3% at step 12 on this unsettled run). The fused paths agree
// with each other to the bit, so every AVX2 or AVX-512 machine gives the same curve.
TEST(TrainWasmAgreement, BenchmarkCnn_UnfusedKernelsFollowTheWasmCurve_FusedOnlyItsFirstSteps) {
  std::vector<double> fused;
  for (const std::string& path : nn::conv_kernel_paths()) {
    SCOPED_TRACE(path);
    const std::vector<double> losses = benchmark_cnn_losses(path);
    ASSERT_EQ(losses.size(), kWasmCurve.size());
    const bool fuses = path == "avx512" || path == "avx2";
    double largest = 0.0;
    for (size_t step = 0; step < losses.size(); ++step) {
      const double difference = relative_difference(losses[step], kWasmCurve[step]);
      largest = std::max(largest, difference);
      if (!fuses) {
        EXPECT_LE(difference, 1e-5) << "step " << step + 1;
      } else if (step < 3) {
        EXPECT_LE(difference, 1e-6) << "step " << step + 1;
      }
    }
    std::printf("%-12s largest relative difference from the wasm curve over 14 steps: %.2g\n", path.c_str(), largest);
    if (fuses) {
      if (!fused.empty()) {
        EXPECT_EQ(losses, fused) << "the fused paths should give the same bits";
      }
      fused = losses;
    }
  }
  // The curve learns (it is a training run, not a constant).
  EXPECT_LT(kWasmCurve.back(), kWasmCurve.front() - 0.03);
}

}  // namespace
}  // namespace epibook
