// Runs a backend op's tasks on up to `threads` threads. Threads are started per call:
// an op is milliseconds of arithmetic, so the tens of microseconds a start costs are
// noise, and there is no idle pool to shut down or to leak.
#include "nn/cpu/workers.h"

#include <algorithm>
#include <atomic>

#ifndef __EMSCRIPTEN__
#include <thread>
#endif

namespace epibook::nn {

CpuBackend::Workers::Workers(int thread_count)
    : threads(std::max(1, thread_count)), scratch_buffers(static_cast<size_t>(threads * kSlots)) {}

void CpuBackend::Workers::run(int64_t count, const std::function<void(int64_t index, int worker)>& task) {
#ifndef __EMSCRIPTEN__
  const int used = static_cast<int>(std::min<int64_t>(threads, count));
  if (used > 1) {
    std::atomic<int64_t> next{0};
    auto drain = [&](int worker) {
      for (int64_t index = next.fetch_add(1); index < count; index = next.fetch_add(1)) task(index, worker);
    };
    std::vector<std::thread> helpers;
    helpers.reserve(static_cast<size_t>(used - 1));
    for (int worker = 1; worker < used; ++worker) helpers.emplace_back(drain, worker);
    drain(0);
    for (std::thread& helper : helpers) helper.join();
    return;
  }
#endif
  for (int64_t index = 0; index < count; ++index) task(index, 0);
}

float* CpuBackend::Workers::scratch(int worker, int slot, int64_t elements) {
  ScratchVector& buffer = scratch_buffers[static_cast<size_t>(worker * kSlots + slot)];
  if (static_cast<int64_t>(buffer.size()) < elements) buffer.resize(static_cast<size_t>(elements));
  return buffer.data();
}

}  // namespace epibook::nn
