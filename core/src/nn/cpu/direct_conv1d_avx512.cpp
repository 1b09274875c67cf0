// The direct Conv1D kernels for CPUs with AVX-512F (Skylake-SP and later, Zen 4 and 5):
// 16-float vectors and fused multiply-adds. Only this file is compiled with -mavx512f;
// it runs only where runnable_kernels() found it. A tile of 8 output channels x 48
// positions holds 24 accumulators, 3 input vectors and a broadcast weight: 28 of the 32
// zmm registers; the weight gradient's 6 rows x 64 channels, 24 + 4 + 1.
#include "nn/cpu/direct_conv1d.h"

#if EPIBOOK_X86_KERNELS
#include <immintrin.h>

#include "nn/cpu/direct_conv1d_tiles.h"

namespace epibook::nn::direct {
namespace {

struct Avx512 {
  using Vec = float __attribute__((vector_size(64)));
  static constexpr int kLanes = 16;
  static Vec multiply_add(Vec a, Vec b, Vec c) {
    return reinterpret_cast<Vec>(
        _mm512_fmadd_ps(reinterpret_cast<__m512>(a), reinterpret_cast<__m512>(b), reinterpret_cast<__m512>(c)));
  }
};

constexpr Kernels kAvx512{"avx512", 48, 8, tiles::convolve<Avx512, 8, 3>,
                          tiles::accumulate_weight_gradient<Avx512, 6, 4>};

}  // namespace

const Kernels* avx512_kernels() { return &kAvx512; }

}  // namespace epibook::nn::direct
#endif
