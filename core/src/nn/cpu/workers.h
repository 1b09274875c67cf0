// The CPU backend's threads and scratch memory. Work is cut into tasks whose
// boundaries never depend on the thread count (one sample, or a fixed chunk of
// samples), so any number of threads computes the same bits; WebAssembly runs the
// tasks in order on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "epibook/nn/backend.h"

namespace epibook::nn {

using ScratchVector = std::vector<float, Eigen::aligned_allocator<float>>;

struct CpuBackend::Workers {
  explicit Workers(int thread_count);

  // Calls task(index, worker) for every index in [0, count); `worker` < threads
  // picks that worker's scratch buffers. Returns when all tasks are done.
  void run(int64_t count, const std::function<void(int64_t index, int worker)>& task);

  // Per-worker scratch (im2col matrices, padded rows, a transposed gradient), grown on
  // demand; slot numbers are chosen by the kernels.
  float* scratch(int worker, int slot, int64_t elements);

  int threads = 1;
  std::vector<ScratchVector> scratch_buffers;  // [worker * kSlots + slot]
  static constexpr int kSlots = 5;
};

}  // namespace epibook::nn
