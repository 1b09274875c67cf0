// Direct Conv1D kernels for stride 1, the case every genomics CNN here uses: no im2col
// matrix, the kernels read shifted rows of a zero-padded copy of the sample, hold a
// tile of outputs in vector registers and accumulate. The im2col + Eigen path in
// conv1d_kernels.cpp handles every other geometry and is the reference the tests hold
// these kernels to.
//
// One binary carries several sets of these kernels, one per instruction set, each with
// a tile that fits its register file, and a backend picks one at run time: the build
// itself targets a portable baseline, so a binary made on one machine runs on any
// x86-64 (no illegal instruction on an older node of a cluster).
//   avx512    AVX-512F, fused multiply-add: 8 channels x 48 positions (24 of 32 zmm)
//   avx2      AVX2 + FMA, fused: 6 channels x 16 positions (12 of 16 ymm)
//   baseline  the build's own 128-bit vectors (SSE2 on x86-64), multiply then add:
//             6 x 8 (12 of 16 xmm); the sums WebAssembly computes, to the bit
//   wasm-simd128  WebAssembly SIMD, multiply then add: 4 x 8 (a browser engine gives a
//             function about 15 registers of 4 floats)
// Paths that fuse agree with each other to the bit, and paths that do not agree with
// each other to the bit (direct_conv1d_tiles.h says why); fused against unfused differ
// by the rounding of each product, within the bound the tests state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epibook::nn::direct {

inline int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// One instruction set's kernels and the tile they were written for.
struct Kernels {
  const char* name;
  int64_t tile_columns;   // output positions per tile: padded rows are a multiple long
  int64_t tile_channels;  // output channels per tile: the packing's T (pack_weights)

  // output[o][j] = bias[o] + sum_{c, k} W[o][c][k] * padded[c][j + k * dilation] for
  // j < length_out, o < out_channels; `packed` is pack_weights(..., tile_channels);
  // `padded` rows are row_length >= round_up(length_out, tile_columns) + (K - 1) *
  // dilation long. `bias` may be null. `tail` is scratch of tile_columns floats.
  void (*convolve)(const float* packed, const float* bias, const float* padded, int64_t in_channels,
                   int64_t out_channels, int64_t kernel, int64_t dilation, int64_t row_length, int64_t length_out,
                   float* output, float* tail);

  // gradient[(c * K + k)][o] += sum_j grad_t[j][o] * padded[c][j + k * dilation] for
  // j < length, with grad_t the output gradient transposed to [length][out16] (out16 =
  // round_up(out, 16), zero beyond out) and gradient [in * K][out16]. `zero_row` is a
  // row of zeros at least row_length long. With `overwrite`, gradient is written as if it
  // held zeros (the first sample of a chunk), so its storage need not be cleared.
  void (*accumulate_weight_gradient)(const float* grad_t, const float* padded, int64_t in_channels, int64_t out16,
                                     int64_t kernel, int64_t dilation, int64_t row_length, int64_t length,
                                     const float* zero_row, float* gradient, bool overwrite);
};

// The sets built into this binary. baseline_kernels() always exists (in WebAssembly it
// is the wasm-simd128 set); the x86-64 sets are null elsewhere.
const Kernels& baseline_kernels();
const Kernels* avx2_kernels();
const Kernels* avx512_kernels();

// The sets this CPU can run, fastest first (checked once, with __builtin_cpu_supports).
const std::vector<const Kernels*>& runnable_kernels();

// Rows of a padded copy: `length` values placed `left` zeros from the start of rows
// `row_length` long (zeros after), for `channels` rows.
void pad_rows(const float* source, int64_t channels, int64_t length, int64_t left, int64_t row_length,
              float* destination);

// Weights [out, in, K] regrouped as [out / T][in][K][T], T = tile_channels (zero rows
// past `out`). With `flip`, the weights of the input-gradient convolution: [in / T][out][K][T] holding
// W[o][c][K - 1 - k].
void pack_weights(const float* weights, int64_t out_channels, int64_t in_channels, int64_t kernel, bool flip,
                  int64_t tile_channels, float* packed);
int64_t packed_weight_size(int64_t out_channels, int64_t in_channels, int64_t kernel, int64_t tile_channels);

// grad_t[j][o] = grad[o][j], zero for o >= out (out16 columns).
void transpose_gradient(const float* grad, int64_t out_channels, int64_t length, int64_t out16, float* grad_t);

}  // namespace epibook::nn::direct
