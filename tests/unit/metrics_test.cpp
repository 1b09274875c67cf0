// Metrics on small arrays worked out by hand: the definitions (ties, empty classes,
// missing values) hold here on every platform; tests/golden/metrics_reference_test.cpp
// holds them to scipy / sklearn on larger random arrays.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "epibook/metrics.h"

namespace epibook {
namespace {

using Values = std::vector<float>;

TEST(Pearson, PerfectLineIsOneAndReversedIsMinusOne) {
  const Values x{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(*pearson(x, Values{3, 5, 7, 9}), 1.0);
  EXPECT_DOUBLE_EQ(*pearson(x, Values{4, 3, 2, 1}), -1.0);
}

TEST(Pearson, ConstantInputIsNaNAsScipy) {
  auto r = pearson(Values{1, 1, 1}, Values{1, 2, 3});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(std::isnan(*r));
}

TEST(Pearson, RefusesNaNNamingTheIndexAndUnequalLengths) {
  auto nan = pearson(Values{1, NAN, 3}, Values{1, 2, 3});
  ASSERT_FALSE(nan.is_ok());
  EXPECT_NE(nan.status().message().find("predictions[1]"), std::string::npos) << nan.status().message();
  auto lengths = pearson(Values{1, 2}, Values{1, 2, 3});
  ASSERT_FALSE(lengths.is_ok());
  EXPECT_NE(lengths.status().message().find("predictions has 2 values, targets has 3"), std::string::npos);
  EXPECT_FALSE(pearson(Values{}, Values{}).is_ok());
}

TEST(AverageRanks, TiesShareTheMeanOfTheirRanks) {
  const std::vector<double> ranks = average_ranks(Values{10, 20, 10, 30, 20, 20});
  EXPECT_EQ(ranks, (std::vector<double>{1.5, 4, 1.5, 6, 4, 4}));
}

TEST(Spearman, MonotoneButCurvedIsOne) {
  EXPECT_DOUBLE_EQ(*spearman(Values{1, 2, 3, 4, 5}, Values{1, 8, 27, 64, 125}), 1.0);
}

TEST(Spearman, TiesUseAverageRanks) {
  // ranks x: 1.5 1.5 3 4, ranks y: 1 2 3 4 -> Pearson of those ranks.
  const double expected = 0.9486832980505138;
  EXPECT_NEAR(*spearman(Values{1, 1, 2, 3}, Values{1, 2, 3, 4}), expected, 1e-15);
}

TEST(MeanSquaredError, IsMeanOfSquaredDifferences) {
  EXPECT_DOUBLE_EQ(*mean_squared_error(Values{1, 2, 3}, Values{1, 4, 0}), (0.0 + 4.0 + 9.0) / 3.0);
}

TEST(FinitePairs, DropsPairsWhereEitherIsMissing) {
  auto pairs = finite_pairs(Values{1, NAN, 3, 4}, Values{5, 6, INFINITY, 8});
  ASSERT_TRUE(pairs.is_ok());
  EXPECT_EQ(pairs->a, (Values{1, 4}));
  EXPECT_EQ(pairs->b, (Values{5, 8}));
}

TEST(Auroc, CountsTiesAsHalf) {
  // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs won 1 + 1 + 0.5 + 1 = 3.5 of 4.
  EXPECT_DOUBLE_EQ(*auroc(Values{0.8f, 0.4f, 0.4f, 0.1f}, Values{1, 1, 0, 0}), 0.875);
}

TEST(Auroc, PerfectAndReversedRankings) {
  EXPECT_DOUBLE_EQ(*auroc(Values{3, 2, 1}, Values{1, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(*auroc(Values{1, 2, 3}, Values{1, 0, 0}), 0.0);
}

TEST(Auroc, RefusesOneClassAndNonBinaryLabels) {
  auto one = auroc(Values{1, 2}, Values{1, 1});
  ASSERT_FALSE(one.is_ok());
  EXPECT_NE(one.status().message().find("only one class"), std::string::npos);
  auto bad = auroc(Values{1, 2}, Values{1, 0.5f});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("labels[1]"), std::string::npos);
}

TEST(Auprc, SumsRecallStepsTimesPrecisionWithoutInterpolation) {
  // Descending: 0.9 (1), 0.8 (0), 0.7 (1), 0.1 (0): AP = 0.5 * 1 + 0.5 * 2/3.
  EXPECT_NEAR(*auprc(Values{0.9f, 0.8f, 0.7f, 0.1f}, Values{1, 0, 1, 0}), 0.5 + 1.0 / 3.0, 1e-15);
}

TEST(Auprc, TiedScoresFormOneThreshold) {
  // All tied: one threshold, recall 1 at precision 1/2.
  EXPECT_DOUBLE_EQ(*auprc(Values{0.5f, 0.5f, 0.5f, 0.5f}, Values{1, 0, 1, 0}), 0.5);
  EXPECT_FALSE(auprc(Values{0.5f, 0.2f}, Values{0, 0}).is_ok());
}

TEST(BestF1, PicksTheThresholdWithTheHighestF1) {
  // At t = 0.7: tp 2, fp 1, fn 0 -> F1 = 4/5; at 0.9: 2/3; at 0.1: 2/3.
  auto best = best_f1(Values{0.9f, 0.8f, 0.7f, 0.1f}, Values{1, 0, 1, 0});
  ASSERT_TRUE(best.is_ok());
  EXPECT_DOUBLE_EQ(best->f1, 0.8);
  EXPECT_FLOAT_EQ(static_cast<float>(best->threshold), 0.7f);
  EXPECT_DOUBLE_EQ(best->precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(best->recall, 1.0);
}

TEST(Accuracy, ScoreAtThresholdCountsAsPositive) {
  EXPECT_DOUBLE_EQ(*accuracy(Values{0.5f, 0.4f, 0.9f, 0.1f}, Values{1, 1, 0, 0}, 0.5), 0.5);
}

TEST(MulticlassAccuracy, FirstLargestLogitIsThePrediction) {
  const Values logits{1, 3, 3, /**/ 5, 0, 1};
  EXPECT_DOUBLE_EQ(*multiclass_accuracy(logits, 3, std::vector<int32_t>{1, 0}), 1.0);
  EXPECT_DOUBLE_EQ(*multiclass_accuracy(logits, 3, std::vector<int32_t>{2, 0}), 0.5);
  EXPECT_FALSE(multiclass_accuracy(logits, 3, std::vector<int32_t>{3, 0}).is_ok());
  EXPECT_FALSE(multiclass_accuracy(logits, 2, std::vector<int32_t>{1, 0}).is_ok());
}

TEST(JensenShannonDistance, ZeroForSameShapeOneForDisjoint) {
  EXPECT_NEAR(*jensen_shannon_distance(Values{1, 2, 3}, Values{2, 4, 6}), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(*jensen_shannon_distance(Values{1, 0}, Values{0, 1}), 1.0);
}

TEST(JensenShannonDistance, RefusesNegativeAndZeroSumProfiles) {
  EXPECT_FALSE(jensen_shannon_distance(Values{1, -1}, Values{1, 1}).is_ok());
  auto zero = jensen_shannon_distance(Values{0, 0}, Values{1, 1});
  ASSERT_FALSE(zero.is_ok());
  EXPECT_NE(zero.status().message().find("sums to 0"), std::string::npos);
}

TEST(MeanJensenShannonDistance, AveragesOverRowsAndNamesTheBadRow) {
  const Values p{1, 0, /**/ 1, 1};
  const Values q{0, 1, /**/ 1, 1};
  EXPECT_DOUBLE_EQ(*mean_jensen_shannon_distance(p, q, 2), 0.5);
  auto bad = mean_jensen_shannon_distance(p, Values{0, 1, 0, 0}, 2);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("profile 1"), std::string::npos);
  EXPECT_FALSE(mean_jensen_shannon_distance(p, q, 3).is_ok());
}

TEST(ShuffledLabelFloor, IsNearChanceAndReproducible) {
  std::vector<float> scores(2000), labels(2000);
  for (size_t i = 0; i < scores.size(); ++i) {
    scores[i] = static_cast<float>(i);
    labels[i] = i >= 1000 ? 1.0f : 0.0f;  // a perfect ranking: AUROC 1
  }
  auto floor = shuffled_label_floor(auroc, scores, labels, 7, 10);
  ASSERT_TRUE(floor.is_ok());
  EXPECT_NEAR(floor->mean, 0.5, 0.03);
  EXPECT_GT(floor->sd, 0.0);
  auto again = shuffled_label_floor(auroc, scores, labels, 7, 10);
  EXPECT_EQ(floor->mean, again->mean);
  auto other = shuffled_label_floor(auroc, scores, labels, 8, 10);
  EXPECT_NE(floor->mean, other->mean);
  EXPECT_FALSE(shuffled_label_floor(auroc, scores, labels, 7, 0).is_ok());
}

}  // namespace
}  // namespace epibook
