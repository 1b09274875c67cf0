// The CPU reference backend: GEMM and dense layers on Eigen, and the elementwise,
// pooling and normalisation ops as plain loops. Transcendental functions are taken in
// double and rounded once to float, so libm's last-bit differences between glibc
// (native) and musl (wasm) almost never reach the float result.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "nn/cpu/eigen_products.h"
#include "nn/cpu/vector_clones.h"
#include "nn/cpu/workers.h"

namespace epibook::nn {
namespace {

using StridedMatrix = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using StridedMutableMatrix = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

constexpr double kInverseSqrt2 = 0.70710678118654752440;
constexpr double kInverseSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kGeluTanhCubic = 0.044715;
constexpr double kSoftplusThreshold = 20.0;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

float activate(Activation activation, float value) {
  const double x = value;
  switch (activation) {
    case Activation::kRelu:
      return value > 0.0f ? value : 0.0f;
    case Activation::kGeluErf:
      return static_cast<float>(0.5 * x * (1.0 + std::erf(x * kInverseSqrt2)));
    case Activation::kGeluTanh:
      return static_cast<float>(0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + kGeluTanhCubic * x * x * x))));
    case Activation::kSigmoid:
      return static_cast<float>(sigmoid(x));
    case Activation::kSoftplus:
      return x > kSoftplusThreshold ? value : static_cast<float>(std::log1p(std::exp(x)));
  }
  return value;
}

// d activation / d x at x.
float derivative(Activation activation, float value) {
  const double x = value;
  switch (activation) {
    case Activation::kRelu:
      return value > 0.0f ? 1.0f : 0.0f;
    case Activation::kGeluErf:
      return static_cast<float>(0.5 * (1.0 + std::erf(x * kInverseSqrt2)) + x * kInverseSqrt2Pi * std::exp(-0.5 * x * x));
    case Activation::kGeluTanh: {
      const double inner = kSqrt2OverPi * (x + kGeluTanhCubic * x * x * x);
      const double t = std::tanh(inner);
      const double d_inner = kSqrt2OverPi * (1.0 + 3.0 * kGeluTanhCubic * x * x);
      return static_cast<float>(0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner);
    }
    case Activation::kSigmoid: {
      const double s = sigmoid(x);
      return static_cast<float>(s * (1.0 - s));
    }
    case Activation::kSoftplus:
      return x > kSoftplusThreshold ? 1.0f : static_cast<float>(sigmoid(x));
  }
  return 1.0f;
}

// Elementwise work in fixed slices, so threads never change what is computed.
constexpr int64_t kElementsPerSlice = 1 << 16;

int64_t slice_count(int64_t elements) { return (elements + kElementsPerSlice - 1) / kElementsPerSlice; }

// Row-wise work (pooling) in chunks of whole rows of about a slice's elements.
struct RowRange {
  int64_t first;
  int64_t last;
};

int64_t rows_per_chunk(int64_t length) { return std::max<int64_t>(1, kElementsPerSlice / std::max<int64_t>(1, length)); }

int64_t row_chunk_count(int64_t rows, int64_t length) {
  const int64_t per = rows_per_chunk(length);
  return (rows + per - 1) / per;
}

RowRange row_range(int64_t chunk, int64_t rows, int64_t length) {
  const int64_t per = rows_per_chunk(length);
  return {chunk * per, std::min(rows, (chunk + 1) * per)};
}

// Plain loops over restrict pointers, which the compiler turns into vector code
// (AVX-512, AVX2 or SSE2 natively, see vector_clones.h; SIMD128 in wasm): same result
// per element as activate().
EPIBOOK_VECTOR_CLONES void relu_forward(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

EPIBOOK_VECTOR_CLONES void relu_backward(const float* __restrict x, const float* __restrict dy, float* __restrict dx, int64_t n) {
  // dy * 1 or dy * 0, as grad_output * derivative (a NaN or infinite dy times 0 is NaN).
  // The factor is 1.0f's bits under the comparison's mask: written as x > 0 ? 1 : 0,
  // GCC turns dy * factor into a branch around dy * 0 (a multiplication it may not
  // hoist out of the branch, since it can raise a floating-point exception) and the
  // loop stays scalar, mispredicting on every other sign; this form is a vector
  // compare, and, multiply. The same products either way. (__builtin_bit_cast:
  // emscripten 3.1.6's libc++ has no std::bit_cast.)
  for (int64_t i = 0; i < n; ++i) {
    const int32_t keep = -static_cast<int32_t>(x[i] > 0.0f);
    dx[i] = dy[i] * __builtin_bit_cast(float, keep & __builtin_bit_cast(int32_t, 1.0f));
  }
}

// MaxPool1d(2): the first of a pair unless the second is larger, or is NaN while the
// first is not (PyTorch's rule), in branch-free form.
EPIBOOK_VECTOR_CLONES void max_pool_pairs(const float* __restrict x, float* __restrict y, int32_t* __restrict arg, int64_t length_out) {
  for (int64_t j = 0; j < length_out; ++j) {
    const float a = x[2 * j];
    const float b = x[2 * j + 1];
    const bool second = b > a || (b != b && a == a);
    y[j] = second ? b : a;
    arg[j] = static_cast<int32_t>(2 * j + (second ? 1 : 0));
  }
}

// Its gradient: each input position of a pair gets dy or zero (windows do not overlap,
// so every position is written once and nothing needs clearing).
EPIBOOK_VECTOR_CLONES void max_pool_pairs_backward(const float* __restrict dy, const int32_t* __restrict arg,
                                                   float* __restrict dx, int64_t length_out) {
  for (int64_t j = 0; j < length_out; ++j) {
    const bool second = arg[j] != 2 * j;
    dx[2 * j] = second ? 0.0f : dy[j];
    dx[2 * j + 1] = second ? dy[j] : 0.0f;
  }
}

}  // namespace

Backend::~Backend() = default;

int64_t Pool1dGeometry::output_length(int64_t input_length) const {
  return input_length < kernel_size ? 0 : (input_length - kernel_size) / stride + 1;
}

namespace {
int usable_threads(int threads) {
#if !EPIBOOK_WORKER_THREADS
  return 1;  // no threads in WebAssembly built without -pthread
#else
  return std::max(1, threads);
#endif
}
}  // namespace

CpuBackend::CpuBackend(int threads) : workers_(std::make_unique<Workers>(usable_threads(threads))) {
  choose_conv_kernels();
}
CpuBackend::~CpuBackend() = default;

int CpuBackend::threads() const { return workers_->threads; }

void CpuBackend::set_threads(int threads) {
  threads = usable_threads(threads);
  if (threads != workers_->threads) workers_ = std::make_unique<Workers>(threads);
}

Backend& standalone_cpu_backend() {
  thread_local CpuBackend backend(1);
  return backend;
}

void CpuBackend::gemm(Transpose transpose_a, Transpose transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const bool ta = transpose_a == Transpose::kYes;
  const bool tb = transpose_b == Transpose::kYes;
  const StridedMatrix a_stored(a, ta ? k : m, ta ? m : k, Eigen::OuterStride<>(lda));
  const StridedMatrix b_stored(b, tb ? n : k, tb ? k : n, Eigen::OuterStride<>(ldb));
  StridedMutableMatrix out(c, m, n, Eigen::OuterStride<>(ldc));
  if (beta == 0.0f) {
    out.setZero();
  } else if (beta != 1.0f) {
    out *= beta;
  }
  if (ta && tb) {
    out.noalias() += alpha * (a_stored.transpose() * b_stored.transpose());
  } else if (ta) {
    out.noalias() += alpha * (a_stored.transpose() * b_stored);
  } else if (tb) {
    out.noalias() += alpha * (a_stored * b_stored.transpose());
  } else {
    out.noalias() += alpha * (a_stored * b_stored);
  }
}

void CpuBackend::linear_forward(const Tensor& input, const Tensor& weight, const Tensor* bias, Tensor& output) {
  const int64_t features_in = weight.dim(1);
  const int64_t features_out = weight.dim(0);
  const int64_t rows = input.size() / features_in;
  Shape shape = input.shape();
  shape[shape.rank() - 1] = features_out;
  output.resize(shape);
  MatrixView out(output.data(), rows, features_out);
  out.noalias() = ConstMatrixView(input.data(), rows, features_in) * matrix_view(weight).transpose();
  if (bias != nullptr) out.rowwise() += ConstVectorView(bias->data(), features_out).transpose();
}

void CpuBackend::linear_backward(const Tensor& input, const Tensor& weight, const Tensor& grad_output,
                                 Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias) {
  const int64_t features_in = weight.dim(1);
  const int64_t features_out = weight.dim(0);
  const int64_t rows = input.size() / features_in;
  const ConstMatrixView dy(grad_output.data(), rows, features_out);
  const ConstMatrixView x(input.data(), rows, features_in);
  if (grad_weight != nullptr) matrix_view(*grad_weight).noalias() += dy.transpose() * x;
  if (grad_bias != nullptr) {
    for (int64_t o = 0; o < features_out; ++o) {
      double sum = 0.0;
      for (int64_t r = 0; r < rows; ++r) sum += dy(r, o);
      (*grad_bias)[o] += static_cast<float>(sum);
    }
  }
  if (grad_input != nullptr) {
    grad_input->resize(input.shape());
    MatrixView(grad_input->data(), rows, features_in).noalias() = dy * matrix_view(weight);
  }
}

void CpuBackend::activation_forward(Activation activation, const Tensor& input, Tensor& output) {
  output.resize(input.shape());
  const int64_t elements = input.size();
  const float* __restrict x = input.data();
  float* __restrict y = output.data();
  workers_->run(slice_count(elements), [&](int64_t slice, int) {
    const int64_t begin = slice * kElementsPerSlice;
    const int64_t end = std::min(elements, begin + kElementsPerSlice);
    if (activation == Activation::kRelu) {
      relu_forward(x + begin, y + begin, end - begin);
      return;
    }
    for (int64_t i = begin; i < end; ++i) y[i] = activate(activation, x[i]);
  });
}

void CpuBackend::activation_backward(Activation activation, const Tensor& input, const Tensor& grad_output,
                                     Tensor& grad_input) {
  grad_input.resize(input.shape());
  const int64_t elements = input.size();
  const float* __restrict x = input.data();
  const float* __restrict dy = grad_output.data();
  float* __restrict dx = grad_input.data();
  workers_->run(slice_count(elements), [&](int64_t slice, int) {
    const int64_t begin = slice * kElementsPerSlice;
    const int64_t end = std::min(elements, begin + kElementsPerSlice);
    if (activation == Activation::kRelu) {
      relu_backward(x + begin, dy + begin, dx + begin, end - begin);
      return;
    }
    for (int64_t i = begin; i < end; ++i) dx[i] = dy[i] * derivative(activation, x[i]);
  });
}

void CpuBackend::max_pool1d_forward(const Pool1dGeometry& g, const Tensor& input, Tensor& output,
                                    PoolIndices& indices) {
  std::vector<int32_t>& argmax = indices.positions;
  const int64_t rows = input.dim(0) * input.dim(1);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = g.output_length(length_in);
  output.resize({input.dim(0), input.dim(1), length_out});
  argmax.resize(static_cast<size_t>(rows * length_out));
  const float* x_all = input.data();
  float* y_all = output.data();
  int32_t* arg_all = argmax.data();
  workers_->run(row_chunk_count(rows, length_in), [&](int64_t chunk, int) {
    const RowRange range = row_range(chunk, rows, length_in);
    for (int64_t r = range.first; r < range.last; ++r) {
      const float* x = x_all + r * length_in;
      float* y = y_all + r * length_out;
      int32_t* arg = arg_all + r * length_out;
      if (g.kernel_size == 2 && g.stride == 2) {
        max_pool_pairs(x, y, arg, length_out);
        continue;
      }
      for (int64_t j = 0; j < length_out; ++j) {
        int64_t best = j * g.stride;
        for (int64_t p = best + 1; p < j * g.stride + g.kernel_size; ++p) {
          // NaN propagates as in PyTorch: a NaN is taken and never replaced.
          if (x[p] > x[best] || (std::isnan(x[p]) && !std::isnan(x[best]))) best = p;
        }
        y[j] = x[best];
        arg[j] = static_cast<int32_t>(best);
      }
    }
  });
}

void CpuBackend::max_pool1d_backward(const Pool1dGeometry& g, const PoolIndices& indices,
                                     const Tensor& grad_output, Tensor& grad_input) {
  const std::vector<int32_t>& argmax = indices.positions;
  const int64_t rows = grad_output.dim(0) * grad_output.dim(1);
  const int64_t length_out = grad_output.dim(2);
  const int64_t length_in = grad_input.dim(2);
  const float* dy_all = grad_output.data();
  float* dx_all = grad_input.data();
  const int32_t* arg_all = argmax.data();
  workers_->run(row_chunk_count(rows, length_in), [&](int64_t chunk, int) {
    const RowRange range = row_range(chunk, rows, length_in);
    for (int64_t r = range.first; r < range.last; ++r) {
      const float* __restrict dy = dy_all + r * length_out;
      const int32_t* __restrict arg = arg_all + r * length_out;
      float* __restrict dx = dx_all + r * length_in;
      if (g.kernel_size == 2 && g.stride == 2) {
        max_pool_pairs_backward(dy, arg, dx, length_out);
        for (int64_t i = 2 * length_out; i < length_in; ++i) dx[i] = 0.0f;
        continue;
      }
      std::fill(dx, dx + length_in, 0.0f);
      for (int64_t j = 0; j < length_out; ++j) dx[arg[j]] += dy[j];
    }
  });
}

void CpuBackend::avg_pool1d_forward(const Pool1dGeometry& g, const Tensor& input, Tensor& output) {
  const int64_t rows = input.dim(0) * input.dim(1);
  const int64_t length_in = input.dim(2);
  const int64_t length_out = g.output_length(length_in);
  output.resize({input.dim(0), input.dim(1), length_out});
  const float scale = 1.0f / static_cast<float>(g.kernel_size);
  const float* x_all = input.data();
  float* y_all = output.data();
  workers_->run(row_chunk_count(rows, length_in), [&](int64_t chunk, int) {
    const RowRange range = row_range(chunk, rows, length_in);
    for (int64_t r = range.first; r < range.last; ++r) {
      const float* x = x_all + r * length_in;
      for (int64_t j = 0; j < length_out; ++j) {
        float sum = 0.0f;
        for (int64_t p = j * g.stride; p < j * g.stride + g.kernel_size; ++p) sum += x[p];
        y_all[r * length_out + j] = sum * scale;
      }
    }
  });
}

void CpuBackend::avg_pool1d_backward(const Pool1dGeometry& g, const Tensor& grad_output, Tensor& grad_input) {
  const int64_t rows = grad_input.dim(0) * grad_input.dim(1);
  const int64_t length_out = g.output_length(grad_input.dim(2));
  const int64_t length_in = grad_input.dim(2);
  const float scale = 1.0f / static_cast<float>(g.kernel_size);
  const float* dy_all = grad_output.data();
  float* dx_all = grad_input.data();
  workers_->run(row_chunk_count(rows, length_in), [&](int64_t chunk, int) {
    const RowRange range = row_range(chunk, rows, length_in);
    for (int64_t r = range.first; r < range.last; ++r) {
      float* __restrict dx = dx_all + r * length_in;
      std::fill(dx, dx + length_in, 0.0f);
      for (int64_t j = 0; j < length_out; ++j) {
        const float share = dy_all[r * length_out + j] * scale;
        for (int64_t p = j * g.stride; p < j * g.stride + g.kernel_size; ++p) dx[p] += share;
      }
    }
  });
}

namespace {

// output = input * (inverse_std * scale) + (shift - mean * inverse_std * scale), per channel.
void channel_normalize(const Tensor& input, const Tensor& mean, const Tensor& inverse_std, const Tensor& scale,
                       const Tensor& shift, Tensor& output) {
  const int64_t batch = input.dim(0);
  const int64_t channels = input.dim(1);
  const int64_t length = input.rank() == 3 ? input.dim(2) : 1;
  output.resize(input.shape());
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const float a = inverse_std[c] * scale[c];
      const float b = shift[c] - mean[c] * a;
      const int64_t base = (n * channels + c) * length;
      for (int64_t l = 0; l < length; ++l) output[base + l] = input[base + l] * a + b;
    }
  }
}

// Per-channel mean and biased variance of [N, C, L], summed in double in a fixed order.
void channel_moments(const Tensor& input, std::vector<double>& mean, std::vector<double>& variance) {
  const int64_t batch = input.dim(0);
  const int64_t channels = input.dim(1);
  const int64_t length = input.rank() == 3 ? input.dim(2) : 1;
  const double count = static_cast<double>(batch * length);
  mean.assign(static_cast<size_t>(channels), 0.0);
  variance.assign(static_cast<size_t>(channels), 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0.0;
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * length;
      for (int64_t l = 0; l < length; ++l) sum += input[base + l];
    }
    const double m = count > 0 ? sum / count : 0.0;
    double squares = 0.0;
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * length;
      for (int64_t l = 0; l < length; ++l) squares += (input[base + l] - m) * (input[base + l] - m);
    }
    mean[static_cast<size_t>(c)] = m;
    variance[static_cast<size_t>(c)] = count > 0 ? squares / count : 0.0;
  }
}

}  // namespace

void CpuBackend::batch_norm_forward(const BatchNormStep& step, const Tensor& input, const Tensor& scale,
                                    const Tensor& shift, Tensor& running_mean, Tensor& running_var, Tensor& mean,
                                    Tensor& inverse_std, Tensor& output) {
  const int64_t channels = input.dim(1);
  mean.resize({channels});
  inverse_std.resize({channels});
  if (step.training) {
    std::vector<double> batch_mean;
    std::vector<double> variance;
    channel_moments(input, batch_mean, variance);
    const int64_t count = input.dim(0) * (input.rank() == 3 ? input.dim(2) : 1);
    const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
    for (int64_t c = 0; c < channels; ++c) {
      const size_t ci = static_cast<size_t>(c);
      mean[c] = static_cast<float>(batch_mean[ci]);
      inverse_std[c] = static_cast<float>(1.0 / std::sqrt(variance[ci] + step.eps));
      running_mean[c] = static_cast<float>((1.0 - step.momentum) * running_mean[c] + step.momentum * batch_mean[ci]);
      running_var[c] =
          static_cast<float>((1.0 - step.momentum) * running_var[c] + step.momentum * variance[ci] * unbiased);
    }
  } else {
    for (int64_t c = 0; c < channels; ++c) {
      mean[c] = running_mean[c];
      inverse_std[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + step.eps));
    }
  }
  channel_normalize(input, mean, inverse_std, scale, shift, output);
}

void CpuBackend::batch_norm_backward(bool batch_statistics, const Tensor& x, const Tensor& grad_output,
                                     const Tensor& scale, const Tensor& mean_of, const Tensor& inverse_std_of,
                                     Tensor* grad_input, Tensor* grad_scale, Tensor* grad_shift) {
  const int64_t batch = x.dim(0);
  const int64_t channels = x.dim(1);
  const int64_t length = x.rank() == 3 ? x.dim(2) : 1;
  const double count = static_cast<double>(batch * length);
  if (grad_input != nullptr) grad_input->resize(x.shape());
  for (int64_t c = 0; c < channels; ++c) {
    const double mean = mean_of[c];
    const double inverse_std = inverse_std_of[c];
    // Sums of dy and of dy * x_hat over the channel.
    double sum_dy = 0.0;
    double sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * length;
      for (int64_t l = 0; l < length; ++l) {
        sum_dy += grad_output[base + l];
        sum_dy_xhat += grad_output[base + l] * (x[base + l] - mean) * inverse_std;
      }
    }
    if (grad_scale != nullptr) (*grad_scale)[c] += static_cast<float>(sum_dy_xhat);
    if (grad_shift != nullptr) (*grad_shift)[c] += static_cast<float>(sum_dy);
    if (grad_input == nullptr) continue;
    const double gamma = scale[c];
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * length;
      for (int64_t l = 0; l < length; ++l) {
        double dx = grad_output[base + l];
        if (batch_statistics) {
          const double x_hat = (x[base + l] - mean) * inverse_std;
          dx -= (sum_dy + x_hat * sum_dy_xhat) / count;
        }
        (*grad_input)[base + l] = static_cast<float>(dx * gamma * inverse_std);
      }
    }
  }
}

void CpuBackend::multiply(const Tensor& a, const Tensor& b, Tensor& output) {
  output.resize(a.shape());
  vector_view(output) = vector_view(a).cwiseProduct(vector_view(b));
}

void CpuBackend::add(const Tensor& a, const Tensor& b, Tensor& output) {
  output.resize(a.shape());
  vector_view(output) = vector_view(a) + vector_view(b);
}

}  // namespace epibook::nn
