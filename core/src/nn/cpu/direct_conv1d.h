// Direct Conv1D kernels for stride 1, the case every genomics CNN here uses: no im2col
// matrix, the kernels read shifted rows of a zero-padded copy of the sample, hold a
// tile of outputs in vector registers and accumulate with fused multiply-adds (natively;
// wasm SIMD has no FMA, so there it is multiply then add). The im2col + Eigen path in
// conv1d_kernels.cpp handles every other geometry and is the reference the tests hold
// these kernels to.
#pragma once

#include <cstdint>

#include "epibook/nn/backend.h"

namespace epibook::nn::direct {

// Output columns per register tile, and output channels per tile; (in channel, tap)
// rows per weight-gradient tile. Natively a tile is 8 x 48 (24 registers of 16
// floats). A WebAssembly engine gives a function about 15 registers of 4 floats, so
// there a tile is 4 channels x 8 columns and a gradient tile 4 rows x 8 channels.
#if defined(__wasm_simd128__)
inline constexpr int64_t kTileColumns = 8;
inline constexpr int64_t kTileChannels = 4;
inline constexpr int64_t kGradientRows = 4;
inline constexpr int64_t kGradientGroups = 2;  // of 4 output channels
#else
inline constexpr int64_t kTileColumns = 48;
inline constexpr int64_t kTileChannels = 8;
inline constexpr int64_t kGradientRows = 6;
#endif

inline int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// Rows of a padded copy: `length` values placed `left` zeros from the start of rows
// `row_length` long (zeros after), for `channels` rows.
void pad_rows(const float* source, int64_t channels, int64_t length, int64_t left, int64_t row_length,
              float* destination);

// Weights [out, in, K] regrouped as [out / T][in][K][T], T = kTileChannels (zero rows
// past `out`). With `flip`, the weights of the input-gradient convolution: [in / T][out][K][T] holding
// W[o][c][K - 1 - k].
void pack_weights(const float* weights, int64_t out_channels, int64_t in_channels, int64_t kernel, bool flip,
                  float* packed);
int64_t packed_weight_size(int64_t out_channels, int64_t in_channels, int64_t kernel);

// output[o][j] = bias[o] + sum_{c, k} W[o][c][k] * padded[c][j + k * dilation] for
// j < length_out, o < out_channels; `padded` rows are row_length >= round_up(length_out,
// kTileColumns) + (K - 1) * dilation long. `bias` may be null. `tail` is scratch of
// kTileChannels * kTileColumns floats.
void convolve(const float* packed, const float* bias, const float* padded, int64_t in_channels,
              int64_t out_channels, int64_t kernel, int64_t dilation, int64_t row_length, int64_t length_out,
              float* output, float* tail);

// gradient[(c * K + k)][o] += sum_j grad_t[j][o] * padded[c][j + k * dilation] for
// j < length, with grad_t the output gradient transposed to [length][out16] (out16 =
// round_up(out, 16), zero beyond out) and gradient [in * K][out16]. `zero_row` is a
// row of zeros at least row_length long. With `overwrite`, gradient is written as if it
// held zeros (the first sample of a chunk), so its storage need not be cleared.
void accumulate_weight_gradient(const float* grad_t, const float* padded, int64_t in_channels, int64_t out16,
                                int64_t kernel, int64_t dilation, int64_t row_length, int64_t length,
                                const float* zero_row, float* gradient, bool overwrite);

// grad_t[j][o] = grad[o][j], zero for o >= out (out16 columns).
void transpose_gradient(const float* grad, int64_t out_channels, int64_t length, int64_t out16, float* grad_t);

}  // namespace epibook::nn::direct
