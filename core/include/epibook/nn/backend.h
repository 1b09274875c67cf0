// The arithmetic under the layers, behind one interface (ggml's habit): layers check
// shapes and keep state, a Backend does the numbers. The CPU backend (Eigen, optional
// threads) is the reference; another backend (WebGPU in wasm/gpu/) is checked op by op
// against it. Shapes are validated by the calling layer, never here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "epibook/nn/tensor.h"

namespace epibook::nn {

enum class Transpose { kNo, kYes };

// A 1-D convolution's geometry, as torch.nn.Conv1d's arguments; padding may differ
// left and right ("same" with an even effective kernel pads one more on the right,
// as PyTorch does).
struct Conv1dGeometry {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  int64_t kernel_size = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t padding_left = 0;
  int64_t padding_right = 0;

  int64_t output_length(int64_t input_length) const;
};

// A pooling window: torch.nn.MaxPool1d / AvgPool1d with padding 0, ceil_mode False.
struct Pool1dGeometry {
  int64_t kernel_size = 2;
  int64_t stride = 2;

  int64_t output_length(int64_t input_length) const;
};

enum class Activation {
  kRelu,
  kGeluErf,   // x * Phi(x), PyTorch's default GELU
  kGeluTanh,  // PyTorch's GELU(approximate='tanh')
  kSigmoid,
  kSoftplus,  // log(1 + e^x), with PyTorch's threshold 20 (identity above it)
};

class Backend {
 public:
  virtual ~Backend();
  virtual std::string name() const = 0;
  virtual int threads() const = 0;

  // C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C, all row-major with
  // leading dimensions lda, ldb, ldc (elements between rows as stored).
  virtual void gemm(Transpose transpose_a, Transpose transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) = 0;

  // input [N, C_in, L_in], weight [C_out, C_in, K], bias [C_out] or null -> output [N, C_out, L_out].
  virtual void conv1d_forward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight,
                              const Tensor* bias, Tensor& output) = 0;
  // Adds dL/dweight and dL/dbias to the non-null gradients; writes dL/dinput when
  // grad_input is non-null.
  virtual void conv1d_backward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight,
                               const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight,
                               Tensor* grad_bias) = 0;

  // input [rows, in] (any leading axes flattened), weight [out, in] -> [rows, out].
  virtual void linear_forward(const Tensor& input, const Tensor& weight, const Tensor* bias, Tensor& output) = 0;
  virtual void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& grad_output,
                               Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias) = 0;

  virtual void activation_forward(Activation activation, const Tensor& input, Tensor& output) = 0;
  // grad_input = f'(input) * grad_output.
  virtual void activation_backward(Activation activation, const Tensor& input, const Tensor& grad_output,
                                   Tensor& grad_input) = 0;

  // Max pooling over [N, C, L]; `argmax` receives, per output, the input position chosen
  // (the first maximum, as PyTorch).
  virtual void max_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output,
                                  std::vector<int32_t>& argmax) = 0;
  virtual void max_pool1d_backward(const Pool1dGeometry& geometry, const std::vector<int32_t>& argmax,
                                   const Tensor& grad_output, Tensor& grad_input) = 0;
  virtual void avg_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output) = 0;
  // `grad_input` comes sized [N, C, L_in]; `grad_output` is read as its N * C rows of
  // L_out values whatever its shape ([N, C] from a global average is fine).
  virtual void avg_pool1d_backward(const Pool1dGeometry& geometry, const Tensor& grad_output, Tensor& grad_input) = 0;

  // BatchNorm1d over [N, C, L] (or [N, C] as L = 1): normalises each channel with
  // `mean` and `inverse_std`, then scales and shifts.
  virtual void channel_normalize(const Tensor& input, const std::vector<float>& mean,
                                 const std::vector<float>& inverse_std, const Tensor& scale, const Tensor& shift,
                                 Tensor& output) = 0;
  // Per-channel mean and biased variance of [N, C, L], summed in a fixed order.
  virtual void channel_moments(const Tensor& input, std::vector<double>& mean, std::vector<double>& variance) = 0;

  // output = a * b elementwise (dropout masks), and output = a + b (residual sums).
  virtual void multiply(const Tensor& a, const Tensor& b, Tensor& output) = 0;
  virtual void add(const Tensor& a, const Tensor& b, Tensor& output) = 0;
};

// The CPU reference backend on Eigen. `threads` > 1 splits work over samples natively
// with a fixed partition and a fixed summation order, so results are bit-identical for
// any thread count; in WebAssembly it always runs on one thread.
class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads = 1);
  ~CpuBackend() override;

  std::string name() const override { return "cpu"; }
  int threads() const override;
  void set_threads(int threads);
  // Stride-1 Conv1D runs direct register-tiled kernels unless disabled; disabled, every
  // geometry takes the im2col + Eigen GEMM path (the reference in tests and benchmarks).
  void set_direct_kernels(bool enabled) { direct_kernels_ = enabled; }

  void gemm(Transpose transpose_a, Transpose transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
            const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) override;
  void conv1d_forward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight, const Tensor* bias,
                      Tensor& output) override;
  void conv1d_backward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight,
                       const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias) override;
  void linear_forward(const Tensor& input, const Tensor& weight, const Tensor* bias, Tensor& output) override;
  void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& grad_output, Tensor* grad_input,
                       Tensor* grad_weight, Tensor* grad_bias) override;
  void activation_forward(Activation activation, const Tensor& input, Tensor& output) override;
  void activation_backward(Activation activation, const Tensor& input, const Tensor& grad_output,
                           Tensor& grad_input) override;
  void max_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output,
                          std::vector<int32_t>& argmax) override;
  void max_pool1d_backward(const Pool1dGeometry& geometry, const std::vector<int32_t>& argmax,
                           const Tensor& grad_output, Tensor& grad_input) override;
  void avg_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output) override;
  void avg_pool1d_backward(const Pool1dGeometry& geometry, const Tensor& grad_output, Tensor& grad_input) override;
  void channel_normalize(const Tensor& input, const std::vector<float>& mean, const std::vector<float>& inverse_std,
                         const Tensor& scale, const Tensor& shift, Tensor& output) override;
  void channel_moments(const Tensor& input, std::vector<double>& mean, std::vector<double>& variance) override;
  void multiply(const Tensor& a, const Tensor& b, Tensor& output) override;
  void add(const Tensor& a, const Tensor& b, Tensor& output) override;

 private:
  struct Workers;
  // Conv1D with stride 1 by the direct kernels (no im2col).
  void direct_forward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight, const Tensor* bias,
                      Tensor& output);
  void direct_backward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight,
                       const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias);

  std::unique_ptr<Workers> workers_;
  bool direct_kernels_ = true;
};

// What a layer that no trainer has attached runs on: a one-thread CPU backend private
// to the calling thread, which nothing can reconfigure (no set_threads reaches it), so
// the threads and scratch of a run are only ever those of the backend its Trainer owns.
Backend& standalone_cpu_backend();

}  // namespace epibook::nn
