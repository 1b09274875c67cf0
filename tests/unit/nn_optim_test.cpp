// Optimisers, schedules and clipping: single updates worked out from PyTorch's
// formulas, frozen parameters left alone, and a saved-then-loaded state continuing
// exactly as the optimiser that never stopped.
#include <gtest/gtest.h>

#include <cmath>

#include "epibook/nn/optimizer.h"
#include "epibook/nn/schedule.h"

namespace epibook::nn {
namespace {

Parameter make_parameter(const std::string& name, std::vector<float> values) {
  Parameter p;
  p.name = name;
  const auto n = static_cast<int64_t>(values.size());
  p.value = Tensor::from_values({n}, std::move(values));
  p.grad = Tensor(Shape{n});
  return p;
}

// Gradient of 0.5 * sum((w - 1)^2) * scale: a bowl whose bottom is at 1.
void set_bowl_gradient(Parameter& p, float scale) {
  for (int64_t i = 0; i < p.value.size(); ++i) p.grad[i] = scale * (p.value[i] - 1.0f);
}

TEST(Sgd, PlainStepIsLearningRateTimesGradient) {
  Parameter w = make_parameter("w", {2.0f, -1.0f});
  w.grad = Tensor::from_values({2}, {0.5f, -4.0f});
  Sgd sgd({&w}, SgdOptions{0.1, 0.0, 0.0, 0.0, false});
  sgd.step();
  EXPECT_FLOAT_EQ(w.value[0], 2.0f - 0.1f * 0.5f);
  EXPECT_FLOAT_EQ(w.value[1], -1.0f + 0.1f * 4.0f);
}

TEST(Sgd, MomentumCopiesFirstGradientThenBlends) {
  Parameter w = make_parameter("w", {0.0f});
  Sgd sgd({&w}, SgdOptions{1.0, 0.9, 0.0, 0.0, false});
  w.grad[0] = 1.0f;
  sgd.step();  // buffer 1
  EXPECT_FLOAT_EQ(w.value[0], -1.0f);
  sgd.step();  // buffer 0.9 + 1 = 1.9
  EXPECT_FLOAT_EQ(w.value[0], -2.9f);
}

TEST(Sgd, NesterovLooksAheadAndDampeningScalesNewGradients) {
  Parameter w = make_parameter("w", {0.0f});
  Sgd nesterov({&w}, SgdOptions{1.0, 0.5, 0.0, 0.0, true});
  w.grad[0] = 1.0f;
  nesterov.step();  // buffer 1, direction 1 + 0.5
  EXPECT_FLOAT_EQ(w.value[0], -1.5f);
  Parameter v = make_parameter("v", {0.0f});
  Sgd damped({&v}, SgdOptions{1.0, 0.5, 0.5, 0.0, false});
  v.grad[0] = 2.0f;
  damped.step();  // buffer 2 (first step ignores dampening)
  damped.step();  // buffer 1 + 0.5 * 2 = 2
  EXPECT_FLOAT_EQ(v.value[0], -4.0f);
  EXPECT_FALSE(validate_sgd_options(SgdOptions{0.1, 0.0, 0.0, 0.0, true}).is_ok());
}

TEST(Adam, FirstStepMovesEachWeightByAboutTheLearningRate) {
  // After bias correction m / sqrt(v) = g / |g| on the first step.
  Parameter w = make_parameter("w", {1.0f, 1.0f});
  w.grad = Tensor::from_values({2}, {0.003f, -250.0f});
  Adam adam({&w}, AdamOptions{}, false);
  adam.step();
  EXPECT_NEAR(w.value[0], 1.0f - 1e-3f, 1e-6);
  EXPECT_NEAR(w.value[1], 1.0f + 1e-3f, 1e-6);
}

TEST(AdamW, DecaysTheWeightApartFromTheGradient) {
  Parameter w = make_parameter("w", {2.0f});
  Adam adamw({&w}, adamw_defaults(), true);
  w.grad[0] = 0.0f;  // no gradient: only the decay moves it, by lr * wd * w
  adamw.step();
  EXPECT_FLOAT_EQ(w.value[0], 2.0f * static_cast<float>(1.0 - 1e-3 * 1e-2));
  Parameter v = make_parameter("v", {2.0f});
  AdamOptions coupled = adamw_defaults();
  Adam adam({&v}, coupled, false);
  v.grad[0] = 0.0f;  // Adam's L2 joins the gradient: the step is then about lr
  adam.step();
  EXPECT_NEAR(v.value[0], 2.0f - 1e-3f, 1e-6);
}

TEST(Optimizers, FrozenParameterKeepsItsValue) {
  Parameter frozen = make_parameter("frozen", {5.0f});
  Parameter free = make_parameter("free", {5.0f});
  frozen.trainable = false;
  frozen.grad[0] = free.grad[0] = 1.0f;
  Adam adam({&frozen, &free}, AdamOptions{}, false);
  adam.step();
  EXPECT_EQ(frozen.value[0], 5.0f);
  EXPECT_LT(free.value[0], 5.0f);
}

TEST(Optimizers, EveryOneDescendsTheBowl) {
  for (int kind = 0; kind < 3; ++kind) {
    Parameter w = make_parameter("w", {4.0f, -3.0f, 0.5f});
    std::unique_ptr<Optimizer> optimizer;
    if (kind == 0) optimizer = std::make_unique<Sgd>(std::vector<Parameter*>{&w}, SgdOptions{0.1, 0.9, 0.0, 0.0, true});
    if (kind == 1) optimizer = std::make_unique<Adam>(std::vector<Parameter*>{&w}, AdamOptions{0.05}, false);
    if (kind == 2) optimizer = std::make_unique<Adam>(std::vector<Parameter*>{&w}, AdamOptions{0.05}, true);
    for (int step = 0; step < 500; ++step) {
      set_bowl_gradient(w, 1.0f);
      optimizer->step();
    }
    for (int64_t i = 0; i < 3; ++i) EXPECT_NEAR(w.value[i], 1.0f, 1e-2) << optimizer->name();
  }
}

// Runs 20 steps straight, and 8 steps + save + a fresh optimiser loading the state + 12.
template <typename MakeOptimizer>
void expect_resume_matches_uninterrupted(const MakeOptimizer& make) {
  Parameter straight = make_parameter("0.weight", {3.0f, -2.0f, 7.0f});
  Parameter resumed = straight;
  auto first = make(&straight);
  for (int step = 0; step < 20; ++step) {
    set_bowl_gradient(straight, 0.7f + 0.01f * static_cast<float>(step));
    first->step();
  }
  auto before = make(&resumed);
  for (int step = 0; step < 8; ++step) {
    set_bowl_gradient(resumed, 0.7f + 0.01f * static_cast<float>(step));
    before->step();
  }
  const OptimizerState saved = before->state();
  auto after = make(&resumed);
  ASSERT_TRUE(after->load_state(saved).is_ok());
  for (int step = 8; step < 20; ++step) {
    set_bowl_gradient(resumed, 0.7f + 0.01f * static_cast<float>(step));
    after->step();
  }
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(straight.value[i], resumed.value[i]) << first->name() << " " << i;
}

TEST(OptimizerState, ResumeGivesTheSameWeightsToTheBit) {
  expect_resume_matches_uninterrupted([](Parameter* p) {
    return std::make_unique<Sgd>(std::vector<Parameter*>{p}, SgdOptions{0.05, 0.9, 0.1, 0.01, false});
  });
  expect_resume_matches_uninterrupted(
      [](Parameter* p) { return std::make_unique<Adam>(std::vector<Parameter*>{p}, AdamOptions{0.01}, false); });
  expect_resume_matches_uninterrupted(
      [](Parameter* p) { return std::make_unique<Adam>(std::vector<Parameter*>{p}, adamw_defaults(), true); });
}

TEST(OptimizerState, RefusesStateOfAnotherKindOrShape) {
  Parameter w = make_parameter("w", {1.0f, 2.0f});
  Adam adam({&w}, AdamOptions{}, false);
  Sgd sgd({&w}, SgdOptions{});
  EXPECT_FALSE(sgd.load_state(adam.state()).is_ok());
  OptimizerState wrong = adam.state();
  wrong.tensors.push_back({"w.exp_avg", Tensor(Shape{3})});
  auto refused = adam.load_state(wrong);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("w.exp_avg has shape [3]"), std::string::npos) << refused.message();
}

TEST(ClipGradientNorm, ScalesAllGradientsToTheMaximumAndReportsTheNorm) {
  Parameter a = make_parameter("a", {0.0f, 0.0f});
  Parameter b = make_parameter("b", {0.0f});
  a.grad = Tensor::from_values({2}, {3.0f, 0.0f});
  b.grad = Tensor::from_values({1}, {4.0f});
  EXPECT_DOUBLE_EQ(clip_gradient_norm({&a, &b}, 1.0), 5.0);
  EXPECT_NEAR(a.grad[0], 0.6f, 1e-6);
  EXPECT_NEAR(b.grad[0], 0.8f, 1e-6);
  EXPECT_NEAR(clip_gradient_norm({&a, &b}, 10.0), 1.0, 1e-6);  // under the limit: unchanged
  EXPECT_NEAR(a.grad[0], 0.6f, 1e-6);
}

TEST(Schedule, StepDecaysByGammaEveryStepSize) {
  LearningRateSchedule s{LearningRateSchedule::Kind::kStep, 1.0, 0.0, 1, 10, 0.5, 0};
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 9), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 10), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 25), 0.25);
}

TEST(Schedule, CosineRunsFromBaseToMinAndStaysThere) {
  LearningRateSchedule s{LearningRateSchedule::Kind::kCosine, 1.0, 0.1, 100, 1, 0.1, 0};
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 0), 1.0);
  EXPECT_NEAR(learning_rate_at(s, 50), 0.55, 1e-12);
  EXPECT_NEAR(learning_rate_at(s, 100), 0.1, 1e-12);
  EXPECT_NEAR(learning_rate_at(s, 150), 0.1, 1e-12);
}

TEST(Schedule, WarmupRisesLinearlyThenFollowsTheCosine) {
  LearningRateSchedule s{LearningRateSchedule::Kind::kWarmupCosine, 2.0, 0.0, 110, 1, 0.1, 10};
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 0), 0.2);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 9), 2.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 10), 2.0);
  EXPECT_NEAR(learning_rate_at(s, 60), 1.0, 1e-12);
  s.warmup_steps = 200;
  EXPECT_FALSE(validate_schedule(s).is_ok());
  EXPECT_FALSE(parse_schedule_kind("linear").is_ok());
  EXPECT_EQ(*parse_schedule_kind("warmup_cosine"), LearningRateSchedule::Kind::kWarmupCosine);
}

}  // namespace
}  // namespace epibook::nn
