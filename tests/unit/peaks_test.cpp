// The teaching peak caller (peaks.h) on pile-ups small enough to count by hand; the
// Poisson scores are held to scipy.stats.poisson over a wide grid in
// tests/golden/peaks_poisson_test.cpp.
#include "epibook/peaks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace epibook {
namespace {

BedRecord read_at(const std::string& chrom, uint64_t start, uint64_t end, char strand) {
  BedRecord read;
  read.region = {chrom, start, end};
  read.strand = strand;
  return read;
}

TEST(FragmentPileup, PlusReadsExtendRightAndMinusReadsExtendLeft) {
  const std::vector<BedRecord> reads = {read_at("chr1", 10, 12, '+'), read_at("chr1", 18, 20, '-')};
  const auto pileup = fragment_pileup(reads, {"chr1", 8, 24}, 5);
  // '+' covers [10, 15), '-' covers [15, 20).
  const std::vector<uint32_t> expected = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
  EXPECT_EQ(pileup, expected);
}

TEST(FragmentPileup, ClipsToTheSpanAndIgnoresOtherChromosomes) {
  const std::vector<BedRecord> reads = {read_at("chr1", 0, 3, '+'), read_at("chr1", 2, 5, '+'),
                                        read_at("chr2", 2, 5, '+')};
  const auto pileup = fragment_pileup(reads, {"chr1", 3, 7}, 4);
  const std::vector<uint32_t> expected = {2, 1, 1, 0};  // [0,4) and [2,6) seen from base 3
  EXPECT_EQ(pileup, expected);
}

TEST(FragmentPileup, StrandlessReadsCountAsPlus) {
  const std::vector<BedRecord> reads = {read_at("chr1", 4, 6, '.')};
  const auto pileup = fragment_pileup(reads, {"chr1", 0, 10}, 3);
  const std::vector<uint32_t> expected = {0, 0, 0, 0, 1, 1, 1, 0, 0, 0};
  EXPECT_EQ(pileup, expected);
}

TEST(WindowLambda, CountsFragmentCentresInTheWindowScaledByFragmentOverWindow) {
  // d = 4: centres at 12 ('+' from 10) and 18 ('-' ending at 20).
  const std::vector<BedRecord> reads = {read_at("chr1", 10, 11, '+'), read_at("chr1", 19, 20, '-')};
  const auto lambda = window_lambda(reads, {"chr1", 10, 20}, 4, 8);
  // Base x sees centres in [x - 4, x + 4).
  for (size_t i = 0; i < lambda.size(); ++i) {
    const int64_t x = 10 + static_cast<int64_t>(i);
    const int centres = (12 >= x - 4 && 12 < x + 4) + (18 >= x - 4 && 18 < x + 4);
    EXPECT_FLOAT_EQ(lambda[i], centres * 4.0f / 8.0f) << "base " << x;
  }
}

TEST(PoissonUpperTailScore, MatchesHandComputedTails) {
  EXPECT_EQ(poisson_upper_tail_score(0, 3.0), 0.0);
  // P(X >= 1 | 1) = 1 - e^-1; P(X >= 5 | 1) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24).
  EXPECT_NEAR(poisson_upper_tail_score(1, 1.0), 0.1992000846277814, 1e-12);
  EXPECT_NEAR(poisson_upper_tail_score(5, 1.0), 2.436537090406526, 1e-12);
  EXPECT_NEAR(poisson_upper_tail_score(20, 20.0), 0.27593499208734906, 1e-12);
}

TEST(PoissonUpperTailScore, StaysFiniteAndGrowsFarIntoTheTail) {
  const double far = poisson_upper_tail_score(500, 2.0);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_GT(far, 900.0);
  EXPECT_LT(poisson_upper_tail_score(499, 2.0), far);
}

TEST(PeakSignal, LambdaIsTheGenomeWideFloorWithoutLocalEnrichment) {
  // 4 reads spread over 100 kb: the 10 kb windows hold 0 or 1 fragment, and lambda
  // never drops below the genome-wide 4 * d / 100 kb.
  std::vector<BedRecord> reads;
  for (uint64_t at : {1000u, 30000u, 60000u, 90000u}) reads.push_back(read_at("chr1", at, at + 36, '+'));
  PeakCallOptions options;
  options.fragment_length = 100;
  auto signal = compute_peak_signal(reads, {}, {"chr1", 0, 100000}, options);
  ASSERT_TRUE(signal.is_ok()) << signal.status().message();
  EXPECT_EQ(signal->treatment_reads, 4u);
  EXPECT_DOUBLE_EQ(signal->genome_lambda, 4.0 * 100 / 100000);
  for (float lambda : signal->lambda) ASSERT_GE(lambda, static_cast<float>(signal->genome_lambda));
  EXPECT_EQ(signal->scored, signal->pileup.size());
}

TEST(PeakSignal, ControlRaisesLambdaScaledToTreatmentDepth) {
  // Treatment: 2 reads far apart. Control: 8 reads stacked at 5,000, so the control
  // d-window lambda there is 8 * (2 / 8) = 2 fragments.
  const std::vector<BedRecord> treatment = {read_at("chr1", 100, 136, '+'), read_at("chr1", 9000, 9036, '+')};
  std::vector<BedRecord> control(8, read_at("chr1", 4950, 4986, '+'));
  PeakCallOptions options;
  options.fragment_length = 100;
  auto signal = compute_peak_signal(treatment, control, {"chr1", 0, 10000}, options);
  ASSERT_TRUE(signal.is_ok()) << signal.status().message();
  EXPECT_EQ(signal->control_reads, 8u);
  EXPECT_NEAR(signal->lambda[5000], 2.0f, 1e-6);
  EXPECT_NEAR(signal->lambda[100], signal->genome_lambda, 1e-6);
}

TEST(PeakSignal, ScoringInSlicesEqualsScoringAtOnce) {
  std::vector<BedRecord> reads;
  for (uint64_t i = 0; i < 300; ++i) reads.push_back(read_at("chr1", 2000 + (i * 7) % 150, 2036 + (i * 7) % 150, i % 2 ? '+' : '-'));
  for (uint64_t i = 0; i < 100; ++i) reads.push_back(read_at("chr1", i * 97, i * 97 + 36, '+'));
  PeakCallOptions options;
  auto whole = compute_peak_signal(reads, {}, {"chr1", 0, 10000}, options);
  auto sliced = build_peak_signal(reads, {}, {"chr1", 0, 10000}, options);
  ASSERT_TRUE(whole.is_ok() && sliced.is_ok());
  int frames = 0;
  while (!score_bases(*sliced, 777)) ++frames;
  EXPECT_EQ(frames, 12);
  EXPECT_EQ(sliced->score, whole->score);
}

TEST(PeakSignal, RefusesAnEmptySpanZeroFragmentAndNoReads) {
  const std::vector<BedRecord> reads = {read_at("chr1", 10, 46, '+')};
  PeakCallOptions options;
  EXPECT_FALSE(build_peak_signal(reads, {}, {"chr1", 5, 5}, options).is_ok());
  auto off = build_peak_signal(reads, {}, {"chr2", 0, 1000}, options);
  ASSERT_FALSE(off.is_ok());
  EXPECT_NE(off.status().message().find("no treatment read"), std::string::npos) << off.status().message();
  options.fragment_length = 0;
  EXPECT_FALSE(build_peak_signal(reads, {}, {"chr1", 0, 1000}, options).is_ok());
}

// A signal whose scores are given directly, to test the run logic alone.
PeakSignal signal_with_scores(const std::vector<float>& scores) {
  PeakSignal signal;
  signal.span = {"chr1", 100, 100 + scores.size()};
  signal.score = scores;
  signal.scored = scores.size();
  signal.pileup.resize(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) signal.pileup[i] = static_cast<uint32_t>(scores[i] * 2);
  signal.lambda.assign(scores.size(), 1.0f);
  return signal;
}

TEST(CallPeaks, MergesRunsAcrossSmallGapsAndDropsShortOnes) {
  //             0  1  2  3  4  5  6  7  8  9 10 11 12 13
  const auto signal = signal_with_scores({0, 6, 7, 0, 8, 6, 0, 0, 0, 6, 0, 0, 0, 9});
  PeakCallOptions options;
  options.threshold = 5;
  options.max_gap = 1;
  options.min_length = 2;
  const auto peaks = call_peaks(signal, options);
  // [1,3) and [4,6) merge over the 1-base gap; [9,10) and [13,14) are too short.
  ASSERT_EQ(peaks.size(), 1u);
  EXPECT_EQ(peaks[0].region, (Region{"chr1", 101, 106}));
  EXPECT_EQ(peaks[0].summit, 104u);
  EXPECT_EQ(peaks[0].summit_pileup, 16u);
  EXPECT_DOUBLE_EQ(peaks[0].max_score, 8.0);
}

TEST(CallPeaks, RaisingTheThresholdNeverAddsPeakBases) {
  const auto signal = signal_with_scores({1, 3, 5, 7, 9, 7, 5, 3, 1, 4, 6, 4});
  PeakCallOptions options;
  options.max_gap = 0;
  options.min_length = 1;
  uint64_t previous = ~uint64_t{0};
  for (double threshold : {0.5, 2.0, 4.5, 6.5, 8.5, 9.5}) {
    options.threshold = threshold;
    uint64_t bases = 0;
    for (const auto& peak : call_peaks(signal, options)) bases += peak.region.length();
    EXPECT_LE(bases, previous) << "threshold " << threshold;
    previous = bases;
  }
  EXPECT_EQ(previous, 0u);
}

TEST(CallPeaks, NarrowPeakRecordsCarryScoreAndSummitOffset) {
  const auto signal = signal_with_scores({0, 6, 7, 6, 0});
  PeakCallOptions options;
  options.min_length = 1;
  const auto peaks = call_peaks(signal, options);
  const auto records = peaks_as_narrowpeak(peaks);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name, "peak_1");
  EXPECT_DOUBLE_EQ(records[0].p_value, 7.0);
  EXPECT_DOUBLE_EQ(records[0].score, 70.0);
  EXPECT_EQ(records[0].peak, 1);
}

TEST(CountOverlapping, CountsRegionsTouchingAnyOtherOnTheSameChromosome) {
  const std::vector<Region> a = {{"chr1", 0, 10}, {"chr1", 50, 60}, {"chr2", 0, 10}, {"chr1", 100, 110}};
  const std::vector<Region> b = {{"chr1", 9, 20}, {"chr1", 30, 200}, {"chr3", 0, 10}};
  EXPECT_EQ(count_overlapping(a, b), 3u);  // all chr1 ones; chr2 has no partner
  EXPECT_EQ(count_overlapping(b, a), 2u);
  const std::vector<Region> touching = {{"chr1", 10, 20}};  // half-open: [0,10) and [10,20) do not overlap
  EXPECT_EQ(count_overlapping(touching, std::vector<Region>{{"chr1", 0, 10}}), 0u);
}

}  // namespace
}  // namespace epibook
