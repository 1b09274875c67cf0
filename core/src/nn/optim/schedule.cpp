// Learning-rate schedules as closed forms of the step number (see schedule.h).
#include "epibook/nn/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace epibook::nn {
namespace {

double cosine_between(double high, double low, uint64_t step, uint64_t steps) {
  if (steps == 0) return low;
  const double progress = std::min(1.0, static_cast<double>(step) / static_cast<double>(steps));
  return low + (high - low) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
}

}  // namespace

Result<LearningRateSchedule::Kind> parse_schedule_kind(std::string_view name) {
  using Kind = LearningRateSchedule::Kind;
  if (name == "constant") return Kind::kConstant;
  if (name == "step") return Kind::kStep;
  if (name == "cosine") return Kind::kCosine;
  if (name == "warmup_cosine") return Kind::kWarmupCosine;
  return invalid_argument("unknown schedule \"" + std::string(name) +
                          "\" (choose constant, step, cosine or warmup_cosine)");
}

const char* schedule_kind_name(LearningRateSchedule::Kind kind) {
  switch (kind) {
    case LearningRateSchedule::Kind::kConstant: return "constant";
    case LearningRateSchedule::Kind::kStep: return "step";
    case LearningRateSchedule::Kind::kCosine: return "cosine";
    case LearningRateSchedule::Kind::kWarmupCosine: return "warmup_cosine";
  }
  return "constant";
}

Status validate_schedule(const LearningRateSchedule& s) {
  if (!(s.base >= 0.0) || !std::isfinite(s.base)) return invalid_argument("schedule: learning rate must be >= 0");
  using Kind = LearningRateSchedule::Kind;
  if (s.kind == Kind::kStep && s.step_size == 0) return invalid_argument("step schedule: step_size must be > 0");
  if (s.kind == Kind::kStep && !(s.gamma > 0.0)) return invalid_argument("step schedule: gamma must be > 0");
  if ((s.kind == Kind::kCosine || s.kind == Kind::kWarmupCosine) && !(s.min >= 0.0 && s.min <= s.base)) {
    return invalid_argument("cosine schedule: min must lie in [0, learning rate]");
  }
  if (s.kind == Kind::kWarmupCosine && s.warmup_steps > s.total_steps) {
    return invalid_argument("warm-up cosine schedule: " + std::to_string(s.warmup_steps) +
                            " warm-up steps exceed the run's " + std::to_string(s.total_steps));
  }
  return Status::ok();
}

double learning_rate_at(const LearningRateSchedule& s, uint64_t step) {
  switch (s.kind) {
    case LearningRateSchedule::Kind::kConstant:
      return s.base;
    case LearningRateSchedule::Kind::kStep:
      return s.base * std::pow(s.gamma, static_cast<double>(step / std::max<uint64_t>(1, s.step_size)));
    case LearningRateSchedule::Kind::kCosine:
      return cosine_between(s.base, s.min, step, s.total_steps);
    case LearningRateSchedule::Kind::kWarmupCosine:
      if (step < s.warmup_steps) return s.base * static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
      return cosine_between(s.base, s.min, step - s.warmup_steps, s.total_steps - s.warmup_steps);
  }
  return s.base;
}

}  // namespace epibook::nn
