// Scores by output bin size (resolution.h) against formulas: replicates of a planted
// signal with independent noise correlate as var(signal) / (var(signal) + var(noise) / b)
// at bin b, and a track of constant blocks keeps all of its shape until the bins are
// wider than the blocks, then r = sqrt(block / bin).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "epibook/random.h"
#include "epibook/resolution.h"
#include "epibook/train.h"

namespace epibook {
namespace {

TEST(Resolution, SpreadBins_RepeatsEachBinOverItsBases) {
  const std::vector<float> binned = {1, 2, 3};
  Result<std::vector<float>> spread = spread_bins(binned, 4, 10);
  ASSERT_TRUE(spread.is_ok()) << spread.status().message();
  EXPECT_EQ(*spread, (std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2, 3, 3}));
  EXPECT_FALSE(spread_bins(binned, 4, 13).is_ok());  // 4 bins cover 13 bp
  EXPECT_FALSE(spread_bins(binned, 0, 10).is_ok());
}

TEST(Resolution, AverageRows_AveragesWithinRowsOnly) {
  const std::vector<float> rows = {1, 2, 3, 4, 5, 6, 7, 8};
  Result<std::vector<float>> coarse = average_rows(rows, 4, 2);
  ASSERT_TRUE(coarse.is_ok());
  EXPECT_EQ(*coarse, (std::vector<float>{1.5f, 3.5f, 5.5f, 7.5f}));
  Result<std::vector<float>> whole = average_rows(rows, 4, 4);
  ASSERT_TRUE(whole.is_ok());
  EXPECT_EQ(*whole, (std::vector<float>{2.5f, 6.5f}));
  EXPECT_FALSE(average_rows(rows, 4, 3).is_ok());
  EXPECT_FALSE(average_rows(rows, 3, 3).is_ok());
}

// Signal: constant over 256 bp blocks, values uniform in [0, 6) (variance 3). Noise:
// uniform in [-3, 3) per base and replicate (variance 3). At a bin b dividing 256 the
// bin's signal keeps variance 3 and its noise has 3 / b, so r = 1 / (1 + 1 / b).
TEST(Resolution, PearsonByBin_ReplicatesFollowTheNoiseAveragingFormula) {
  constexpr uint32_t kBlock = 256;
  constexpr uint32_t kBlocks = 1500;
  CounterRng signal_rng(7, 1), noise_one(7, 2), noise_two(7, 3);
  std::vector<float> one(kBlock * kBlocks), two(kBlock * kBlocks);
  for (uint32_t block = 0; block < kBlocks; ++block) {
    const double level = 6.0 * signal_rng.next_double();
    for (uint32_t i = 0; i < kBlock; ++i) {
      const size_t p = static_cast<size_t>(block) * kBlock + i;
      one[p] = static_cast<float>(level + 6.0 * noise_one.next_double() - 3.0);
      two[p] = static_cast<float>(level + 6.0 * noise_two.next_double() - 3.0);
    }
  }
  const std::vector<uint32_t> bins = {1, 4, 16, 64, 256};
  Result<std::vector<BinScore>> scores = pearson_by_bin(one, two, bins);
  ASSERT_TRUE(scores.is_ok()) << scores.status().message();
  ASSERT_EQ(scores->size(), bins.size());
  for (const BinScore& score : *scores) {
    const double expected = 1.0 / (1.0 + 1.0 / score.bin);
    EXPECT_NEAR(score.pearson, expected, 0.03) << score.bin << " bp";
    EXPECT_EQ(score.bins, one.size() / score.bin);
  }
  // Inflation: every doubling of the bin raises r.
  for (size_t i = 1; i < scores->size(); ++i) EXPECT_GT((*scores)[i].pearson, (*scores)[i - 1].pearson);
}

TEST(Resolution, PearsonByBin_SkipsBinsWithoutDataAndRefusesBadInput) {
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {2, 4, 6, 8, 10, 12, 14, 16};
  a[0] = std::nanf("");
  const std::vector<uint32_t> one = {1};
  Result<std::vector<BinScore>> scores = pearson_by_bin(a, b, one);
  ASSERT_TRUE(scores.is_ok());
  EXPECT_EQ((*scores)[0].bins, 7u);
  EXPECT_NEAR((*scores)[0].pearson, 1.0, 1e-9);
  const std::vector<uint32_t> wide = {16};
  EXPECT_FALSE(pearson_by_bin(a, b, wide).is_ok());
  const std::vector<uint32_t> four = {4};  // two bins: too few for a correlation
  EXPECT_FALSE(pearson_by_bin(a, b, four).is_ok());
  EXPECT_FALSE(pearson_by_bin(a, std::span<const float>(b).first(7), one).is_ok());
}

// Blocks of 32 bp with independent values: a bin of up to 32 bp (dividing it) keeps the
// shape exactly; a bin of k blocks averages k independent values, r = 1 / sqrt(k).
TEST(Resolution, ShapeKept_IsWholeUpToTheFeatureSizeThenFallsAsOneOverRootK) {
  constexpr uint32_t kBlock = 32;
  CounterRng rng(3, 0);
  std::vector<float> track(kBlock * 4096);
  for (size_t block = 0; block < 4096; ++block) {
    const auto level = static_cast<float>(rng.next_double());
    for (uint32_t i = 0; i < kBlock; ++i) track[block * kBlock + i] = level;
  }
  const std::vector<uint32_t> bins = {1, 8, 32, 64, 128};
  Result<std::vector<BinScore>> kept = shape_kept_by_bin(track, bins);
  ASSERT_TRUE(kept.is_ok()) << kept.status().message();
  EXPECT_NEAR((*kept)[0].pearson, 1.0, 1e-9);
  EXPECT_NEAR((*kept)[1].pearson, 1.0, 1e-6);
  EXPECT_NEAR((*kept)[2].pearson, 1.0, 1e-6);
  EXPECT_NEAR((*kept)[3].pearson, std::sqrt(0.5), 0.03);
  EXPECT_NEAR((*kept)[4].pearson, 0.5, 0.03);
}

// One model, any output bin: the conv head's outputs averaged over each target bin are
// the per-base model's outputs averaged by resolution.h, since the seed gives both the
// same weights (averaging adds none).
TEST(Resolution, ConvHead_AtACoarserTargetBinAveragesThePerBaseOutputs) {
  ModelSpec spec;
  spec.conv_layers = 2;
  spec.channels = 6;
  spec.kernel_size = 5;
  spec.pool = 0;
  spec.head = "conv";
  auto per_base = build_model(spec, nn::Shape{3, 4, 64}, nn::Shape{3, 1, 64}, 11);
  auto per_eight = build_model(spec, nn::Shape{3, 4, 64}, nn::Shape{3, 1, 8}, 11);
  ASSERT_TRUE(per_base.is_ok() && per_eight.is_ok()) << per_eight.status().message();
  nn::Tensor input(nn::Shape{3, 4, 64});
  CounterRng rng(5, 0);
  for (int64_t i = 0; i < input.size(); ++i) input.data()[i] = rng.next_double() < 0.25 ? 1.0f : 0.0f;
  nn::Tensor fine, coarse;
  ASSERT_TRUE((*per_base)->forward(input, fine).is_ok());
  ASSERT_TRUE((*per_eight)->forward(input, coarse).is_ok());
  ASSERT_EQ(coarse.shape().text(), nn::Shape({3, 1, 8}).text());
  Result<std::vector<float>> averaged = average_rows(std::span<const float>(fine.data(), fine.size()), 64, 8);
  ASSERT_TRUE(averaged.is_ok());
  for (int64_t i = 0; i < coarse.size(); ++i) EXPECT_NEAR(coarse.data()[i], (*averaged)[i], 1e-6);
  EXPECT_FALSE(build_model(spec, nn::Shape{3, 4, 64}, nn::Shape{3, 1, 7}, 11).is_ok());
}

}  // namespace
}  // namespace epibook
