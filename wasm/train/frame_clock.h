// The labs' clock: a lab does a slice of work per frame until a deadline, and times what
// a slice took (training_run.cpp's backend probe). One definition for every lab.
#pragma once

#include <chrono>

namespace epibook::labs {

// Milliseconds on a steady clock.
inline double now_ms() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

}  // namespace epibook::labs
