// epibook's WebGPU backend: the nn engine's ops as WGSL compute kernels
// (webgpu_kernels.js) recorded through a small JS glue layer (webgpu_glue.js), for
// training in a page on the reader's GPU. Checked op by op against the CPU backend in
// headless Chromium (tests/e2e/gpu.test.mjs). WebAssembly only.
#pragma once

#include <memory>
#include <string>

#include "epibook/nn/backend.h"
#include "epibook/status.h"

namespace epibook::gpu {

class WebGpuBackend final : public nn::Backend {
 public:
  // Fails when the page has not opened a WebGPU device (module.epibookGpu).
  static Result<std::unique_ptr<WebGpuBackend>> create();
  ~WebGpuBackend() override;

  std::string name() const override { return "webgpu"; }
  int threads() const override { return 1; }

  bool on_device() const override { return true; }
  Status status() const override;
  Status upload(const nn::Tensor& tensor) override;
  Status request_download(nn::Tensor& tensor) override;
  bool downloads_done() const override;
  uint64_t downloads_requested() const override;
  bool downloads_done(uint64_t through) const override;
  Status submit() override;
  // Command buffers submitted so far (a measure of how a step is batched).
  int submits() const;

  void fill(nn::Tensor& tensor, float value) override;
  void copy(const nn::Tensor& input, nn::Tensor& output) override;
  void copy_into(const nn::Tensor& input, nn::Tensor& output, int64_t offset) override;
  void adam_update(const nn::AdamUpdate& update, nn::Tensor& value, const nn::Tensor& grad, nn::Tensor& first,
                   nn::Tensor& second) override;
  void sgd_update(const nn::SgdUpdate& update, nn::Tensor& value, const nn::Tensor& grad,
                  nn::Tensor* momentum_buffer) override;
  void elementwise_loss(nn::ElementwiseLoss loss, const std::vector<float>& pos_weight, const nn::Tensor& output,
                        const nn::Tensor& target, nn::Tensor& value, nn::Tensor& grad) override;

  // A general GEMM on host pointers has no place on a device (its operands are not
  // tensors the backend holds): it runs on the host, and the layers never call it.
  void gemm(nn::Transpose transpose_a, nn::Transpose transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
            const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) override;
  void conv1d_forward(const nn::Conv1dGeometry& geometry, const nn::Tensor& input, const nn::Tensor& weight,
                      const nn::Tensor* bias, nn::Tensor& output) override;
  void conv1d_backward(const nn::Conv1dGeometry& geometry, const nn::Tensor& input, const nn::Tensor& weight,
                       const nn::Tensor& grad_output, nn::Tensor* grad_input, nn::Tensor* grad_weight,
                       nn::Tensor* grad_bias) override;
  void linear_forward(const nn::Tensor& input, const nn::Tensor& weight, const nn::Tensor* bias,
                      nn::Tensor& output) override;
  void linear_backward(const nn::Tensor& input, const nn::Tensor& weight, const nn::Tensor& grad_output,
                       nn::Tensor* grad_input, nn::Tensor* grad_weight, nn::Tensor* grad_bias) override;
  void activation_forward(nn::Activation activation, const nn::Tensor& input, nn::Tensor& output) override;
  void activation_backward(nn::Activation activation, const nn::Tensor& input, const nn::Tensor& grad_output,
                           nn::Tensor& grad_input) override;
  void max_pool1d_forward(const nn::Pool1dGeometry& geometry, const nn::Tensor& input, nn::Tensor& output,
                          nn::PoolIndices& argmax) override;
  void max_pool1d_backward(const nn::Pool1dGeometry& geometry, const nn::PoolIndices& argmax,
                           const nn::Tensor& grad_output, nn::Tensor& grad_input) override;
  void avg_pool1d_forward(const nn::Pool1dGeometry& geometry, const nn::Tensor& input, nn::Tensor& output) override;
  void avg_pool1d_backward(const nn::Pool1dGeometry& geometry, const nn::Tensor& grad_output,
                           nn::Tensor& grad_input) override;
  void batch_norm_forward(const nn::BatchNormStep& step, const nn::Tensor& input, const nn::Tensor& scale,
                          const nn::Tensor& shift, nn::Tensor& running_mean, nn::Tensor& running_var, nn::Tensor& mean,
                          nn::Tensor& inverse_std, nn::Tensor& output) override;
  void batch_norm_backward(bool batch_statistics, const nn::Tensor& input, const nn::Tensor& grad_output,
                           const nn::Tensor& scale, const nn::Tensor& mean, const nn::Tensor& inverse_std,
                           nn::Tensor* grad_input, nn::Tensor* grad_scale, nn::Tensor* grad_shift) override;
  // The mask drawn on the GPU from the same counter-based stream (64-bit SplitMix in u32
  // pairs): the same bits as the CPU's.
  void dropout_mask(uint64_t seed, uint64_t position, double probability, float keep_scale,
                    nn::Tensor& mask) override;
  void multiply(const nn::Tensor& a, const nn::Tensor& b, nn::Tensor& output) override;
  void add(const nn::Tensor& a, const nn::Tensor& b, nn::Tensor& output) override;

 private:
  WebGpuBackend();
  // The device buffer of a tensor the kernel reads (made and filled from the host
  // values the first time), or of one it writes (made, contents left as they are).
  int input_buffer(const nn::Tensor& tensor);
  int output_buffer(nn::Tensor& tensor);
  void fail(const std::string& message);

  int dummy_ = 0;                  // bound where an optional buffer is absent
  int second_dummy_ = 0;           // where a second one is
  nn::Tensor pos_weight_;          // bce's pos_weight, on the device
  nn::Tensor terms_;               // a loss's per-element terms, summed by loss_mean
  nn::Tensor batch_norm_sums_;     // BatchNorm backward's per-channel sums of dy and dy * x_hat
  std::string failure_;            // host-side failures (an op the device cannot run)
};

}  // namespace epibook::gpu
