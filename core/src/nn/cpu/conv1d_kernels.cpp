// Conv1D on the CPU. Stride 1 (every model in the book) runs the direct kernels of
// direct_conv1d.h; other geometries use im2col + one Eigen GEMM per sample: the
// sample's receptive fields laid out as a [C_in * K, L_out] matrix that the weights
// [C_out, C_in * K] multiply. Either way, weight gradients are summed per fixed chunk
// of samples, then over chunks in order, so threads never change the bits.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "nn/cpu/direct_conv1d.h"
#include "nn/cpu/eigen_products.h"
#include "nn/cpu/workers.h"

namespace epibook::nn {
namespace {

// Samples per weight-gradient partial sum: fixed, so the summation order (and the
// bits) do not depend on the thread count.
constexpr int64_t kSamplesPerChunk = 4;

using ColumnStride = Eigen::OuterStride<>;

bool is_pointwise(const Conv1dGeometry& g) {
  return g.kernel_size == 1 && g.stride == 1 && g.padding_left == 0 && g.padding_right == 0;
}

// The input positions read by kernel tap `tap` for outputs [0, length_out): output j
// reads input j * stride + offset. Returns the first and one-past-last j inside the input.
struct TapRange {
  int64_t offset;
  int64_t first;
  int64_t last;
};

TapRange tap_range(const Conv1dGeometry& g, int64_t tap, int64_t length_in, int64_t length_out) {
  TapRange range{tap * g.dilation - g.padding_left, 0, 0};
  // smallest j with j * stride + offset >= 0
  range.first = range.offset >= 0 ? 0 : (-range.offset + g.stride - 1) / g.stride;
  // largest j with j * stride + offset <= length_in - 1, plus one
  const int64_t top = length_in - 1 - range.offset;
  range.last = top < 0 ? 0 : std::min(length_out, top / g.stride + 1);
  range.first = std::min(range.first, range.last);
  return range;
}

// columns[(c * K + tap), j] = sample[c, j * stride + tap * dilation - padding_left], 0 outside.
void im2col(const Conv1dGeometry& g, const float* sample, int64_t length_in, int64_t length_out, float* columns) {
  for (int64_t tap = 0; tap < g.kernel_size; ++tap) {
    const TapRange range = tap_range(g, tap, length_in, length_out);
    for (int64_t c = 0; c < g.in_channels; ++c) {
      float* row = columns + (c * g.kernel_size + tap) * length_out;
      const float* channel = sample + c * length_in;
      std::fill(row, row + range.first, 0.0f);
      if (g.stride == 1) {
        std::memcpy(row + range.first, channel + range.first + range.offset,
                    static_cast<size_t>(range.last - range.first) * sizeof(float));
      } else {
        for (int64_t j = range.first; j < range.last; ++j) row[j] = channel[j * g.stride + range.offset];
      }
      std::fill(row + range.last, row + length_out, 0.0f);
    }
  }
}

// The adjoint of im2col: adds every column entry back onto the input position it came from.
void col2im(const Conv1dGeometry& g, const float* columns, int64_t length_in, int64_t length_out, float* sample) {
  std::fill(sample, sample + g.in_channels * length_in, 0.0f);
  for (int64_t c = 0; c < g.in_channels; ++c) {
    float* channel = sample + c * length_in;
    for (int64_t tap = 0; tap < g.kernel_size; ++tap) {
      const TapRange range = tap_range(g, tap, length_in, length_out);
      const float* row = columns + (c * g.kernel_size + tap) * length_out;
      for (int64_t j = range.first; j < range.last; ++j) channel[j * g.stride + range.offset] += row[j];
    }
  }
}

// The direct kernels cover stride 1 with left padding no wider than the kernel's span
// (so the input-gradient convolution needs no negative padding).
bool has_direct_kernels(const Conv1dGeometry& g) {
  return g.stride == 1 && g.padding_left <= g.dilation * (g.kernel_size - 1);
}

// Adds each output channel's gradient sum (in double, positions in order) to the chunk's partial.
void add_bias_gradient(const float* grad, int64_t channels, int64_t length, int64_t chunk, double* partials) {
  for (int64_t o = 0; o < channels; ++o) {
    double sum = 0.0;
    for (int64_t j = 0; j < length; ++j) sum += grad[o * length + j];
    partials[chunk * channels + o] += sum;
  }
}

// The same sums from the gradient transposed to [length][out16]: every channel still
// adds its positions in order, but the channels advance together in vector lanes.
void add_bias_gradient_transposed(const float* __restrict grad_t, int64_t channels, int64_t out16, int64_t length,
                                  int64_t chunk, double* __restrict sums, double* __restrict partials) {
  for (int64_t o = 0; o < channels; ++o) sums[o] = 0.0;
  for (int64_t j = 0; j < length; ++j) {
    const float* __restrict row = grad_t + j * out16;
    for (int64_t o = 0; o < channels; ++o) sums[o] += row[o];
  }
  for (int64_t o = 0; o < channels; ++o) partials[chunk * channels + o] += sums[o];
}

void sum_bias_partials(const double* partials, int64_t chunks, Tensor& grad_bias) {
  const int64_t channels = grad_bias.size();
  for (int64_t o = 0; o < channels; ++o) {
    double sum = 0.0;
    for (int64_t chunk = 0; chunk < chunks; ++chunk) sum += partials[chunk * channels + o];
    grad_bias[o] += static_cast<float>(sum);
  }
}

// Scratch slots of the direct path.
enum DirectSlot { kPaddedInput = 0, kTransposedGradient = 1, kPaddedGradient = 2, kZeroRow = 3, kTail = 4 };
// Scratch of an op as a whole (CpuBackend::Workers::op_scratch / op_partials).
enum OpSlot { kPackedWeights = 0, kFlippedWeights = 1, kWeightPartials = 2 };
enum PartialSlot { kBiasPartials = 0, kBiasSums = 1 };

const direct::Kernels* runnable_kernels_named(const std::string& path) {
  for (const direct::Kernels* kernels : direct::runnable_kernels()) {
    if (path == kernels->name) return kernels;
  }
  return nullptr;
}

std::string joined_paths() {
  std::string text;
  for (const std::string& path : conv_kernel_paths()) text += (text.empty() ? "" : ", ") + path;
  return text;
}

}  // namespace

std::vector<std::string> conv_kernel_paths() {
  std::vector<std::string> paths;
  for (const direct::Kernels* kernels : direct::runnable_kernels()) paths.emplace_back(kernels->name);
  return paths;
}

Status CpuBackend::use_conv_kernels(const std::string& path) {
  const direct::Kernels* kernels = runnable_kernels_named(path);
  if (kernels == nullptr) {
    const bool known = path == "avx512" || path == "avx2" || path == "baseline" || path == "wasm-simd128";
    return invalid_argument("conv kernels '" + path + "': " +
                            (known ? "this CPU (or this build) cannot run them" : "no such path") +
                            "; this machine runs " + joined_paths());
  }
  kernels_ = kernels;
  return Status::ok();
}

std::string CpuBackend::conv_kernels() const { return kernels_->name; }

void CpuBackend::choose_conv_kernels() {
  kernels_ = direct::runnable_kernels().front();
#if !defined(__EMSCRIPTEN__)
  const char* forced = std::getenv("EPIBOOK_CONV_KERNELS");
  if (forced != nullptr && *forced != '\0' && std::string(forced) != "auto") {
    const Status chosen = use_conv_kernels(forced);
    if (!chosen.is_ok()) status_ = invalid_argument("EPIBOOK_CONV_KERNELS=" + std::string(forced) + ": " + chosen.message());
  }
#endif
}

int64_t Conv1dGeometry::output_length(int64_t input_length) const {
  const int64_t span = dilation * (kernel_size - 1) + 1;
  const int64_t padded = input_length + padding_left + padding_right;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

void CpuBackend::conv1d_forward(const Conv1dGeometry& g, const Tensor& input, const Tensor& weight,
                                const Tensor* bias, Tensor& output) {
  const int64_t batch = input.dim(0);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = g.output_length(length_in);
  const int64_t rows = g.in_channels * g.kernel_size;
  output.resize({batch, g.out_channels, length_out});
  if (direct_kernels_ && has_direct_kernels(g)) {
    direct_forward(g, input, weight, bias, output);
    return;
  }
  const ConstMatrixView weights(weight.data(), g.out_channels, rows);
  // Every worker's scratch is sized before the tasks start: whichever worker takes a
  // task, a later step finds its buffers large enough (no allocation after the first).
  if (!is_pointwise(g)) workers_->prepare_scratch(0, rows * length_out);
  workers_->run(batch, [&](int64_t n, int worker) {
    const float* sample = input.data() + n * g.in_channels * length_in;
    const float* columns = sample;
    if (!is_pointwise(g)) {
      float* buffer = workers_->scratch(worker, 0, rows * length_out);
      im2col(g, sample, length_in, length_out, buffer);
      columns = buffer;
    }
    MatrixView out(output.data() + n * g.out_channels * length_out, g.out_channels, length_out);
    out.noalias() = weights * ConstMatrixView(columns, rows, length_out);
    if (bias != nullptr) out.colwise() += ConstVectorView(bias->data(), g.out_channels);
  });
}

void CpuBackend::conv1d_backward(const Conv1dGeometry& g, const Tensor& input, const Tensor& weight,
                                 const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight,
                                 Tensor* grad_bias) {
  const int64_t batch = input.dim(0);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = grad_output.dim(2);
  const int64_t rows = g.in_channels * g.kernel_size;
  if (grad_input != nullptr) grad_input->resize(input.shape());
  if (direct_kernels_ && has_direct_kernels(g)) {
    direct_backward(g, input, weight, grad_output, grad_input, grad_weight, grad_bias);
    return;
  }
  const int64_t chunks = (batch + kSamplesPerChunk - 1) / kSamplesPerChunk;
  const int64_t weight_elements = g.out_channels * rows;
  float* weight_partials = workers_->op_scratch(kWeightPartials, grad_weight != nullptr ? chunks * weight_elements : 0);
  double* bias_partials = workers_->op_partials(kBiasPartials, chunks * g.out_channels);
  std::fill(bias_partials, bias_partials + chunks * g.out_channels, 0.0);
  const ConstMatrixView weights(weight.data(), g.out_channels, rows);

  if (!is_pointwise(g) && grad_weight != nullptr) workers_->prepare_scratch(0, rows * length_out);
  if (!is_pointwise(g) && grad_input != nullptr) workers_->prepare_scratch(1, rows * length_out);
  workers_->run(chunks, [&](int64_t chunk, int worker) {
    const int64_t first = chunk * kSamplesPerChunk;
    const int64_t last = std::min(batch, first + kSamplesPerChunk);
    for (int64_t n = first; n < last; ++n) {
      const ConstMatrixView dy(grad_output.data() + n * g.out_channels * length_out, g.out_channels, length_out);
      const float* sample = input.data() + n * g.in_channels * length_in;
      if (grad_weight != nullptr) {
        const float* columns = sample;
        if (!is_pointwise(g)) {
          float* buffer = workers_->scratch(worker, 0, rows * length_out);
          im2col(g, sample, length_in, length_out, buffer);
          columns = buffer;
        }
        MatrixView partial(weight_partials + chunk * weight_elements, g.out_channels, rows);
        const ConstMatrixView cols(columns, rows, length_out);
        if (n == first) {
          partial.noalias() = dy * cols.transpose();
        } else {
          partial.noalias() += dy * cols.transpose();
        }
      }
      if (grad_bias != nullptr) add_bias_gradient(dy.data(), g.out_channels, length_out, chunk, bias_partials);
      if (grad_input != nullptr) {
        float* dx = grad_input->data() + n * g.in_channels * length_in;
        if (is_pointwise(g)) {
          MatrixView(dx, rows, length_out).noalias() = weights.transpose() * dy;
        } else {
          float* dcols = workers_->scratch(worker, 1, rows * length_out);
          MatrixView(dcols, rows, length_out).noalias() = weights.transpose() * dy;
          col2im(g, dcols, length_in, length_out, dx);
        }
      }
    }
  });

  if (grad_weight != nullptr) {
    VectorView total = vector_view(*grad_weight);
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      total += ConstVectorView(weight_partials + chunk * weight_elements, weight_elements);
    }
  }
  if (grad_bias != nullptr) sum_bias_partials(bias_partials, chunks, *grad_bias);
}

void CpuBackend::direct_forward(const Conv1dGeometry& g, const Tensor& input, const Tensor& weight, const Tensor* bias,
                                Tensor& output) {
  const int64_t batch = input.dim(0);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = output.dim(2);
  const int64_t span = g.dilation * (g.kernel_size - 1);
  const direct::Kernels& kernels = *kernels_;
  const int64_t row_length = direct::round_up(length_out, kernels.tile_columns) + span;
  const int64_t tail = kernels.tile_columns;
  float* packed = workers_->op_scratch(
      kPackedWeights, direct::packed_weight_size(g.out_channels, g.in_channels, g.kernel_size, kernels.tile_channels));
  direct::pack_weights(weight.data(), g.out_channels, g.in_channels, g.kernel_size, false, kernels.tile_channels,
                       packed);
  workers_->prepare_scratch(kPaddedInput, g.in_channels * row_length);
  workers_->prepare_scratch(kTail, tail);
  workers_->run(batch, [&](int64_t n, int worker) {
    float* padded = workers_->scratch(worker, kPaddedInput, g.in_channels * row_length);
    direct::pad_rows(input.data() + n * g.in_channels * length_in, g.in_channels, length_in, g.padding_left,
                     row_length, padded);
    kernels.convolve(packed, bias != nullptr ? bias->data() : nullptr, padded, g.in_channels, g.out_channels,
                     g.kernel_size, g.dilation, row_length, length_out, output.data() + n * g.out_channels * length_out,
                     workers_->scratch(worker, kTail, tail));
  });
}

void CpuBackend::direct_backward(const Conv1dGeometry& g, const Tensor& input, const Tensor& weight,
                                 const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight,
                                 Tensor* grad_bias) {
  const int64_t batch = input.dim(0);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = grad_output.dim(2);
  const int64_t span = g.dilation * (g.kernel_size - 1);
  const direct::Kernels& kernels = *kernels_;
  const int64_t row_length = direct::round_up(length_out, kernels.tile_columns) + span;
  const int64_t gradient_row_length = direct::round_up(length_in, kernels.tile_columns) + span;
  const int64_t out16 = direct::round_up(g.out_channels, 16);
  const int64_t rows = g.in_channels * g.kernel_size;
  const int64_t chunks = (batch + kSamplesPerChunk - 1) / kSamplesPerChunk;
  float* flipped = nullptr;
  if (grad_input != nullptr) {
    flipped = workers_->op_scratch(
        kFlippedWeights, direct::packed_weight_size(g.in_channels, g.out_channels, g.kernel_size, kernels.tile_channels));
    direct::pack_weights(weight.data(), g.out_channels, g.in_channels, g.kernel_size, true, kernels.tile_channels,
                         flipped);
  }
  float* weight_partials = workers_->op_scratch(kWeightPartials, grad_weight != nullptr ? chunks * rows * out16 : 0);
  double* bias_partials = workers_->op_partials(kBiasPartials, chunks * g.out_channels);
  std::fill(bias_partials, bias_partials + chunks * g.out_channels, 0.0);
  // Each task's own channel sums (one row of out16 per worker).
  double* bias_sums = workers_->op_partials(kBiasSums, threads() * out16);

  workers_->prepare_scratch(kPaddedInput, g.in_channels * row_length);
  workers_->prepare_scratch(kTransposedGradient, length_out * out16);
  workers_->prepare_scratch(kZeroRow, row_length);
  workers_->prepare_scratch(kPaddedGradient, g.out_channels * gradient_row_length);
  workers_->prepare_scratch(kTail, std::max(kernels.tile_columns, out16));
  workers_->run(chunks, [&](int64_t chunk, int worker) {
    const int64_t last = std::min(batch, (chunk + 1) * kSamplesPerChunk);
    for (int64_t n = chunk * kSamplesPerChunk; n < last; ++n) {
      const float* dy = grad_output.data() + n * g.out_channels * length_out;
      if (grad_weight != nullptr) {
        float* padded = workers_->scratch(worker, kPaddedInput, g.in_channels * row_length);
        direct::pad_rows(input.data() + n * g.in_channels * length_in, g.in_channels, length_in, g.padding_left,
                         row_length, padded);
        float* transposed = workers_->scratch(worker, kTransposedGradient, length_out * out16);
        direct::transpose_gradient(dy, g.out_channels, length_out, out16, transposed);
        float* zero_row = workers_->scratch(worker, kZeroRow, row_length);
        std::fill(zero_row, zero_row + row_length, 0.0f);
        kernels.accumulate_weight_gradient(transposed, padded, g.in_channels, out16, g.kernel_size, g.dilation,
                                           row_length, length_out, zero_row, weight_partials + chunk * rows * out16,
                                           n == chunk * kSamplesPerChunk);
        if (grad_bias != nullptr) {
          add_bias_gradient_transposed(transposed, g.out_channels, out16, length_out, chunk,
                                       bias_sums + worker * out16, bias_partials);
        }
      } else if (grad_bias != nullptr) {
        add_bias_gradient(dy, g.out_channels, length_out, chunk, bias_partials);
      }
      if (grad_input != nullptr) {
        // dx is the convolution of dy (padded by span - padding_left) with the flipped,
        // transposed weights.
        float* padded = workers_->scratch(worker, kPaddedGradient, g.out_channels * gradient_row_length);
        direct::pad_rows(dy, g.out_channels, length_out, span - g.padding_left, gradient_row_length, padded);
        kernels.convolve(flipped, nullptr, padded, g.out_channels, g.in_channels, g.kernel_size, g.dilation,
                         gradient_row_length, length_in, grad_input->data() + n * g.in_channels * length_in,
                         workers_->scratch(worker, kTail, std::max(kernels.tile_columns, out16)));
      }
    }
  });

  if (grad_weight != nullptr) {
    // partial[chunk][c * K + k][o] -> grad_weight[o][c][k]: each element starts from the
    // gradient so far and adds the chunks in order; the chunks are added into chunk 0's
    // rows (vectorised over o), then written back transposed.
    float* total = weight_partials;
    for (int64_t r = 0; r < rows; ++r) {
      float* __restrict row = total + r * out16;
      float* __restrict gathered = workers_->scratch(0, kTail, out16);
      for (int64_t o = 0; o < g.out_channels; ++o) gathered[o] = (*grad_weight)[o * rows + r];
      for (int64_t o = 0; o < g.out_channels; ++o) gathered[o] += row[o];
      for (int64_t chunk = 1; chunk < chunks; ++chunk) {
        const float* __restrict partial = weight_partials + (chunk * rows + r) * out16;
        for (int64_t o = 0; o < g.out_channels; ++o) gathered[o] += partial[o];
      }
      for (int64_t o = 0; o < g.out_channels; ++o) (*grad_weight)[o * rows + r] = gathered[o];
    }
  }
  if (grad_bias != nullptr) sum_bias_partials(bias_partials, chunks, *grad_bias);
}

}  // namespace epibook::nn
