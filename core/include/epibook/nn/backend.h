// The arithmetic under the layers, behind one interface (ggml's habit): layers check
// shapes and keep state, a Backend does the numbers. The CPU backend (Eigen, optional
// threads) is the reference; another backend (WebGPU in wasm/gpu/) is checked op by op
// against it. Shapes are validated by the calling layer, never here.
//
// Where tensors live. The CPU backend computes in host memory, so upload/download do
// nothing there. A device backend (on_device() true) keeps a copy of every tensor it
// touches in its own memory (Tensor::device(), made from the host values the first time
// the tensor is seen), leaves every result there, and copies back only on request:
// request_download() starts an asynchronous copy whose host values are valid once
// downloads_done(). A host write to a tensor the device already holds (the next batch
// of inputs) must be followed by upload(). Device work may fail later than the call
// that queued it (a lost device): ops return nothing, and status() reports the first
// failure, checked by the trainer at its one wait per step (the loss).
//
// What a training step runs as backend ops: convolution forward and both gradients,
// matrix products, bias, activations, pooling, BatchNorm1d (batch statistics, running
// averages and backward), Dropout's mask (drawn from the counter-based RNG by the
// backend, so a device draws the same bits as the CPU), elementwise add / multiply,
// copies, fills (zeroing gradients), the elementwise losses with their gradient (mse,
// poisson, bce), and the SGD / Adam / AdamW updates. What still runs in host code, and
// why:
//  - cross-entropy and the profile loss (per-row softmax), and gradient clipping (a
//    global norm then a scale): host code, so a device trainer refuses them;
//  - row gathering: batches are gathered on the host from the dataset (which lives in
//    host memory) and uploaded once per step, which is the one upload a step needs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "epibook/nn/tensor.h"
#include "epibook/status.h"

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

// The elementwise losses a device backend computes, with reduction "mean" (loss.h
// gives the formulas; the host classes there are the reference).
enum class ElementwiseLoss { kMse, kPoisson, kBce };

// One Adam / AdamW step's constants for one parameter, in torch.optim's float32 form
// (the step size and bias correction are worked out in double by the optimiser).
struct AdamUpdate {
  float beta1 = 0.9f, beta2 = 0.999f, keep1 = 0.1f, keep2 = 0.001f, eps = 1e-8f;
  float coupled_decay = 0.0f;     // Adam's L2 decay added to the gradient
  float step_size = 1e-3f;        // lr / (1 - beta1^t)
  float correction2_sqrt = 1.0f;  // sqrt(1 - beta2^t)
  float shrink = 1.0f;            // AdamW: the weights are first multiplied by 1 - lr * decay
};

// One SGD step's constants (torch.optim.SGD).
struct SgdUpdate {
  float learning_rate = 0.01f;
  float decay = 0.0f;
  float momentum = 0.0f;
  float blend = 1.0f;  // 1 - dampening
  bool first = false;  // the momentum buffer's first step (it is set to the gradient)
  bool nesterov = false;
};

// One BatchNorm1d forward's settings (the layer's).
struct BatchNormStep {
  bool training = true;  // batch statistics, running averages updated
  double eps = 1e-5;
  double momentum = 0.1;
};

// The positions MaxPool1d chose, kept for backward where the backend computed them.
struct PoolIndices {
  std::vector<int32_t> positions;  // host (the CPU backend's)
  DeviceSlot device;               // a device backend's
};

class Backend {
 public:
  virtual ~Backend();
  virtual std::string name() const = 0;
  virtual int threads() const = 0;

  // ---- Residence and failure (see the top of this file). The defaults are the CPU's.
  virtual bool on_device() const { return false; }
  // The first failure of the device (a lost device, an out-of-memory), or ok.
  virtual Status status() const { return Status::ok(); }
  // Copies the host values up to the device copy (made if missing).
  virtual Status upload(const Tensor& tensor) { return Status::ok(); }
  // Starts copying the device copy down into the host values (the tensor must stay
  // alive and unresized until downloads_done()).
  virtual Status request_download(Tensor& tensor) { return Status::ok(); }
  virtual bool downloads_done() const { return true; }
  // Downloads are numbered from 1 in the order they are requested: the number of the
  // last one requested, and whether every one up to `through` has landed (how a trainer
  // with two steps in flight tells that the older step's loss is in).
  virtual uint64_t downloads_requested() const { return 0; }
  virtual bool downloads_done(uint64_t through) const { return true; }
  // Sends the ops queued so far to the device (a device batches a step's ops).
  virtual Status submit() { return Status::ok(); }

  // ---- Training-step ops. The CPU implementations are the host loops that used to run
  // outside the backend, kept where they were (optim/, losses/), so their bits stay.
  // tensor = value.
  virtual void fill(Tensor& tensor, float value);
  // output = input (shape and values).
  virtual void copy(const Tensor& input, Tensor& output);
  // input's values into output's, from element `offset` on (output keeps its shape and
  // must hold them): how a batch's outputs join the epoch's validation outputs.
  virtual void copy_into(const Tensor& input, Tensor& output, int64_t offset);
  // One Adam / AdamW step of `value` from `grad`, moments `first` and `second` updated.
  virtual void adam_update(const AdamUpdate& update, Tensor& value, const Tensor& grad, Tensor& first,
                           Tensor& second);
  // One SGD step; `momentum_buffer` is null when momentum is 0.
  virtual void sgd_update(const SgdUpdate& update, Tensor& value, const Tensor& grad, Tensor* momentum_buffer);
  // The mean loss into `value` ([1], float32) and d loss / d output into `grad`, for a
  // device trainer (the CPU trainer calls loss.h's classes, which return it in double).
  // `pos_weight` as BceWithLogitsLoss's. Targets are checked by the caller.
  virtual void elementwise_loss(ElementwiseLoss loss, const std::vector<float>& pos_weight, const Tensor& output,
                                const Tensor& target, Tensor& value, Tensor& grad);

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
                                  PoolIndices& argmax) = 0;
  virtual void max_pool1d_backward(const Pool1dGeometry& geometry, const PoolIndices& argmax,
                                   const Tensor& grad_output, Tensor& grad_input) = 0;
  virtual void avg_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output) = 0;
  // `grad_input` comes sized [N, C, L_in]; `grad_output` is read as its N * C rows of
  // L_out values whatever its shape ([N, C] from a global average is fine).
  virtual void avg_pool1d_backward(const Pool1dGeometry& geometry, const Tensor& grad_output, Tensor& grad_input) = 0;

  // BatchNorm1d over [N, C, L] (or [N, C] as L = 1). Training: each channel's batch
  // mean and biased variance give `mean` and `inverse_std` ([C], 1 / sqrt(var + eps)),
  // and the running averages move by `momentum` (the variance unbiased, as PyTorch);
  // eval: `mean` and `inverse_std` from the running averages. Then
  // output = (input - mean) * inverse_std * scale + shift.
  virtual void batch_norm_forward(const BatchNormStep& step, const Tensor& input, const Tensor& scale,
                                  const Tensor& shift, Tensor& running_mean, Tensor& running_var, Tensor& mean,
                                  Tensor& inverse_std, Tensor& output) = 0;
  // The backward of that forward, from its `mean` and `inverse_std`: adds dL/dscale and
  // dL/dshift to the non-null gradients, writes dL/dinput when grad_input is non-null.
  virtual void batch_norm_backward(bool batch_statistics, const Tensor& input, const Tensor& grad_output,
                                   const Tensor& scale, const Tensor& mean, const Tensor& inverse_std,
                                   Tensor* grad_input, Tensor* grad_scale, Tensor* grad_shift) = 0;
  // Dropout's mask (sized by the caller): element i is keep_scale when the
  // (position + i)-th draw of CounterRng(seed) (random.h), its top 53 bits as a double
  // in [0, 1), is at least `probability`, else 0. A host loop by default; a device
  // draws the same bits.
  virtual void dropout_mask(uint64_t seed, uint64_t position, double probability, float keep_scale, Tensor& mask);

  // output = a * b elementwise (dropout masks), and output = a + b (residual sums).
  virtual void multiply(const Tensor& a, const Tensor& b, Tensor& output) = 0;
  virtual void add(const Tensor& a, const Tensor& b, Tensor& output) = 0;
};

namespace direct {
struct Kernels;
}

// The direct Conv1D kernel paths this CPU can run, fastest first: "avx512" (AVX-512F,
// fused multiply-add), "avx2" (AVX2 + FMA), then "baseline" (the build's portable
// vectors, multiply then add: WebAssembly's sums, to the bit). WebAssembly has one,
// "wasm-simd128". Fused paths agree with each other to the bit, unfused ones likewise.
std::vector<std::string> conv_kernel_paths();

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
  // Which direct kernels run: the fastest of conv_kernel_paths(), unless the environment
  // variable EPIBOOK_CONV_KERNELS names another path when the backend is made (a name
  // this CPU cannot run keeps the fastest path and makes status() an error, which
  // Trainer::create reports), or use_conv_kernels chooses one.
  Status use_conv_kernels(const std::string& path);
  std::string conv_kernels() const;
  // Not ok only when EPIBOOK_CONV_KERNELS named a path this CPU cannot run.
  Status status() const override { return status_; }

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
                          PoolIndices& argmax) override;
  void max_pool1d_backward(const Pool1dGeometry& geometry, const PoolIndices& argmax,
                           const Tensor& grad_output, Tensor& grad_input) override;
  void avg_pool1d_forward(const Pool1dGeometry& geometry, const Tensor& input, Tensor& output) override;
  void avg_pool1d_backward(const Pool1dGeometry& geometry, const Tensor& grad_output, Tensor& grad_input) override;
  void batch_norm_forward(const BatchNormStep& step, const Tensor& input, const Tensor& scale, const Tensor& shift,
                          Tensor& running_mean, Tensor& running_var, Tensor& mean, Tensor& inverse_std,
                          Tensor& output) override;
  void batch_norm_backward(bool batch_statistics, const Tensor& input, const Tensor& grad_output, const Tensor& scale,
                           const Tensor& mean, const Tensor& inverse_std, Tensor* grad_input, Tensor* grad_scale,
                           Tensor* grad_shift) override;
  void multiply(const Tensor& a, const Tensor& b, Tensor& output) override;
  void add(const Tensor& a, const Tensor& b, Tensor& output) override;

 private:
  struct Workers;
  // Conv1D with stride 1 by the direct kernels (no im2col).
  void direct_forward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight, const Tensor* bias,
                      Tensor& output);
  void direct_backward(const Conv1dGeometry& geometry, const Tensor& input, const Tensor& weight,
                       const Tensor& grad_output, Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias);

  // kernels_ from conv_kernel_paths() and EPIBOOK_CONV_KERNELS (at construction).
  void choose_conv_kernels();

  std::unique_ptr<Workers> workers_;
  bool direct_kernels_ = true;
  const direct::Kernels* kernels_ = nullptr;
  Status status_;
};

// What a layer that no trainer has attached runs on: a one-thread CPU backend private
// to the calling thread, which nothing can reconfigure (no set_threads reaches it), so
// the threads and scratch of a run are only ever those of the backend its Trainer owns.
Backend& standalone_cpu_backend();

}  // namespace epibook::nn
