// The direct Conv1D kernels for CPUs with AVX2 and FMA (Haswell and later, Zen): 8-float
// vectors and fused multiply-adds. Only this file is compiled with -mavx2 -mfma; it runs
// only where runnable_kernels() found both. A tile of 6 output channels x 16 positions
// holds 12 accumulators, 2 input vectors and a broadcast weight: 15 of the 16 ymm
// registers; the weight gradient's 6 rows x 16 channels, the same count.
#include "nn/cpu/direct_conv1d.h"

#if EPIBOOK_X86_KERNELS
#include <immintrin.h>

#include "nn/cpu/direct_conv1d_tiles.h"

namespace epibook::nn::direct {
namespace {

struct Avx2 {
  using Vec = float __attribute__((vector_size(32)));
  static constexpr int kLanes = 8;
  static Vec multiply_add(Vec a, Vec b, Vec c) {
    return reinterpret_cast<Vec>(
        _mm256_fmadd_ps(reinterpret_cast<__m256>(a), reinterpret_cast<__m256>(b), reinterpret_cast<__m256>(c)));
  }
};

constexpr Kernels kAvx2{"avx2", 16, 6, tiles::convolve<Avx2, 6, 2>, tiles::accumulate_weight_gradient<Avx2, 6, 2>};

}  // namespace

const Kernels* avx2_kernels() { return &kAvx2; }

}  // namespace epibook::nn::direct
#endif
