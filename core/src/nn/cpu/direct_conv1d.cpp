// The direct Conv1D kernels' shared parts (padding, weight packing, transposing) and
// the one set every build has: the baseline (the build's own 128-bit vectors, multiply
// then add) natively, the wasm-simd128 set in WebAssembly. Also the choice among the
// sets built in, made once from what the CPU reports (see direct_conv1d.h).
#include "nn/cpu/direct_conv1d.h"
#include "nn/cpu/vector_clones.h"

#include <algorithm>
#include <cstring>

#include "nn/cpu/direct_conv1d_tiles.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace epibook::nn::direct {
namespace {

#if defined(__wasm_simd128__)
// WebAssembly: 4-float vectors, a tile of kTileChannels x kTileColumns that fits the
// engine's registers. Every output still sums its (channel, tap) products in the
// native order, starting from zero: only the grouping into registers differs.
constexpr int64_t kTileColumns = 8;
constexpr int64_t kTileChannels = 4;
constexpr int64_t kGradientRows = 4;
constexpr int64_t kGradientGroups = 2;  // of 4 output channels
constexpr int kChannels = static_cast<int>(kTileChannels);

// One tile, summed and written: rows of `output` (row_length_out apart) get bias[r] +
// the sums, `channels` rows and `columns` columns of them (a partial tile goes
// through `tail`). The accumulators stay in registers: the rows are written in a
// loop of constant length, so no accumulator is indexed at run time.
inline void tile(const float* packed_block, const float* padded_column, int in_channels, int kernel, int dilation,
                 int row_length, const float* bias, int channels, int columns, float* output, int row_length_out,
                 float* tail) {
  // Eight named accumulators (4 channels x 2 vectors): an array here would live in
  // memory (LLVM 14 does not promote it to locals), costing a store per update.
  v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  const float* w = packed_block;
  for (int c = 0; c < in_channels; ++c) {
    const float* x = padded_column + c * row_length;
    for (int k = 0; k < kernel; ++k, w += kChannels, x += dilation) {
      const v128_t x0 = wasm_v128_load(x);
      const v128_t x1 = wasm_v128_load(x + 4);
      v128_t weight = wasm_v128_load32_splat(w);
      a00 = wasm_f32x4_add(wasm_f32x4_mul(weight, x0), a00);
      a01 = wasm_f32x4_add(wasm_f32x4_mul(weight, x1), a01);
      weight = wasm_v128_load32_splat(w + 1);
      a10 = wasm_f32x4_add(wasm_f32x4_mul(weight, x0), a10);
      a11 = wasm_f32x4_add(wasm_f32x4_mul(weight, x1), a11);
      weight = wasm_v128_load32_splat(w + 2);
      a20 = wasm_f32x4_add(wasm_f32x4_mul(weight, x0), a20);
      a21 = wasm_f32x4_add(wasm_f32x4_mul(weight, x1), a21);
      weight = wasm_v128_load32_splat(w + 3);
      a30 = wasm_f32x4_add(wasm_f32x4_mul(weight, x0), a30);
      a31 = wasm_f32x4_add(wasm_f32x4_mul(weight, x1), a31);
    }
  }
  const v128_t sums[kChannels][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
  for (int r = 0; r < channels; ++r) {
    float* destination = output + r * row_length_out;
    float* staging = columns == kTileColumns ? destination : tail;
    const v128_t shift = wasm_f32x4_splat(bias != nullptr ? bias[r] : 0.0f);
    wasm_v128_store(staging, wasm_f32x4_add(sums[r][0], shift));
    wasm_v128_store(staging + 4, wasm_f32x4_add(sums[r][1], shift));
    if (staging == tail) std::memcpy(destination, tail, static_cast<size_t>(columns) * sizeof(float));
  }
}

template <int Groups>
void gradient_tile(const float* grad_t, const float* const (&rows)[kGradientRows], int64_t out16, int64_t length,
                   float* gradient, const int64_t (&row_index)[kGradientRows], bool (&row_valid)[kGradientRows],
                   bool overwrite) {
  v128_t acc[kGradientRows][Groups];
  for (int r = 0; r < kGradientRows; ++r) {
    for (int g = 0; g < Groups; ++g) {
      acc[r][g] = row_valid[r] && !overwrite ? wasm_v128_load(gradient + row_index[r] * out16 + g * 4)
                                             : wasm_f32x4_splat(0.0f);
    }
  }
  for (int64_t j = 0; j < length; ++j) {
    const float* dy = grad_t + j * out16;
    v128_t d[Groups];
    for (int g = 0; g < Groups; ++g) d[g] = wasm_v128_load(dy + g * 4);
    for (int r = 0; r < kGradientRows; ++r) {
      const v128_t x = wasm_v128_load32_splat(rows[r] + j);
      for (int g = 0; g < Groups; ++g) acc[r][g] = wasm_f32x4_add(wasm_f32x4_mul(d[g], x), acc[r][g]);
    }
  }
  for (int r = 0; r < kGradientRows; ++r) {
    if (!row_valid[r]) continue;
    for (int g = 0; g < Groups; ++g) wasm_v128_store(gradient + row_index[r] * out16 + g * 4, acc[r][g]);
  }
}


void wasm_convolve(const float* packed, const float* bias, const float* padded, int64_t in_channels,
                   int64_t out_channels, int64_t kernel, int64_t dilation, int64_t row_length, int64_t length_out,
                   float* output, float* tail) {
  const int64_t blocks = round_up(out_channels, kTileChannels) / kTileChannels;
  for (int64_t block = 0; block < blocks; ++block) {
    const float* packed_block = packed + block * in_channels * kernel * kTileChannels;
    const int64_t first_channel = block * kTileChannels;
    const int64_t channels = std::min(kTileChannels, out_channels - first_channel);
    // 32-bit sizes: wasm32 addresses are 32-bit, and 64-bit index arithmetic in the
    // inner loop costs instructions.
    for (int64_t j0 = 0; j0 < length_out; j0 += kTileColumns) {
      tile(packed_block, padded + j0, static_cast<int>(in_channels), static_cast<int>(kernel),
           static_cast<int>(dilation), static_cast<int>(row_length), bias != nullptr ? bias + first_channel : nullptr,
           static_cast<int>(channels), static_cast<int>(std::min(kTileColumns, length_out - j0)),
           output + first_channel * length_out + j0, static_cast<int>(length_out), tail);
    }
  }
}

void wasm_accumulate_weight_gradient(const float* grad_t, const float* padded, int64_t in_channels, int64_t out16,
                                     int64_t kernel, int64_t dilation, int64_t row_length, int64_t length,
                                     const float* zero_row, float* gradient, bool overwrite) {
  const int64_t total_rows = in_channels * kernel;
  for (int64_t first = 0; first < total_rows; first += kGradientRows) {
    const float* rows[kGradientRows];
    int64_t row_index[kGradientRows];
    bool row_valid[kGradientRows];
    tiles::gradient_rows<kGradientRows>(padded, first, total_rows, kernel, dilation, row_length, zero_row, rows,
                                        row_index, row_valid);
    // out16 is a multiple of 16, so of 4 * kGradientGroups for 1, 2 or 4 groups.
    constexpr int64_t span = 4 * kGradientGroups;
    for (int64_t g0 = 0; g0 < out16; g0 += span) {
      gradient_tile<kGradientGroups>(grad_t + g0, rows, out16, length, gradient + g0, row_index, row_valid, overwrite);
    }
  }
}

constexpr Kernels kBaseline{"wasm-simd128", kTileColumns, kTileChannels, wasm_convolve,
                            wasm_accumulate_weight_gradient};

#else
// The baseline: 4-float vectors of the build's target (SSE2 on x86-64, NEON on arm64)
// and multiply then add (the build has -ffp-contract=off), as WebAssembly does. Tiles of
// 6 channels x 8 positions (12 accumulators) and 6 (channel, tap) rows x 8 channels of
// the weight gradient fit 16 registers with room for the loads and the broadcast.
struct Baseline {
  using Vec = float __attribute__((vector_size(16)));
  static constexpr int kLanes = 4;
  static Vec multiply_add(Vec a, Vec b, Vec c) { return a * b + c; }
};

constexpr Kernels kBaseline{"baseline", 8, 6, tiles::convolve<Baseline, 6, 2>,
                            tiles::accumulate_weight_gradient<Baseline, 6, 2>};
#endif

}  // namespace

const Kernels& baseline_kernels() { return kBaseline; }

#if !EPIBOOK_X86_KERNELS
const Kernels* avx2_kernels() { return nullptr; }
const Kernels* avx512_kernels() { return nullptr; }
#endif

const std::vector<const Kernels*>& runnable_kernels() {
  static const std::vector<const Kernels*> runnable = [] {
    std::vector<const Kernels*> sets;
#if EPIBOOK_X86_KERNELS
    __builtin_cpu_init();
    if (avx512_kernels() != nullptr && __builtin_cpu_supports("avx512f")) sets.push_back(avx512_kernels());
    if (avx2_kernels() != nullptr && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      sets.push_back(avx2_kernels());
    }
#endif
    sets.push_back(&baseline_kernels());
    return sets;
  }();
  return runnable;
}

void pad_rows(const float* source, int64_t channels, int64_t length, int64_t left, int64_t row_length,
              float* destination) {
  const int64_t copied = std::max<int64_t>(0, std::min(length, row_length - left));
  for (int64_t c = 0; c < channels; ++c) {
    float* row = destination + c * row_length;
    std::fill(row, row + left, 0.0f);
    std::memcpy(row + left, source + c * length, static_cast<size_t>(copied) * sizeof(float));
    std::fill(row + left + copied, row + row_length, 0.0f);
  }
}

int64_t packed_weight_size(int64_t out_channels, int64_t in_channels, int64_t kernel, int64_t tile_channels) {
  return round_up(out_channels, tile_channels) * in_channels * kernel;
}

void pack_weights(const float* weights, int64_t out_channels, int64_t in_channels, int64_t kernel, bool flip,
                  int64_t tile_channels, float* packed) {
  // Rows of the convolution being packed (tile axis) and its input channels.
  const int64_t rows = flip ? in_channels : out_channels;
  const int64_t inputs = flip ? out_channels : in_channels;
  for (int64_t block = 0; block < round_up(rows, tile_channels) / tile_channels; ++block) {
    for (int64_t i = 0; i < inputs; ++i) {
      for (int64_t k = 0; k < kernel; ++k) {
        float* slot = packed + ((block * inputs + i) * kernel + k) * tile_channels;
        for (int64_t r = 0; r < tile_channels; ++r) {
          const int64_t row = block * tile_channels + r;
          if (row >= rows) {
            slot[r] = 0.0f;
          } else if (flip) {  // W'[c = row][o = i][k] = W[o][c][K - 1 - k]
            slot[r] = weights[(i * in_channels + row) * kernel + (kernel - 1 - k)];
          } else {
            slot[r] = weights[(row * in_channels + i) * kernel + k];
          }
        }
      }
    }
  }
}

EPIBOOK_VECTOR_CLONES void transpose_gradient(const float* grad, int64_t out_channels, int64_t length, int64_t out16, float* grad_t) {
  // In blocks of 16 positions, so each source row is read a cache line at a time.
  constexpr int64_t kBlock = 16;
  for (int64_t j0 = 0; j0 < length; j0 += kBlock) {
    const int64_t j1 = std::min(length, j0 + kBlock);
    for (int64_t o = 0; o < out_channels; ++o) {
      const float* source = grad + o * length;
      for (int64_t j = j0; j < j1; ++j) grad_t[j * out16 + o] = source[j];
    }
    for (int64_t j = j0; j < j1; ++j) std::fill(grad_t + j * out16 + out_channels, grad_t + (j + 1) * out16, 0.0f);
  }
}

}  // namespace epibook::nn::direct
