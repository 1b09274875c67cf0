// The CPU backend's persistent worker pool. Helpers start with the backend and park
// on a condition variable between ops (after a short spin, since the next op of a
// training step follows within microseconds); the calling thread works too. Which
// thread runs a task never changes what the task computes.
#include "nn/cpu/workers.h"

#include <algorithm>

namespace epibook::nn {
namespace {

#if EPIBOOK_WORKER_THREADS
// Spins before parking: about the gap between two ops of a step.
constexpr int kSpins = 4000;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
#endif

template <typename Vector>
auto* grown(Vector& buffer, int64_t elements) {
  if (static_cast<int64_t>(buffer.size()) < elements) buffer.resize(static_cast<size_t>(elements));
  return buffer.data();
}

}  // namespace

CpuBackend::Workers::Workers(int thread_count)
    : threads(std::max(1, thread_count)),
      scratch_buffers_(static_cast<size_t>(threads * kSlots)),
      op_buffers_(kOpSlots),
      op_partials_(kOpSlots) {
#if EPIBOOK_WORKER_THREADS
  helpers_.reserve(static_cast<size_t>(threads - 1));
  for (int worker = 1; worker < threads; ++worker) helpers_.emplace_back([this, worker] { helper_loop(worker); });
#endif
}

CpuBackend::Workers::~Workers() {
#if EPIBOOK_WORKER_THREADS
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& helper : helpers_) helper.join();
#endif
}

void CpuBackend::Workers::run(int64_t count, TaskRef task) {
#if EPIBOOK_WORKER_THREADS
  if (!helpers_.empty() && count > 1) {
    task_ = &task;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    unfinished_.store(static_cast<int>(helpers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    drain(0);
    for (int spin = 0; spin < kSpins && unfinished_.load(std::memory_order_acquire) != 0; ++spin) relax();
    if (unfinished_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return unfinished_.load(std::memory_order_acquire) == 0; });
    }
    task_ = nullptr;
    return;
  }
#endif
  for (int64_t index = 0; index < count; ++index) task(index, 0);
}

#if EPIBOOK_WORKER_THREADS
void CpuBackend::Workers::drain(int worker) {
  const TaskRef& task = *task_;
  for (int64_t index = next_.fetch_add(1); index < count_; index = next_.fetch_add(1)) task(index, worker);
}

void CpuBackend::Workers::helper_loop(int worker) {
  uint64_t seen = 0;
  for (;;) {
    bool woken = false;
    for (int spin = 0; spin < kSpins; ++spin) {
      if (generation_.load(std::memory_order_acquire) != seen) {
        woken = true;
        break;
      }
      relax();
    }
    if (!woken) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_.load(std::memory_order_acquire) != seen; });
      if (stopping_) return;
    }
    seen = generation_.load(std::memory_order_acquire);
    drain(worker);
    if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}
#endif

float* CpuBackend::Workers::scratch(int worker, int slot, int64_t elements) {
  return grown(scratch_buffers_[static_cast<size_t>(worker * kSlots + slot)], elements);
}

void CpuBackend::Workers::prepare_scratch(int slot, int64_t elements) {
  for (int worker = 0; worker < threads; ++worker) scratch(worker, slot, elements);
}

float* CpuBackend::Workers::op_scratch(int slot, int64_t elements) {
  return grown(op_buffers_[static_cast<size_t>(slot)], elements);
}

double* CpuBackend::Workers::op_partials(int slot, int64_t elements) {
  return grown(op_partials_[static_cast<size_t>(slot)], elements);
}

}  // namespace epibook::nn
