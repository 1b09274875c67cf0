// Benchmark: one Conv1D(64 -> 64, kernel 9, 'same') forward + backward (input, weight
// and bias gradients) on a [64, 64, 1000] batch, the inner layer of the book's small
// genomics CNN: epibook's direct kernels, epibook's im2col + Eigen GEMM path, and
// PyTorch 1.13 (oneDNN) with the same thread count, best of REPEATS runs each, in one
// run of this program; prints GFLOP/s and the ratios against PyTorch.
// Run by `make bench`; usage: conv_bench [THREADS] [REPEATS] (default 1 and 5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "epibook/nn/backend.h"
#include "epibook/random.h"

namespace {

using epibook::nn::Conv1dGeometry;
using epibook::nn::CpuBackend;
using epibook::nn::Tensor;

Tensor uniform(const epibook::nn::Shape& shape, uint64_t seed) {
  Tensor tensor(shape);
  epibook::CounterRng rng(seed);
  for (int64_t i = 0; i < tensor.size(); ++i) tensor[i] = static_cast<float>(rng.next_double());
  return tensor;
}

double best_milliseconds(CpuBackend& backend, int repeats) {
  const Conv1dGeometry g{64, 64, 9, 1, 1, 4, 4};
  const Tensor input = uniform({64, 64, 1000}, 1);
  const Tensor weight = uniform({64, 64, 9}, 2);
  const Tensor bias = uniform({64}, 3);
  const Tensor upstream = uniform({64, 64, 1000}, 4);
  Tensor output, grad_input, grad_weight(weight.shape()), grad_bias(bias.shape());
  double best = 1e30;
  for (int r = 0; r <= repeats; ++r) {  // the first run warms caches and allocations
    const auto start = std::chrono::steady_clock::now();
    backend.conv1d_forward(g, input, weight, &bias, output);
    backend.conv1d_backward(g, input, weight, upstream, &grad_input, &grad_weight, &grad_bias);
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  // Forward, input gradient and weight gradient: three products of 2 * 64 * 64 * 9 * 1000 * 64 flops.
  const double gflop = 3.0 * 2.0 * 64 * 64 * 9 * 1000 * 64 / 1e9;
  CpuBackend direct(threads);
  CpuBackend im2col(threads);
  im2col.set_direct_kernels(false);
  const double direct_ms = best_milliseconds(direct, repeats);
  const double im2col_ms = best_milliseconds(im2col, repeats);
  const std::string command = std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_BENCH_DIR + "/torch_conv1d.py " +
                              std::to_string(threads) + " " + std::to_string(repeats);
  FILE* pipe = popen(command.c_str(), "r");
  double torch_ms = 0.0;
  if (pipe == nullptr || std::fscanf(pipe, "%lf", &torch_ms) != 1) torch_ms = 0.0;
  if (pipe != nullptr) pclose(pipe);
  std::printf("conv1d 64->64 k9 'same', [64, 64, 1000], forward + backward, %d thread(s), best of %d\n", threads,
              repeats);
  std::printf("  epibook direct   %8.1f ms  %6.1f GFLOP/s\n", direct_ms, gflop / direct_ms * 1e3);
  std::printf("  epibook im2col   %8.1f ms  %6.1f GFLOP/s\n", im2col_ms, gflop / im2col_ms * 1e3);
  if (torch_ms <= 0.0) {
    std::printf("  pytorch          unavailable (%s failed)\n", command.c_str());
    return 1;
  }
  std::printf("  pytorch 1.13     %8.1f ms  %6.1f GFLOP/s\n", torch_ms, gflop / torch_ms * 1e3);
  std::printf("  ratio direct / pytorch: %.2fx, im2col / pytorch: %.2fx (above 1 = faster than PyTorch)\n",
              torch_ms / direct_ms, torch_ms / im2col_ms);
  return 0;
}
