// Re-binning by mean: hand-computed examples (25 bp -> 32 bp) and the property that
// the per-base form and the binned form agree on any track.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "epibook/prep.h"
#include "epibook/random.h"

namespace epibook {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Each binned value repeated over the bases of its bin (the track a 25 bp bigWig holds).
std::vector<float> expand(const std::vector<float>& binned, uint32_t bin) {
  std::vector<float> per_base;
  for (float v : binned) per_base.insert(per_base.end(), bin, v);
  return per_base;
}

void expect_same_means(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      EXPECT_TRUE(std::isnan(a[i]) && std::isnan(b[i])) << "bin " << i << ": " << a[i] << " vs " << b[i];
    } else {
      EXPECT_NEAR(a[i], b[i], 1e-6 * std::max(1.0f, std::fabs(a[i]))) << "bin " << i;
    }
  }
}

TEST(Rebin, Rebin_25bpTo32bp_KeepsMeanOfOverlaps) {
  const float a = 1, b = 2, c = 3, d = 4;
  auto out = rebin_mean(std::vector<float>{a, b, c, d}, 25, 32);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->size(), 4u);  // 100 bp: three full bins and a 4 bp tail
  EXPECT_FLOAT_EQ((*out)[0], (25 * a + 7 * b) / 32);
  EXPECT_FLOAT_EQ((*out)[1], (18 * b + 14 * c) / 32);
  EXPECT_FLOAT_EQ((*out)[2], (11 * c + 21 * d) / 32);
  EXPECT_FLOAT_EQ((*out)[3], d);  // the tail keeps the mean of the 4 bases it has
}

TEST(Rebin, DropTailLeavesOnlyFullBins) {
  auto out = rebin_mean(std::vector<float>{1, 2, 3, 4}, 25, 32, BinTail::kDrop);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->size(), 3u);
  auto per_base = bin_mean(std::vector<float>(100, 1.0f), 32, BinTail::kDrop);
  ASSERT_TRUE(per_base.is_ok());
  EXPECT_EQ(per_base->size(), 3u);
}

TEST(Rebin, NaNInputBinsContributeNothing) {
  auto out = rebin_mean(std::vector<float>{2, kNaN, kNaN, kNaN}, 25, 32);
  ASSERT_TRUE(out.is_ok());
  EXPECT_FLOAT_EQ((*out)[0], 2.0f) << "only the 25 bases with data count, not 32";
  EXPECT_TRUE(std::isnan((*out)[1]));
  EXPECT_TRUE(std::isnan((*out)[3]));
}

TEST(BinMean, AveragesOnlyBasesWithData) {
  auto out = bin_mean(std::vector<float>{1, kNaN, 3, kNaN, kNaN, kNaN, 7}, 3);
  ASSERT_TRUE(out.is_ok());
  ASSERT_EQ(out->size(), 3u);
  EXPECT_FLOAT_EQ((*out)[0], 2.0f);
  EXPECT_TRUE(std::isnan((*out)[1]));
  EXPECT_FLOAT_EQ((*out)[2], 7.0f);
}

TEST(BinMean, ZeroBinSizeIsAnError) {
  EXPECT_FALSE(bin_mean(std::vector<float>{1, 2}, 0).is_ok());
  EXPECT_FALSE(rebin_mean(std::vector<float>{1, 2}, 25, 0).is_ok());
  EXPECT_FALSE(rebin_mean(std::vector<float>{1, 2}, 0, 32).is_ok());
}

TEST(Rebin, WrongValueCountIsAnError) {
  const std::vector<float> values = {1, 2, 3};
  const BinnedTrack track{0, 100, 25, values};  // 100 bp in 25 bp bins needs 4 values
  auto out = rebin_mean(track, 0, 100, 32);
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("needs 4 values, has 3"), std::string::npos) << out.status().message();
}

// Random tracks with gaps: both forms give the same bins for every pair of sizes.
TEST(Rebin, BinnedAndPerBaseFormsAgreeOnAnyTrack) {
  CounterRng rng(7);
  const uint32_t sizes[] = {1, 5, 10, 25, 32, 50, 64, 100, 128};
  for (uint32_t input_bin : sizes) {
    for (uint32_t output_bin : sizes) {
      const size_t count = 1 + rng.next_below(60);
      std::vector<float> binned(count);
      for (float& v : binned) v = rng.next_below(5) == 0 ? kNaN : static_cast<float>(rng.next_double() * 50);
      for (BinTail tail : {BinTail::kKeepPartial, BinTail::kDrop}) {
        auto from_bins = rebin_mean(binned, input_bin, output_bin, tail);
        auto from_bases = bin_mean(expand(binned, input_bin), output_bin, tail);
        ASSERT_TRUE(from_bins.is_ok() && from_bases.is_ok());
        SCOPED_TRACE(std::to_string(input_bin) + " -> " + std::to_string(output_bin));
        expect_same_means(*from_bins, *from_bases);
      }
    }
  }
}

// The genome's 25 bp grid and a window starting off it (as in a dataset): output bins
// must still equal per-base means over the window's own bases.
TEST(Rebin, OffsetWindowOnGenomeGridAgreesWithPerBaseMeans) {
  CounterRng rng(11);
  std::vector<float> binned(80);  // covers [1000, 2990): the last bin is 15 bp, a chromosome end
  for (float& v : binned) v = rng.next_below(6) == 0 ? kNaN : static_cast<float>(rng.next_double() * 9);
  const BinnedTrack track{1000, 2990, 25, binned};
  std::vector<float> per_base = expand(binned, 25);
  per_base.resize(2990 - 1000);
  for (uint64_t window_start : {1000u, 1013u, 1999u}) {
    const uint64_t window_end = std::min<uint64_t>(window_start + 960, 2990);
    auto from_bins = rebin_mean(track, window_start, window_end, 32);
    const std::span<const float> slice(per_base.data() + (window_start - 1000), window_end - window_start);
    auto from_bases = bin_mean(slice, 32);
    ASSERT_TRUE(from_bins.is_ok() && from_bases.is_ok()) << from_bins.status().message();
    SCOPED_TRACE("window start " + std::to_string(window_start));
    expect_same_means(*from_bins, *from_bases);
  }
}

TEST(Rebin, SameSizeSameGridIsIdentity) {
  const std::vector<float> binned = {0.5f, kNaN, 3.25f, 9.0f};
  auto out = rebin_mean(binned, 32, 32);
  ASSERT_TRUE(out.is_ok());
  expect_same_means(*out, binned);
}

}  // namespace
}  // namespace epibook
