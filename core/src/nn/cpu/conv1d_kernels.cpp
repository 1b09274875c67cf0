// Conv1D on the CPU as im2col + one GEMM per sample: the sample's receptive fields
// are laid out as a [C_in * K, L_out] matrix so the weights [C_out, C_in * K] multiply
// it in one call, and the GEMM (Eigen's, vectorised) does nearly all the work.
// Weight gradients are summed per fixed chunk of samples, then over chunks in order.
#include <algorithm>
#include <cstring>

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

}  // namespace

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
  const ConstMatrixView weights(weight.data(), g.out_channels, rows);
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
  const int64_t chunks = (batch + kSamplesPerChunk - 1) / kSamplesPerChunk;
  const int64_t weight_elements = g.out_channels * rows;
  ScratchVector weight_partials(grad_weight != nullptr ? static_cast<size_t>(chunks * weight_elements) : 0);
  std::vector<double> bias_partials(grad_bias != nullptr ? static_cast<size_t>(chunks * g.out_channels) : 0, 0.0);
  if (grad_input != nullptr) grad_input->resize(input.shape());
  const ConstMatrixView weights(weight.data(), g.out_channels, rows);

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
        MatrixView partial(weight_partials.data() + chunk * weight_elements, g.out_channels, rows);
        const ConstMatrixView cols(columns, rows, length_out);
        if (n == first) {
          partial.noalias() = dy * cols.transpose();
        } else {
          partial.noalias() += dy * cols.transpose();
        }
      }
      if (grad_bias != nullptr) {
        for (int64_t o = 0; o < g.out_channels; ++o) {
          double sum = 0.0;
          for (int64_t j = 0; j < length_out; ++j) sum += dy(o, j);
          bias_partials[static_cast<size_t>(chunk * g.out_channels + o)] += sum;
        }
      }
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
    VectorView total = grad_weight->vector();
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      total += ConstVectorView(weight_partials.data() + chunk * weight_elements, weight_elements);
    }
  }
  if (grad_bias != nullptr) {
    for (int64_t o = 0; o < g.out_channels; ++o) {
      double sum = 0.0;
      for (int64_t chunk = 0; chunk < chunks; ++chunk) sum += bias_partials[static_cast<size_t>(chunk * g.out_channels + o)];
      (*grad_bias)[o] += static_cast<float>(sum);
    }
  }
}

}  // namespace epibook::nn
