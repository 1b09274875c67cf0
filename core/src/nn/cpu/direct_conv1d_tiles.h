// The register-tiled direct Conv1D kernels, written once over a vector type. Each
// instruction set's file (direct_conv1d.cpp for the baseline, direct_conv1d_avx2.cpp,
// direct_conv1d_avx512.cpp) instantiates them with its own vector, its own multiply-add
// (fused or not) and a tile that fits its register file.
//
// Every output sums its (input channel, tap) products in one order starting from zero,
// and every weight gradient adds its positions in order onto what is there: the tile
// only groups sums into registers. So two paths that both fuse (AVX2, AVX-512) give the
// same bits, and a path that does not (baseline) gives WebAssembly's bits.
//
// Instantiate these only with an `Isa` declared in an anonymous namespace: the
// instantiations then have internal linkage, so the linker can never hand one path's
// caller another path's compiled body (an AVX-512 body to a CPU without AVX-512). For the
// same reason nothing here calls an inline function of the standard library.
#pragma once

#include <cstdint>

// An Isa provides:
//   using Vec = float __attribute__((vector_size(4 * kLanes)));
//   static constexpr int kLanes;
//   static Vec multiply_add(Vec a, Vec b, Vec c);   // a * b + c
namespace epibook::nn::direct::tiles {

template <class Isa>
inline typename Isa::Vec load(const float* p) {
  typename Isa::Vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

template <class Isa>
inline void store(float* p, typename Isa::Vec v) {
  __builtin_memcpy(p, &v, sizeof v);
}

// x in every lane. Written as x - 0, which is x for every float (-0 - 0 is -0), so the
// compiler drops the subtraction and loads the value straight into all lanes (one
// vbroadcastss from memory). The former 0 + x is not an identity (0 + -0 is +0), so
// under strict IEEE (-ffp-contract=off, no fast-math) it was compiled as a scalar add,
// then a broadcast: one more instruction on the critical path of every weight, which
// on the x86-64 machine of the benchmarks cost the AVX2 tiles about a third of their
// speed. The sums are the same: an accumulator starts at +0 and can never become -0,
// so the sign of a zero factor never reaches a result.
template <class Isa>
inline typename Isa::Vec splat(float x) {
  return x - typename Isa::Vec{};
}

inline int64_t smaller(int64_t a, int64_t b) { return a < b ? a : b; }

// The weight gradient's next Rows rows of (input channel, tap), from row `first` of
// total_rows: each one's start in the padded input, its index, and whether it exists
// (past the last, zero_row stands in and nothing is stored). Shared with the
// WebAssembly path of direct_conv1d.cpp, which has no Isa: static, so every file that
// includes this gets its own copy, compiled with its own flags.
template <int Rows>
static inline void gradient_rows(const float* padded, int64_t first, int64_t total_rows, int64_t kernel,
                                 int64_t dilation, int64_t row_length, const float* zero_row,
                                 const float* (&rows)[Rows], int64_t (&row_index)[Rows], bool (&row_valid)[Rows]) {
  for (int64_t r = 0; r < Rows; ++r) {
    const int64_t index = first + r;
    row_valid[r] = index < total_rows;
    row_index[r] = row_valid[r] ? index : 0;
    rows[r] = row_valid[r] ? padded + (index / kernel) * row_length + (index % kernel) * dilation : zero_row;
  }
}

// One tile of Channels output channels x Vectors * kLanes positions: acc[r][v] over all
// (c, k), the weights of the tile packed as [in][K][Channels].
template <class Isa, int Channels, int Vectors>
inline void tile(const float* packed_block, const float* padded_column, int64_t in_channels, int64_t kernel,
                 int64_t dilation, int64_t row_length, typename Isa::Vec (&acc)[Channels][Vectors]) {
  using Vec = typename Isa::Vec;
  for (int r = 0; r < Channels; ++r) {
    for (int v = 0; v < Vectors; ++v) acc[r][v] = Vec{};
  }
  const float* w = packed_block;
  for (int64_t c = 0; c < in_channels; ++c) {
    const float* row = padded_column + c * row_length;
    for (int64_t k = 0; k < kernel; ++k, w += Channels) {
      const float* x = row + k * dilation;
      Vec xs[Vectors];
      for (int v = 0; v < Vectors; ++v) xs[v] = load<Isa>(x + v * Isa::kLanes);
      for (int r = 0; r < Channels; ++r) {
        const Vec weight = splat<Isa>(w[r]);
        for (int v = 0; v < Vectors; ++v) acc[r][v] = Isa::multiply_add(weight, xs[v], acc[r][v]);
      }
    }
  }
}

// direct::convolve (direct_conv1d.h) with tiles of Channels x Vectors * kLanes.
template <class Isa, int Channels, int Vectors>
void convolve(const float* packed, const float* bias, const float* padded, int64_t in_channels, int64_t out_channels,
              int64_t kernel, int64_t dilation, int64_t row_length, int64_t length_out, float* output, float* tail) {
  using Vec = typename Isa::Vec;
  constexpr int64_t kColumns = int64_t{Vectors} * Isa::kLanes;
  const int64_t blocks = (out_channels + Channels - 1) / Channels;
  for (int64_t block = 0; block < blocks; ++block) {
    const float* packed_block = packed + block * in_channels * kernel * Channels;
    const int64_t first_channel = block * Channels;
    const int64_t channels = smaller(Channels, out_channels - first_channel);
    for (int64_t j0 = 0; j0 < length_out; j0 += kColumns) {
      Vec acc[Channels][Vectors];
      tile<Isa, Channels, Vectors>(packed_block, padded + j0, in_channels, kernel, dilation, row_length, acc);
      const int64_t columns = smaller(kColumns, length_out - j0);
      for (int64_t r = 0; r < channels; ++r) {
        const Vec shift = splat<Isa>(bias != nullptr ? bias[first_channel + r] : 0.0f);
        float* destination = output + (first_channel + r) * length_out + j0;
        float* staging = columns == kColumns ? destination : tail;
        for (int v = 0; v < Vectors; ++v) store<Isa>(staging + v * Isa::kLanes, acc[r][v] + shift);
        if (staging == tail) __builtin_memcpy(destination, tail, static_cast<size_t>(columns) * sizeof(float));
      }
    }
  }
}

// Rows (input channel, tap) x Groups * kLanes output channels of the weight gradient,
// vectorised over output channels: acc[r][g] += dy[j][g] * row[r][j] for j in order.
template <class Isa, int Rows, int Groups>
void gradient_tile(const float* grad_t, const float* const (&rows)[Rows], int64_t out16, int64_t length,
                   float* gradient, const int64_t (&row_index)[Rows], const bool (&row_valid)[Rows], bool overwrite) {
  using Vec = typename Isa::Vec;
  Vec acc[Rows][Groups];
  for (int r = 0; r < Rows; ++r) {
    for (int g = 0; g < Groups; ++g) {
      acc[r][g] = row_valid[r] && !overwrite ? load<Isa>(gradient + row_index[r] * out16 + g * Isa::kLanes) : Vec{};
    }
  }
  for (int64_t j = 0; j < length; ++j) {
    const float* dy = grad_t + j * out16;
    Vec d[Groups];
    for (int g = 0; g < Groups; ++g) d[g] = load<Isa>(dy + g * Isa::kLanes);
    for (int r = 0; r < Rows; ++r) {
      const Vec x = splat<Isa>(rows[r][j]);
      for (int g = 0; g < Groups; ++g) acc[r][g] = Isa::multiply_add(d[g], x, acc[r][g]);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    if (!row_valid[r]) continue;
    for (int g = 0; g < Groups; ++g) store<Isa>(gradient + row_index[r] * out16 + g * Isa::kLanes, acc[r][g]);
  }
}

// direct::accumulate_weight_gradient with tiles of Rows x (up to MaxGroups * kLanes)
// output channels. out16 is a multiple of 16, so of kLanes (4, 8 or 16).
template <class Isa, int Rows, int MaxGroups>
void accumulate_weight_gradient(const float* grad_t, const float* padded, int64_t in_channels, int64_t out16,
                                int64_t kernel, int64_t dilation, int64_t row_length, int64_t length,
                                const float* zero_row, float* gradient, bool overwrite) {
  static_assert(MaxGroups >= 1 && MaxGroups <= 4, "gradient tiles of 1 to 4 vectors of channels");
  constexpr int64_t kSlice = int64_t{MaxGroups} * Isa::kLanes;
  const int64_t total_rows = in_channels * kernel;
  for (int64_t first = 0; first < total_rows; first += Rows) {
    const float* rows[Rows];
    int64_t row_index[Rows];
    bool row_valid[Rows];
    gradient_rows<Rows>(padded, first, total_rows, kernel, dilation, row_length, zero_row, rows, row_index, row_valid);
    for (int64_t g0 = 0; g0 < out16; g0 += kSlice) {
      const float* dy = grad_t + g0;
      float* slice = gradient + g0;
      switch (smaller(kSlice, out16 - g0) / Isa::kLanes) {
        case 4:
          if constexpr (MaxGroups >= 4) {
            gradient_tile<Isa, Rows, 4>(dy, rows, out16, length, slice, row_index, row_valid, overwrite);
          }
          break;
        case 3:
          if constexpr (MaxGroups >= 3) {
            gradient_tile<Isa, Rows, 3>(dy, rows, out16, length, slice, row_index, row_valid, overwrite);
          }
          break;
        case 2:
          if constexpr (MaxGroups >= 2) {
            gradient_tile<Isa, Rows, 2>(dy, rows, out16, length, slice, row_index, row_valid, overwrite);
          }
          break;
        default: gradient_tile<Isa, Rows, 1>(dy, rows, out16, length, slice, row_index, row_valid, overwrite); break;
      }
    }
  }
}

}  // namespace epibook::nn::direct::tiles
