// Losses: values worked out by hand from PyTorch's definitions, gradients against
// central finite differences of the loss itself, and refusals that name the shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "epibook/nn/loss.h"
#include "epibook/random.h"

namespace epibook::nn {
namespace {

Tensor random_tensor(const Shape& shape, uint64_t seed, double low, double high) {
  CounterRng rng(seed);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(low + (high - low) * rng.next_double());
  return t;
}

// Central differences in double around each float output; the step is large enough
// for float32 inputs and the tolerance reflects it.
void expect_gradient_matches_differences(const std::function<double(const Tensor&)>& loss_of, const Tensor& output,
                                         const Tensor& analytic) {
  ASSERT_EQ(analytic.shape(), output.shape());
  constexpr float kStep = 1e-2f;
  for (int64_t i = 0; i < output.size(); ++i) {
    Tensor up = output, down = output;
    up[i] += kStep;
    down[i] -= kStep;
    const double numeric = (loss_of(up) - loss_of(down)) / (static_cast<double>(up[i]) - down[i]);
    EXPECT_NEAR(analytic[i], numeric, 2e-4 * std::max(1.0, std::fabs(numeric))) << "element " << i;
  }
}

void check_loss_gradient(const Loss& loss, const Tensor& output, const Tensor& target) {
  Tensor grad;
  ASSERT_TRUE(loss.evaluate(output, target, &grad).is_ok());
  expect_gradient_matches_differences([&](const Tensor& o) { return *loss.evaluate(o, target, nullptr); }, output,
                                      grad);
}

TEST(MseLoss, IsMeanSquaredDifference) {
  const Tensor output = Tensor::from_values({2, 2}, {1, 2, 3, 4});
  const Tensor target = Tensor::from_values({2, 2}, {1, 0, 3, 1});
  EXPECT_DOUBLE_EQ(*MseLoss().evaluate(output, target, nullptr), (4.0 + 9.0) / 4.0);
}

TEST(MseLoss, GradientMatchesFiniteDifferences) {
  check_loss_gradient(MseLoss(), random_tensor({3, 2, 5}, 1, -2, 2), random_tensor({3, 2, 5}, 2, -2, 2));
}

TEST(PoissonNllLoss, IsRateMinusCountTimesLogRate) {
  const Tensor output = Tensor::from_values({2}, {0.0f, std::log(2.0f)});
  const Tensor target = Tensor::from_values({2}, {3, 1});
  const double expected = ((1.0 - 0.0) + (2.0 - std::log(2.0f))) / 2.0;
  EXPECT_NEAR(*PoissonNllLoss().evaluate(output, target, nullptr), expected, 1e-7);  // log 2 rounded to float
}

TEST(PoissonNllLoss, GradientMatchesFiniteDifferencesAndRefusesNegativeCounts) {
  check_loss_gradient(PoissonNllLoss(), random_tensor({4, 6}, 3, -1, 2), random_tensor({4, 6}, 4, 0, 9));
  auto negative = PoissonNllLoss().evaluate(Tensor::from_values({2}, {0, 0}), Tensor::from_values({2}, {1, -1}), nullptr);
  ASSERT_FALSE(negative.is_ok());
  EXPECT_NE(negative.status().message().find("target[1]"), std::string::npos) << negative.status().message();
}

TEST(BceWithLogitsLoss, MatchesLogSigmoidFormAndStaysFiniteForHugeLogits) {
  const Tensor output = Tensor::from_values({3}, {0.0f, 2.0f, -200.0f});
  const Tensor target = Tensor::from_values({3}, {1, 0, 1});
  // -log s(0) = log 2; -log(1 - s(2)) = log(1 + e^2); -log s(-200) = 200 (+ e^-200).
  const double expected = (std::log(2.0) + std::log1p(std::exp(2.0)) + 200.0) / 3.0;
  Tensor grad;
  EXPECT_NEAR(*BceWithLogitsLoss().evaluate(output, target, &grad), expected, 1e-12);
  EXPECT_NEAR(grad[2], -1.0 / 3.0, 1e-7);  // saturated, yet the gradient still pulls up
}

TEST(BceWithLogitsLoss, PosWeightScalesOnlyThePositiveTerm) {
  const Tensor output = Tensor::from_values({2}, {0.5f, 0.5f});
  const Tensor target = Tensor::from_values({2}, {1, 0});
  const double plain = *BceWithLogitsLoss().evaluate(output, target, nullptr);
  const double weighted = *BceWithLogitsLoss({3.0f}).evaluate(output, target, nullptr);
  const double positive_term = std::log1p(std::exp(-0.5));
  EXPECT_NEAR(weighted - plain, 2.0 * positive_term / 2.0, 1e-7);
}

TEST(BceWithLogitsLoss, GradientMatchesFiniteDifferencesWithPerColumnPosWeight) {
  Tensor target = random_tensor({5, 3}, 6, 0, 1);
  for (int64_t i = 0; i < target.size(); ++i) target[i] = target[i] > 0.6f ? 1.0f : (i % 4 == 0 ? 0.3f : 0.0f);
  check_loss_gradient(BceWithLogitsLoss({1.0f, 4.0f, 0.5f}), random_tensor({5, 3}, 5, -4, 4), target);
  auto bad = BceWithLogitsLoss({1.0f, 2.0f}).evaluate(random_tensor({5, 3}, 5, -4, 4), target, nullptr);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("2 pos_weight values"), std::string::npos);
}

TEST(CrossEntropyLoss, IsLogSumExpMinusTrueLogit) {
  const Tensor output = Tensor::from_values({2, 3}, {1, 2, 3, /**/ 1000, 0, 0});
  const Tensor target = Tensor::from_values({2}, {2, 0});
  const double row0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double row1 = 2.0 * std::exp(-1000.0);  // log(1 + 2e^-1000), no overflow
  EXPECT_NEAR(*CrossEntropyLoss().evaluate(output, target, nullptr), (row0 + row1) / 2.0, 1e-12);
}

TEST(CrossEntropyLoss, GradientMatchesFiniteDifferencesWithClassWeights) {
  const Tensor target = Tensor::from_values({4}, {0, 2, 1, 2});
  check_loss_gradient(CrossEntropyLoss(), random_tensor({4, 3}, 7, -3, 3), target);
  check_loss_gradient(CrossEntropyLoss({0.2f, 1.0f, 3.0f}), random_tensor({4, 3}, 8, -3, 3), target);
}

TEST(CrossEntropyLoss, RefusesClassOutOfRangeAndFractionalClass) {
  const Tensor output(Shape{2, 3});
  auto high = CrossEntropyLoss().evaluate(output, Tensor::from_values({2}, {0, 3}), nullptr);
  ASSERT_FALSE(high.is_ok());
  EXPECT_NE(high.status().message().find("target[1] is 3"), std::string::npos) << high.status().message();
  EXPECT_FALSE(CrossEntropyLoss().evaluate(output, Tensor::from_values({2}, {0.5f, 1}), nullptr).is_ok());
  EXPECT_FALSE(CrossEntropyLoss().evaluate(output, Tensor::from_values({3}, {0, 1, 2}), nullptr).is_ok());
}

TEST(ProfileLoss, UniformLogitsGiveTheMultinomialOfEqualProbabilities) {
  // Counts (2, 0) under p = (1/2, 1/2): -log(2!/(2! 0!) (1/2)^2) = 2 log 2.
  const Tensor logits(Shape{1, 1, 2});
  const Tensor counts = Tensor::from_values({1, 1, 2}, {2, 0});
  const Tensor log_counts = Tensor::from_values({1, 1}, {0.0f});
  auto value = ProfileLoss(0.5).evaluate(logits, log_counts, counts, nullptr, nullptr);
  ASSERT_TRUE(value.is_ok());
  EXPECT_NEAR(value->profile, 2.0 * std::log(2.0), 1e-12);
  EXPECT_NEAR(value->count, std::log(3.0) * std::log(3.0), 1e-12);
  EXPECT_NEAR(value->total, value->profile + 0.5 * value->count, 1e-15);
}

TEST(ProfileLoss, GradientsOfBothHeadsMatchFiniteDifferences) {
  const ProfileLoss loss(2.0);
  const Tensor logits = random_tensor({2, 2, 7}, 9, -2, 2);
  const Tensor log_counts = random_tensor({2, 2}, 10, 0, 4);
  Tensor counts = random_tensor({2, 2, 7}, 11, 0, 6);
  for (int64_t i = 0; i < counts.size(); ++i) counts[i] = std::floor(counts[i]);
  Tensor grad_logits, grad_counts;
  ASSERT_TRUE(loss.evaluate(logits, log_counts, counts, &grad_logits, &grad_counts).is_ok());
  expect_gradient_matches_differences(
      [&](const Tensor& l) { return loss.evaluate(l, log_counts, counts, nullptr, nullptr)->total; }, logits,
      grad_logits);
  expect_gradient_matches_differences(
      [&](const Tensor& c) { return loss.evaluate(logits, c, counts, nullptr, nullptr)->total; }, log_counts,
      grad_counts);
}

TEST(ProfileLoss, RefusesMismatchedHeads) {
  auto bad = ProfileLoss().evaluate(Tensor(Shape{2, 1, 4}), Tensor(Shape{3}), Tensor(Shape{2, 1, 4}), nullptr, nullptr);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("log counts [3]"), std::string::npos) << bad.status().message();
}

// The one-output form equals the two-head ProfileLoss fed log(1 + sum exp(output)) as
// its count head.
TEST(MultinomialCountsLoss, EqualsTheTwoHeadLossWithTheTotalReadFromTheRates) {
  const Tensor output = random_tensor({3, 1, 8}, 21, -2, 2);
  Tensor counts = random_tensor({3, 1, 8}, 22, 0, 7);
  for (int64_t i = 0; i < counts.size(); ++i) counts[i] = std::floor(counts[i]);
  Tensor log_counts(Shape{3, 1});
  for (int64_t r = 0; r < 3; ++r) {
    double total = 0;
    for (int64_t i = 0; i < 8; ++i) total += std::exp(static_cast<double>(output[r * 8 + i]));
    log_counts[r] = static_cast<float>(std::log1p(total));
  }
  auto two_heads = ProfileLoss(3.0).evaluate(output, log_counts, counts, nullptr, nullptr);
  auto one_output = MultinomialCountsLoss(3.0).evaluate(output, counts, nullptr);
  ASSERT_TRUE(two_heads.is_ok() && one_output.is_ok());
  EXPECT_NEAR(*one_output, two_heads->total, 1e-5 * two_heads->total);
}

// Poisson over the positions = multinomial shape + Poisson of the total: with the count
// weight at 0, adding the total's full Poisson NLL gives the positions' full Poisson NLL.
TEST(MultinomialCountsLoss, PlusPoissonOfTheTotal_IsPoissonOverThePositions) {
  const Tensor output = random_tensor({1, 1, 6}, 23, -1, 2);
  const Tensor counts = Tensor::from_values({1, 1, 6}, {0, 3, 1, 5, 2, 0});
  const double shape = *MultinomialCountsLoss(0.0).evaluate(output, counts, nullptr);
  double rate_total = 0, total = 0, per_position = 0;
  for (int64_t i = 0; i < 6; ++i) {
    const double x = output[i];
    rate_total += std::exp(x);
    total += counts[i];
    per_position += std::exp(x) - counts[i] * x + std::lgamma(counts[i] + 1.0);
  }
  const double total_poisson = rate_total - total * std::log(rate_total) + std::lgamma(total + 1.0);
  EXPECT_NEAR(shape + total_poisson, per_position, 1e-5);
}

TEST(MultinomialCountsLoss, GradientMatchesFiniteDifferencesAndRefusesNegativeCounts) {
  Tensor counts = random_tensor({2, 3, 5}, 25, 0, 9);
  for (int64_t i = 0; i < counts.size(); ++i) counts[i] = std::floor(counts[i]);
  check_loss_gradient(MultinomialCountsLoss(2.5), random_tensor({2, 3, 5}, 24, -1, 2), counts);
  EXPECT_FALSE(MultinomialCountsLoss().evaluate(Tensor(Shape{1, 2}), Tensor::from_values({1, 2}, {1, -1}), nullptr).is_ok());
  EXPECT_FALSE(make_loss("multinomial", {1.0f, 2.0f}).is_ok());
  EXPECT_EQ(dynamic_cast<MultinomialCountsLoss&>(**make_loss("multinomial", {4.0f})).count_weight(), 4.0);
}

TEST(Losses, RefuseShapeMismatchNamingBothShapes) {
  auto bad = MseLoss().evaluate(Tensor(Shape{4, 1}), Tensor(Shape{4}), nullptr);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "mse: output [4, 1] and target [4] differ in shape");
}

TEST(MakeLoss, KnowsEveryNameAndRefusesOthers) {
  for (const std::string& name : loss_names()) {
    auto loss = make_loss(name);
    ASSERT_TRUE(loss.is_ok()) << name;
    EXPECT_EQ((*loss)->name(), name);
  }
  auto unknown = make_loss("hinge");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("unknown loss \"hinge\""), std::string::npos);
  EXPECT_FALSE(make_loss("mse", {2.0f}).is_ok());
}

}  // namespace
}  // namespace epibook::nn
