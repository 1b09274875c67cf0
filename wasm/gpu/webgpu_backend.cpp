// The WebGPU backend's C++ half: keeps each tensor's GPU buffer in its device slot,
// packs each op's parameters and records one dispatch per op through the JS glue
// (webgpu_glue.js); the kernels are in webgpu_kernels.js.
#include "webgpu_backend.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <initializer_list>

#include "epibook/random.h"

extern "C" {
int epibook_gpu_available();
int epibook_gpu_error_length();
void epibook_gpu_error(char* out, int capacity);
int epibook_gpu_create(int bytes);
void epibook_gpu_release(int id);
void epibook_gpu_upload(int id, const void* host, int bytes);
void epibook_gpu_download(int id, void* host, int bytes);
int epibook_gpu_pending();
int epibook_gpu_downloads_requested();
int epibook_gpu_downloads_done(int through);
void epibook_gpu_submit();
void epibook_gpu_dispatch(const char* kernel, const uint32_t* params, const int* ids, int count, int groups);
int epibook_gpu_submits();
}

namespace epibook::gpu {
namespace {

// A tensor's GPU buffer, given back to the pool when the tensor goes.
struct GpuBuffer final : nn::DeviceCopy {
  GpuBuffer(int id_, int64_t bytes_) : id(id_), bytes(bytes_) {}
  ~GpuBuffer() override { epibook_gpu_release(id); }
  int id;
  int64_t bytes;
};

// Sixteen parameter words, unsigned or float.
class Params {
 public:
  Params(std::initializer_list<uint32_t> words) {
    size_t i = 0;
    for (uint32_t w : words) words_[i++] = w;
  }
  Params& set_float(size_t index, float value) {
    std::memcpy(&words_[index], &value, sizeof value);
    return *this;
  }
  const uint32_t* data() const { return words_.data(); }

 private:
  std::array<uint32_t, 16> words_{};
};

constexpr int64_t kThreads = 256;
constexpr int64_t kMaxGroups = 4096;

int groups_for(int64_t elements) {
  return static_cast<int>(std::clamp<int64_t>((elements + kThreads - 1) / kThreads, 1, kMaxGroups));
}

uint32_t u32(int64_t value) { return static_cast<uint32_t>(value); }

void dispatch(const char* kernel, const Params& params, std::initializer_list<int> buffers, int64_t elements) {
  if (elements <= 0) return;
  const std::vector<int> ids(buffers);
  epibook_gpu_dispatch(kernel, params.data(), ids.data(), static_cast<int>(ids.size()), groups_for(elements));
}

// One workgroup per channel (a reduction kernel walks channels group by group).
void dispatch_per_channel(const char* kernel, const Params& params, std::initializer_list<int> buffers,
                          int64_t channels) {
  if (channels <= 0) return;
  const std::vector<int> ids(buffers);
  epibook_gpu_dispatch(kernel, params.data(), ids.data(), static_cast<int>(ids.size()),
                       static_cast<int>(std::min<int64_t>(channels, kMaxGroups)));
}

uint32_t activation_code(nn::Activation activation) {
  switch (activation) {
    case nn::Activation::kRelu: return 0;
    case nn::Activation::kGeluErf: return 1;
    case nn::Activation::kGeluTanh: return 2;
    case nn::Activation::kSigmoid: return 3;
    case nn::Activation::kSoftplus: return 4;
  }
  return 0;
}

int slot_buffer(nn::DeviceSlot& slot, int64_t bytes, bool* made) {
  auto* held = dynamic_cast<GpuBuffer*>(slot.copy.get());
  *made = false;
  if (held == nullptr || held->bytes != bytes) {
    slot.copy = std::make_unique<GpuBuffer>(epibook_gpu_create(static_cast<int>(std::max<int64_t>(bytes, 4))), bytes);
    held = static_cast<GpuBuffer*>(slot.copy.get());
    *made = true;
  }
  return held->id;
}

}  // namespace

Result<std::unique_ptr<WebGpuBackend>> WebGpuBackend::create() {
  if (epibook_gpu_available() == 0) {
    return unsupported("WebGPU: the page has opened no device (no adapter, or not asked)");
  }
  return std::unique_ptr<WebGpuBackend>(new WebGpuBackend());
}

WebGpuBackend::WebGpuBackend() : dummy_(epibook_gpu_create(16)), second_dummy_(epibook_gpu_create(16)) {}

WebGpuBackend::~WebGpuBackend() {
  epibook_gpu_release(dummy_);
  epibook_gpu_release(second_dummy_);
}

void WebGpuBackend::fail(const std::string& message) {
  if (failure_.empty()) failure_ = message;
}

Status WebGpuBackend::status() const {
  if (!failure_.empty()) return unsupported(failure_);
  const int length = epibook_gpu_error_length();
  if (length == 0) return Status::ok();
  std::string message(static_cast<size_t>(length) + 1, '\0');
  epibook_gpu_error(message.data(), length + 1);
  message.resize(static_cast<size_t>(length));
  return io_error(message);
}

int WebGpuBackend::input_buffer(const nn::Tensor& tensor) {
  bool made = false;
  const int id = slot_buffer(tensor.device(), tensor.size() * 4, &made);
  if (made) epibook_gpu_upload(id, tensor.data(), static_cast<int>(tensor.size() * 4));
  return id;
}

int WebGpuBackend::output_buffer(nn::Tensor& tensor) {
  bool made = false;
  return slot_buffer(tensor.device(), tensor.size() * 4, &made);
}

Status WebGpuBackend::upload(const nn::Tensor& tensor) {
  bool made = false;
  const int id = slot_buffer(tensor.device(), tensor.size() * 4, &made);
  epibook_gpu_upload(id, tensor.data(), static_cast<int>(tensor.size() * 4));
  return status();
}

Status WebGpuBackend::request_download(nn::Tensor& tensor) {
  epibook_gpu_download(input_buffer(tensor), tensor.data(), static_cast<int>(tensor.size() * 4));
  return status();
}

bool WebGpuBackend::downloads_done() const { return epibook_gpu_pending() == 0; }

uint64_t WebGpuBackend::downloads_requested() const {
  return static_cast<uint64_t>(epibook_gpu_downloads_requested());
}

bool WebGpuBackend::downloads_done(uint64_t through) const {
  return epibook_gpu_downloads_done(static_cast<int>(through)) != 0;
}

Status WebGpuBackend::submit() {
  epibook_gpu_submit();
  return status();
}

int WebGpuBackend::submits() const { return epibook_gpu_submits(); }

void WebGpuBackend::fill(nn::Tensor& tensor, float value) {
  const int y = output_buffer(tensor);
  dispatch("fill", Params{u32(tensor.size())}.set_float(1, value), {y}, tensor.size());
}

void WebGpuBackend::copy(const nn::Tensor& input, nn::Tensor& output) {
  if (&input == &output) return;
  output.resize(input.shape());
  const int x = input_buffer(input);
  dispatch("copy", Params{u32(input.size())}, {x, output_buffer(output)}, input.size());
}

void WebGpuBackend::copy_into(const nn::Tensor& input, nn::Tensor& output, int64_t offset) {
  const int x = input_buffer(input);
  dispatch("copy_into", Params{u32(input.size()), u32(offset)}, {x, input_buffer(output)}, input.size());
}

void WebGpuBackend::adam_update(const nn::AdamUpdate& c, nn::Tensor& value, const nn::Tensor& grad, nn::Tensor& first,
                                nn::Tensor& second) {
  Params params{u32(value.size())};
  params.set_float(1, c.beta1).set_float(2, c.beta2).set_float(3, c.keep1).set_float(4, c.keep2).set_float(5, c.eps);
  params.set_float(6, c.coupled_decay).set_float(7, c.step_size).set_float(8, c.correction2_sqrt).set_float(9, c.shrink);
  const int w = input_buffer(value), g = input_buffer(grad), m = input_buffer(first), v = input_buffer(second);
  dispatch("adam", params, {w, g, m, v}, value.size());
}

void WebGpuBackend::sgd_update(const nn::SgdUpdate& u, nn::Tensor& value, const nn::Tensor& grad,
                               nn::Tensor* momentum_buffer) {
  Params params{u32(value.size()), 0, 0, 0, 0, u.first ? 1u : 0u, u.nesterov ? 1u : 0u, momentum_buffer ? 1u : 0u};
  params.set_float(1, u.learning_rate).set_float(2, u.decay).set_float(3, u.momentum).set_float(4, u.blend);
  const int w = input_buffer(value), g = input_buffer(grad);
  const int b = momentum_buffer != nullptr ? input_buffer(*momentum_buffer) : dummy_;
  dispatch("sgd", params, {w, g, b}, value.size());
}

void WebGpuBackend::elementwise_loss(nn::ElementwiseLoss loss, const std::vector<float>& pos_weight,
                                     const nn::Tensor& output, const nn::Tensor& target, nn::Tensor& value,
                                     nn::Tensor& grad) {
  const uint32_t kind = loss == nn::ElementwiseLoss::kMse ? 0u : loss == nn::ElementwiseLoss::kPoisson ? 1u : 2u;
  // pos_weight lives in a small tensor of its own (uploaded once; a new count remakes it).
  if (static_cast<size_t>(pos_weight_.size()) != std::max<size_t>(pos_weight.size(), 1) ||
      !std::equal(pos_weight.begin(), pos_weight.end(), pos_weight_.data())) {
    pos_weight_ = nn::Tensor::from_values({static_cast<int64_t>(std::max<size_t>(pos_weight.size(), 1))},
                                          pos_weight.empty() ? std::vector<float>{1.0f} : pos_weight);
  }
  grad.resize(output.shape());
  terms_.resize(output.shape());
  value.resize({1});
  const int64_t n = output.size();
  const int64_t last_axis = output.dim(output.rank() - 1);
  const int o = input_buffer(output), t = input_buffer(target), pw = input_buffer(pos_weight_);
  const int g = output_buffer(grad), terms = output_buffer(terms_);
  dispatch("loss_terms", Params{u32(n), kind, u32(pos_weight.size()), u32(last_axis)}, {o, t, pw, g, terms}, n);
  dispatch("loss_mean", Params{u32(n)}, {terms, output_buffer(value)}, 1);
}

void WebGpuBackend::gemm(nn::Transpose transpose_a, nn::Transpose transpose_b, int64_t m, int64_t n, int64_t k,
                         float alpha, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                         int64_t ldc) {
  nn::standalone_cpu_backend().gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void WebGpuBackend::conv1d_forward(const nn::Conv1dGeometry& g, const nn::Tensor& input, const nn::Tensor& weight,
                                   const nn::Tensor* bias, nn::Tensor& output) {
  const int64_t batch = input.dim(0), length_in = input.dim(2), length_out = g.output_length(length_in);
  output.resize({batch, g.out_channels, length_out});
  const Params params{u32(batch),        u32(g.in_channels), u32(length_in),       u32(g.out_channels),
                      u32(g.kernel_size), u32(g.stride),     u32(g.dilation),      u32(g.padding_left),
                      u32(length_out),    bias != nullptr ? 1u : 0u};
  const int x = input_buffer(input), w = input_buffer(weight);
  const int b = bias != nullptr ? input_buffer(*bias) : dummy_;
  dispatch("conv_forward", params, {x, w, b, output_buffer(output)}, output.size());
}

void WebGpuBackend::conv1d_backward(const nn::Conv1dGeometry& g, const nn::Tensor& input, const nn::Tensor& weight,
                                    const nn::Tensor& grad_output, nn::Tensor* grad_input, nn::Tensor* grad_weight,
                                    nn::Tensor* grad_bias) {
  const int64_t batch = input.dim(0), length_in = input.dim(2), length_out = grad_output.dim(2);
  const Params params{u32(batch),        u32(g.in_channels), u32(length_in),  u32(g.out_channels),
                      u32(g.kernel_size), u32(g.stride),     u32(g.dilation), u32(g.padding_left),
                      u32(length_out)};
  const int dy = input_buffer(grad_output);
  if (grad_weight != nullptr) {
    const int x = input_buffer(input);
    dispatch("conv_backward_weight", params, {x, dy, input_buffer(*grad_weight)}, grad_weight->size());
  }
  if (grad_bias != nullptr) {
    dispatch("bias_backward", Params{u32(batch), u32(g.out_channels), u32(length_out)}, {dy, input_buffer(*grad_bias)},
             g.out_channels);
  }
  if (grad_input != nullptr) {
    grad_input->resize(input.shape());
    const int w = input_buffer(weight);
    dispatch("conv_backward_input", params, {dy, w, output_buffer(*grad_input)}, grad_input->size());
  }
}

void WebGpuBackend::linear_forward(const nn::Tensor& input, const nn::Tensor& weight, const nn::Tensor* bias,
                                   nn::Tensor& output) {
  const int64_t features_in = weight.dim(1), features_out = weight.dim(0), rows = input.size() / features_in;
  nn::Shape shape = input.shape();
  shape[shape.rank() - 1] = features_out;
  output.resize(shape);
  const int x = input_buffer(input), w = input_buffer(weight);
  const int b = bias != nullptr ? input_buffer(*bias) : dummy_;
  dispatch("linear_forward", Params{u32(rows), u32(features_in), u32(features_out), bias != nullptr ? 1u : 0u},
           {x, w, b, output_buffer(output)}, output.size());
}

void WebGpuBackend::linear_backward(const nn::Tensor& input, const nn::Tensor& weight, const nn::Tensor& grad_output,
                                    nn::Tensor* grad_input, nn::Tensor* grad_weight, nn::Tensor* grad_bias) {
  const int64_t features_in = weight.dim(1), features_out = weight.dim(0), rows = input.size() / features_in;
  const Params params{u32(rows), u32(features_in), u32(features_out)};
  const int dy = input_buffer(grad_output);
  if (grad_weight != nullptr) {
    const int x = input_buffer(input);
    dispatch("linear_backward_weight", params, {x, dy, input_buffer(*grad_weight)}, grad_weight->size());
  }
  if (grad_bias != nullptr) {
    dispatch("bias_backward", Params{u32(rows), u32(features_out), 1}, {dy, input_buffer(*grad_bias)}, features_out);
  }
  if (grad_input != nullptr) {
    grad_input->resize(input.shape());
    const int w = input_buffer(weight);
    dispatch("linear_backward_input", params, {dy, w, output_buffer(*grad_input)}, grad_input->size());
  }
}

void WebGpuBackend::activation_forward(nn::Activation activation, const nn::Tensor& input, nn::Tensor& output) {
  output.resize(input.shape());
  const int x = input_buffer(input);
  dispatch("activation_forward", Params{u32(input.size()), activation_code(activation)}, {x, output_buffer(output)},
           input.size());
}

void WebGpuBackend::activation_backward(nn::Activation activation, const nn::Tensor& input,
                                        const nn::Tensor& grad_output, nn::Tensor& grad_input) {
  grad_input.resize(input.shape());
  const int x = input_buffer(input), dy = input_buffer(grad_output);
  dispatch("activation_backward", Params{u32(input.size()), activation_code(activation)},
           {x, dy, output_buffer(grad_input)}, input.size());
}

void WebGpuBackend::max_pool1d_forward(const nn::Pool1dGeometry& g, const nn::Tensor& input, nn::Tensor& output,
                                       nn::PoolIndices& argmax) {
  const int64_t rows = input.dim(0) * input.dim(1), length_in = input.dim(2), length_out = g.output_length(length_in);
  output.resize({input.dim(0), input.dim(1), length_out});
  bool made = false;
  const int arg = slot_buffer(argmax.device, rows * length_out * 4, &made);
  const int x = input_buffer(input);
  dispatch("max_pool_forward", Params{u32(rows), u32(length_in), u32(length_out), u32(g.kernel_size), u32(g.stride)},
           {x, output_buffer(output), arg}, output.size());
}

void WebGpuBackend::max_pool1d_backward(const nn::Pool1dGeometry& g, const nn::PoolIndices& argmax,
                                        const nn::Tensor& grad_output, nn::Tensor& grad_input) {
  const int64_t rows = grad_input.dim(0) * grad_input.dim(1), length_in = grad_input.dim(2);
  const int64_t length_out = grad_output.dim(2);
  auto* arg = dynamic_cast<GpuBuffer*>(argmax.device.copy.get());
  if (arg == nullptr) {
    fail("MaxPool1d backward on WebGPU: the forward pass did not run on this backend");
    return;
  }
  const int dy = input_buffer(grad_output);
  dispatch("max_pool_backward", Params{u32(rows), u32(length_in), u32(length_out), u32(g.kernel_size), u32(g.stride)},
           {dy, arg->id, output_buffer(grad_input)}, grad_input.size());
}

void WebGpuBackend::avg_pool1d_forward(const nn::Pool1dGeometry& g, const nn::Tensor& input, nn::Tensor& output) {
  const int64_t rows = input.dim(0) * input.dim(1), length_in = input.dim(2), length_out = g.output_length(length_in);
  output.resize({input.dim(0), input.dim(1), length_out});
  const int x = input_buffer(input);
  dispatch("avg_pool_forward", Params{u32(rows), u32(length_in), u32(length_out), u32(g.kernel_size), u32(g.stride)},
           {x, output_buffer(output)}, output.size());
}

void WebGpuBackend::avg_pool1d_backward(const nn::Pool1dGeometry& g, const nn::Tensor& grad_output,
                                        nn::Tensor& grad_input) {
  const int64_t rows = grad_input.dim(0) * grad_input.dim(1), length_in = grad_input.dim(2);
  const int64_t length_out = g.output_length(length_in);
  const int dy = input_buffer(grad_output);
  dispatch("avg_pool_backward", Params{u32(rows), u32(length_in), u32(length_out), u32(g.kernel_size), u32(g.stride)},
           {dy, output_buffer(grad_input)}, grad_input.size());
}

void WebGpuBackend::batch_norm_forward(const nn::BatchNormStep& step, const nn::Tensor& input, const nn::Tensor& scale,
                                       const nn::Tensor& shift, nn::Tensor& running_mean, nn::Tensor& running_var,
                                       nn::Tensor& mean, nn::Tensor& inverse_std, nn::Tensor& output) {
  const int64_t batch = input.dim(0), channels = input.dim(1), length = input.rank() == 3 ? input.dim(2) : 1;
  const int64_t count = batch * length;
  mean.resize({channels});
  inverse_std.resize({channels});
  output.resize(input.shape());
  Params params{u32(batch), u32(channels), u32(length), step.training ? 1u : 0u};
  params.set_float(4, static_cast<float>(step.eps)).set_float(5, static_cast<float>(step.momentum));
  params.set_float(6, count > 1 ? static_cast<float>(static_cast<double>(count) / static_cast<double>(count - 1)) : 1.0f);
  const int x = input_buffer(input), rm = input_buffer(running_mean), rv = input_buffer(running_var);
  const int m = output_buffer(mean), inv = output_buffer(inverse_std);
  if (step.training) {
    dispatch_per_channel("batch_norm_moments", params, {x, rm, rv, m, inv}, channels);
  } else {
    dispatch("batch_norm_running", params, {rm, rv, m, inv}, channels);
  }
  const int gamma = input_buffer(scale), beta = input_buffer(shift);
  dispatch("batch_norm_normalize", params, {x, m, inv, gamma, beta, output_buffer(output)}, input.size());
}

void WebGpuBackend::batch_norm_backward(bool batch_statistics, const nn::Tensor& input, const nn::Tensor& grad_output,
                                        const nn::Tensor& scale, const nn::Tensor& mean,
                                        const nn::Tensor& inverse_std, nn::Tensor* grad_input,
                                        nn::Tensor* grad_scale, nn::Tensor* grad_shift) {
  const int64_t batch = input.dim(0), channels = input.dim(1), length = input.rank() == 3 ? input.dim(2) : 1;
  const Params params{u32(batch),
                      u32(channels),
                      u32(length),
                      batch_statistics ? 1u : 0u,
                      grad_scale != nullptr ? 1u : 0u,
                      grad_shift != nullptr ? 1u : 0u};
  // The channels' two sums, kept for the input gradient (one buffer for every layer:
  // grown, never shrunk).
  if (batch_norm_sums_.size() < 2 * channels) batch_norm_sums_.resize({2 * channels});
  const int x = input_buffer(input), dy = input_buffer(grad_output), m = input_buffer(mean);
  const int inv = input_buffer(inverse_std), sums = output_buffer(batch_norm_sums_);
  const int gs = grad_scale != nullptr ? input_buffer(*grad_scale) : dummy_;
  // Two distinct stand-ins: one buffer in two writable bindings is a validation error.
  const int gb = grad_shift != nullptr ? input_buffer(*grad_shift) : second_dummy_;
  dispatch_per_channel("batch_norm_sums", params, {x, dy, m, inv, sums, gs, gb}, channels);
  if (grad_input == nullptr) return;
  grad_input->resize(input.shape());
  const int gamma = input_buffer(scale);
  dispatch("batch_norm_backward_input", params, {x, dy, m, inv, sums, gamma, output_buffer(*grad_input)},
           input.size());
}

void WebGpuBackend::dropout_mask(uint64_t seed, uint64_t position, double probability, float keep_scale,
                                 nn::Tensor& mask) {
  // draw >= p, with draw = b / 2^53 for the draw's top 53 bits b, is b >= ceil(p 2^53),
  // exactly (p 2^53 is a double scaled by a power of two): an integer compare on the GPU.
  const auto threshold = static_cast<uint64_t>(std::ceil(probability * 0x1.0p53));
  // CounterRng(seed)'s key (stream 0), as its constructor makes it: at(n) is
  // mix64(key ^ mix64(n)). The op checks compare the masks bit for bit.
  const uint64_t key = mix64(seed) ^ mix64(0x632be59bd9b4e019ULL);
  Params params{u32(mask.size()),
                static_cast<uint32_t>(key),
                static_cast<uint32_t>(key >> 32),
                static_cast<uint32_t>(position),
                static_cast<uint32_t>(position >> 32),
                static_cast<uint32_t>(threshold),
                static_cast<uint32_t>(threshold >> 32)};
  params.set_float(7, keep_scale);
  dispatch("dropout_mask", params, {output_buffer(mask)}, mask.size());
}

void WebGpuBackend::multiply(const nn::Tensor& a, const nn::Tensor& b, nn::Tensor& output) {
  output.resize(a.shape());
  const int x = input_buffer(a), y = input_buffer(b);
  dispatch("combine", Params{u32(a.size()), 1}, {x, y, output_buffer(output)}, a.size());
}

void WebGpuBackend::add(const nn::Tensor& a, const nn::Tensor& b, nn::Tensor& output) {
  output.resize(a.shape());
  const int x = input_buffer(a), y = input_buffer(b);
  dispatch("combine", Params{u32(a.size()), 0}, {x, y, output_buffer(output)}, a.size());
}

}  // namespace epibook::gpu
