// Learning-rate schedules: the learning rate for each optimiser step of a run. The
// training loop (train.h) asks for step t's rate before the t-th update (t from 0) and
// hands it to the optimiser. Closed forms, so a resumed run picks up the same rate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "epibook/status.h"

namespace epibook::nn {

struct LearningRateSchedule {
  enum class Kind {
    kConstant,      // base
    kStep,          // base * gamma^floor(t / step_size)            (torch StepLR)
    kCosine,        // min + (base - min) (1 + cos(pi t / total)) / 2 (CosineAnnealingLR's closed form)
    kWarmupCosine,  // base (t + 1) / warmup for t < warmup, then cosine from base to min over the rest
  };
  Kind kind = Kind::kConstant;
  double base = 1e-3;
  double min = 0.0;             // cosine floor
  uint64_t total_steps = 1;     // cosine: steps in the run
  uint64_t step_size = 1;       // step: steps between decays
  double gamma = 0.1;           // step: factor per decay
  uint64_t warmup_steps = 0;    // warm-up cosine
};

// "constant", "step", "cosine", "warmup_cosine".
Result<LearningRateSchedule::Kind> parse_schedule_kind(std::string_view name);
const char* schedule_kind_name(LearningRateSchedule::Kind kind);
// Checks the fields the kind uses ("step schedule: step_size must be > 0").
Status validate_schedule(const LearningRateSchedule& schedule);
// The rate at step t; past total_steps a cosine stays at its floor.
double learning_rate_at(const LearningRateSchedule& schedule, uint64_t step);

}  // namespace epibook::nn
