// The CPU backend's threads and scratch memory. Work is cut into tasks whose
// boundaries never depend on the thread count (one sample, or a fixed chunk of
// samples or elements), so any number of threads computes the same bits. The helper
// threads start with the backend, wait parked between ops and are joined when it is
// destroyed. WebAssembly built without -pthread has none and runs the tasks in order
// on the calling thread; built with -pthread (the labs' module for cross-origin
// isolated pages) it has helpers like a native build.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "epibook/nn/backend.h"

// Helper threads exist natively and in WebAssembly built with -pthread.
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define EPIBOOK_WORKER_THREADS 1
#else
#define EPIBOOK_WORKER_THREADS 0
#endif

namespace epibook::nn {

// Storage aligned to a cache line, allocated with the aligned operator new (so an
// allocation-counting test sees it).
using ScratchVector = std::vector<float, AlignedAllocator<float>>;

// A callable passed by reference: unlike std::function it never allocates.
class TaskRef {
 public:
  template <typename F>
  TaskRef(const F& task)  // NOLINT: implicit, so run() takes lambdas
      : object_(&task), call_([](const void* object, int64_t index, int worker) {
          (*static_cast<const F*>(object))(index, worker);
        }) {}
  void operator()(int64_t index, int worker) const { call_(object_, index, worker); }

 private:
  const void* object_;
  void (*call_)(const void*, int64_t, int);
};

struct CpuBackend::Workers {
  explicit Workers(int thread_count);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Calls task(index, worker) for every index in [0, count); `worker` < threads
  // picks that worker's scratch buffers. Returns when all tasks are done.
  void run(int64_t count, TaskRef task);

  // Per-worker scratch (padded rows, a transposed gradient), grown on demand; slot
  // numbers are chosen by the kernels.
  float* scratch(int worker, int slot, int64_t elements);
  // Grows slot `slot` of every worker to `elements` before an op's tasks start, so no
  // task needs to grow one (tasks go to whichever worker is free).
  void prepare_scratch(int slot, int64_t elements);
  // Scratch for an op as a whole (packed weights, per-chunk partial sums).
  float* op_scratch(int slot, int64_t elements);
  double* op_partials(int slot, int64_t elements);

  int threads = 1;
  static constexpr int kSlots = 5;
  static constexpr int kOpSlots = 3;

 private:
  void drain(int worker);
  void helper_loop(int worker);

  std::vector<ScratchVector> scratch_buffers_;  // [worker * kSlots + slot]
  std::vector<ScratchVector> op_buffers_;       // [slot]
  std::vector<std::vector<double, AlignedAllocator<double>>> op_partials_;
#if EPIBOOK_WORKER_THREADS
  std::vector<std::thread> helpers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::atomic<uint64_t> generation_{0};  // one more per op handed to the helpers
  std::atomic<int> unfinished_{0};       // helpers not yet done with the current op
  std::atomic<int64_t> next_{0};         // next task index to take
  bool stopping_ = false;
  const TaskRef* task_ = nullptr;
  int64_t count_ = 0;
#endif
};

}  // namespace epibook::nn
