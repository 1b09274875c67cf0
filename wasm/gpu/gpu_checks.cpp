// The WebGPU backend checked against the CPU backend, in the browser: every op on random
// shapes (odd sizes that do not fill a 256-thread workgroup included), and a training
// curve of the benchmark CNN on both; and the steps the peer benchmark times. Driven by tests/e2e/gpu.test.mjs, which awaits the
// device between start_* and finish_* (read-backs are asynchronous).
//
// Tolerances. A sum of n float32 products differs from the exact sum by at most
// gamma(n+1) * sum|terms| (Higham, gamma(k) = k u / (1 - k u), u = 2^-24) whatever the
// order, so two backends that sum in different orders differ by at most twice that. The
// check computes sum|terms| per output element by running the CPU op on the absolute
// values of the inputs (exact for conv, linear and pooling, whose terms are products
// of inputs), and allows |gpu - cpu| <= 2 gamma(n+1) sum|terms|. Elementwise
// transcendental ops (activations, losses' gradients, optimiser updates) are held to
// 1e-5 relative to the element plus a floor times the tensor's largest magnitude: WGSL
// guarantees exp and log to 3 + 2|x| and 3 ULP, division to 2.5 ULP, and these ops
// chain at most five of them (under 2e-6 relative for |x| <= 8); the floor covers
// cancellation where a result passes through zero. It is 4e-6 in general (not derived
// op by op), and 1e-6 for GELU-tanh, whose bound is worked out: computed as
// 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u', WGSL's tanh (bounded only as sinh / cosh,
// i.e. by exp's 3 + 2|u| ULP twice) leaves 1 - tanh^2 an absolute error of about
// 2 (3 + 2|u|) 2^-23, times 0.5 |x| u' (up to 31 at x = 8): first-order bounds over
// x in [-8, 8] give 6.6e-4 absolute, which no floor under 5.9e-4 x max|f'| covers. The
// kernel therefore takes both parts from a = e^(-2|u|) in (0, 1], with no cancellation:
// (1 + tanh u) / 2 = 1 / (1 + a) (u >= 0) or a / (1 + a), 1 - tanh^2 u = 4a / (1 + a)^2;
// with exp's 3 + 4|u| ULP, u's 5 roundings and 2.5 ULP per division, the bound is
// within 1e-5 relative wherever |f'| > 0.1 (8.4e-6) and needs a floor of 7.0e-7 x
// max|f'| (max|f'| = 1.129) where f' crosses zero near x = -0.75 (the computation is
// by gelu_tanh_error_bound.py beside this file).
#include <emscripten/bind.h>

#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "epibook/nn/backend.h"
#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
#include "epibook/random.h"
#include "epibook/train.h"
#include "webgpu_backend.h"

namespace epibook::gpu {
namespace {

using nn::Shape;
using nn::Tensor;

constexpr double kUnit = 1.0 / 16777216.0;  // 2^-24

double gamma_bound(double terms) { return terms * kUnit / (1.0 - terms * kUnit); }

// One comparison: a CPU tensor, the GPU tensor downloaded into `gpu`, and how to judge.
struct Check {
  std::string op;
  std::string shape;
  const Tensor* cpu = nullptr;
  Tensor* gpu = nullptr;
  const Tensor* magnitude = nullptr;  // sum|terms| per element, for reductions
  double terms = 0;                  // terms per output element (reductions)
  double floor = 4e-6;               // elementwise ops: of the largest |cpu| (see the top)
};

struct OpChecks {
  std::unique_ptr<WebGpuBackend> gpu;
  nn::CpuBackend cpu{1};
  std::deque<Tensor> tensors;  // every tensor of the checks, alive until finish
  std::vector<Check> checks;
  CounterRng rng{1};

  Tensor& make(const Shape& shape, float low = -1.0f, float high = 1.0f) {
    Tensor& t = tensors.emplace_back(shape);
    for (int64_t i = 0; i < t.size(); ++i) t[i] = low + (high - low) * static_cast<float>(rng.next_double());
    return t;
  }
  Tensor& blank() { return tensors.emplace_back(); }
  Tensor& clone(const Tensor& t) { return tensors.emplace_back(t); }
  Tensor& absolute(const Tensor& t) {
    Tensor& a = tensors.emplace_back(t);
    for (int64_t i = 0; i < a.size(); ++i) a[i] = std::fabs(a[i]);
    return a;
  }
  int64_t pick(int64_t low, int64_t high) { return low + static_cast<int64_t>(rng.next_below(high - low + 1)); }
  void expect(const std::string& op, const Tensor& cpu_out, Tensor& gpu_out, const Tensor* magnitude = nullptr,
              double terms = 0) {
    checks.push_back({op, cpu_out.shape().text(), &cpu_out, &gpu_out, magnitude, terms});
    (void)gpu->request_download(gpu_out);
  }
};

std::unique_ptr<OpChecks> op_checks;

const char* activation_name(nn::Activation a) {
  switch (a) {
    case nn::Activation::kRelu: return "relu";
    case nn::Activation::kGeluErf: return "gelu";
    case nn::Activation::kGeluTanh: return "gelu_tanh";
    case nn::Activation::kSigmoid: return "sigmoid";
    case nn::Activation::kSoftplus: return "softplus";
  }
  return "?";
}

void check_conv(OpChecks& c) {
  nn::Conv1dGeometry g;
  g.in_channels = c.pick(1, 5);
  g.out_channels = c.pick(1, 7);
  g.kernel_size = c.pick(1, 9);
  g.stride = c.pick(1, 3);
  g.dilation = c.pick(1, 3);
  g.padding_left = c.pick(0, g.kernel_size - 1);
  g.padding_right = c.pick(0, g.kernel_size - 1);
  const int64_t span = (g.kernel_size - 1) * g.dilation + 1;
  const int64_t length = c.pick(std::max<int64_t>(1, span - g.padding_left - g.padding_right), 45);
  const int64_t batch = c.pick(1, 3);
  const bool with_bias = c.rng.next_below(2) == 1;
  std::ostringstream name;
  name << "conv1d(k" << g.kernel_size << " s" << g.stride << " d" << g.dilation << " p" << g.padding_left << "/"
       << g.padding_right << (with_bias ? " bias" : "") << ")";
  Tensor& x = c.make({batch, g.in_channels, length});
  Tensor& w = c.make({g.out_channels, g.in_channels, g.kernel_size});
  Tensor& b = c.make({g.out_channels});
  Tensor& y_cpu = c.blank();
  Tensor& y_gpu = c.blank();
  Tensor& y_abs = c.blank();
  c.cpu.conv1d_forward(g, x, w, with_bias ? &b : nullptr, y_cpu);
  c.cpu.conv1d_forward(g, c.absolute(x), c.absolute(w), with_bias ? &c.absolute(b) : nullptr, y_abs);
  c.gpu->conv1d_forward(g, x, w, with_bias ? &b : nullptr, y_gpu);
  c.expect(name.str() + " forward", y_cpu, y_gpu, &y_abs, static_cast<double>(g.in_channels * g.kernel_size + 1));

  Tensor& dy = c.make(y_cpu.shape());
  Tensor& gw_start = c.make(w.shape());
  Tensor& gb_start = c.make(b.shape());
  Tensor& dx_cpu = c.blank();
  Tensor& dx_gpu = c.blank();
  Tensor& dx_abs = c.blank();
  Tensor& gw_cpu = c.clone(gw_start);
  Tensor& gw_gpu = c.clone(gw_start);
  Tensor& gw_abs = c.absolute(gw_start);
  Tensor& gb_cpu = c.clone(gb_start);
  Tensor& gb_gpu = c.clone(gb_start);
  Tensor& gb_abs = c.absolute(gb_start);
  c.cpu.conv1d_backward(g, x, w, dy, &dx_cpu, &gw_cpu, with_bias ? &gb_cpu : nullptr);
  c.cpu.conv1d_backward(g, c.absolute(x), c.absolute(w), c.absolute(dy), &dx_abs, &gw_abs, with_bias ? &gb_abs : nullptr);
  c.gpu->conv1d_backward(g, x, w, dy, &dx_gpu, &gw_gpu, with_bias ? &gb_gpu : nullptr);
  const int64_t length_out = y_cpu.dim(2);
  c.expect(name.str() + " grad input", dx_cpu, dx_gpu, &dx_abs, static_cast<double>(g.out_channels * g.kernel_size));
  c.expect(name.str() + " grad weight", gw_cpu, gw_gpu, &gw_abs, static_cast<double>(batch * length_out + 1));
  if (with_bias) c.expect(name.str() + " grad bias", gb_cpu, gb_gpu, &gb_abs, static_cast<double>(batch * length_out + 1));
}

void check_linear(OpChecks& c) {
  const int64_t rows = c.pick(1, 70), in = c.pick(1, 37), out = c.pick(1, 19);
  const std::string name = "linear(" + std::to_string(rows) + "x" + std::to_string(in) + "->" + std::to_string(out) + ")";
  Tensor& x = c.make({rows, in});
  Tensor& w = c.make({out, in});
  Tensor& b = c.make({out});
  Tensor &y_cpu = c.blank(), &y_gpu = c.blank(), &y_abs = c.blank();
  c.cpu.linear_forward(x, w, &b, y_cpu);
  c.cpu.linear_forward(c.absolute(x), c.absolute(w), &c.absolute(b), y_abs);
  c.gpu->linear_forward(x, w, &b, y_gpu);
  c.expect(name + " forward", y_cpu, y_gpu, &y_abs, static_cast<double>(in + 1));
  Tensor& dy = c.make(y_cpu.shape());
  Tensor& gw_start = c.make(w.shape());
  Tensor& gb_start = c.make(b.shape());
  Tensor &dx_cpu = c.blank(), &dx_gpu = c.blank(), &dx_abs = c.blank();
  Tensor &gw_cpu = c.clone(gw_start), &gw_gpu = c.clone(gw_start), &gw_abs = c.absolute(gw_start);
  Tensor &gb_cpu = c.clone(gb_start), &gb_gpu = c.clone(gb_start), &gb_abs = c.absolute(gb_start);
  c.cpu.linear_backward(x, w, dy, &dx_cpu, &gw_cpu, &gb_cpu);
  c.cpu.linear_backward(c.absolute(x), c.absolute(w), c.absolute(dy), &dx_abs, &gw_abs, &gb_abs);
  c.gpu->linear_backward(x, w, dy, &dx_gpu, &gw_gpu, &gb_gpu);
  c.expect(name + " grad input", dx_cpu, dx_gpu, &dx_abs, static_cast<double>(out));
  c.expect(name + " grad weight", gw_cpu, gw_gpu, &gw_abs, static_cast<double>(rows + 1));
  c.expect(name + " grad bias", gb_cpu, gb_gpu, &gb_abs, static_cast<double>(rows + 1));
}

void check_activations(OpChecks& c) {
  for (nn::Activation a : {nn::Activation::kRelu, nn::Activation::kGeluErf, nn::Activation::kGeluTanh,
                           nn::Activation::kSigmoid, nn::Activation::kSoftplus}) {
    const int64_t n = c.pick(1, 1500);
    Tensor& x = c.make({n}, -8.0f, 8.0f);
    if (n > 3) {
      x[0] = 25.0f;  // softplus's identity branch
      x[1] = -25.0f;
      x[2] = 0.0f;
    }
    const std::string name = std::string(activation_name(a)) + "[" + std::to_string(n) + "]";
    Tensor &y_cpu = c.blank(), &y_gpu = c.blank();
    c.cpu.activation_forward(a, x, y_cpu);
    c.gpu->activation_forward(a, x, y_gpu);
    c.expect(name + " forward", y_cpu, y_gpu);
    Tensor& dy = c.make({n});
    Tensor &dx_cpu = c.blank(), &dx_gpu = c.blank();
    c.cpu.activation_backward(a, x, dy, dx_cpu);
    c.gpu->activation_backward(a, x, dy, dx_gpu);
    c.expect(name + " backward", dx_cpu, dx_gpu);
    if (a == nn::Activation::kGeluTanh) {  // its bound, worked out at the top
      c.checks[c.checks.size() - 2].floor = 1e-6;
      c.checks.back().floor = 1e-6;
    }
  }
}

void check_pooling(OpChecks& c) {
  nn::Pool1dGeometry g{c.pick(1, 4), c.pick(1, 3)};
  const int64_t batch = c.pick(1, 3), channels = c.pick(1, 6), length = c.pick(g.kernel_size, 67);
  const std::string name = "(k" + std::to_string(g.kernel_size) + " s" + std::to_string(g.stride) + " " +
                           std::to_string(batch) + "x" + std::to_string(channels) + "x" + std::to_string(length) + ")";
  Tensor& x = c.make({batch, channels, length});
  nn::PoolIndices& arg_cpu = *new nn::PoolIndices();  // leaked with the test module: tiny
  nn::PoolIndices& arg_gpu = *new nn::PoolIndices();
  Tensor &y_cpu = c.blank(), &y_gpu = c.blank();
  c.cpu.max_pool1d_forward(g, x, y_cpu, arg_cpu);
  c.gpu->max_pool1d_forward(g, x, y_gpu, arg_gpu);
  c.expect("max_pool" + name + " forward", y_cpu, y_gpu);
  Tensor& dy = c.make(y_cpu.shape());
  Tensor& dx_cpu = c.tensors.emplace_back(x.shape());
  Tensor& dx_gpu = c.tensors.emplace_back(x.shape());
  Tensor& dx_abs = c.tensors.emplace_back(x.shape());
  c.cpu.max_pool1d_backward(g, arg_cpu, dy, dx_cpu);
  c.cpu.max_pool1d_backward(g, arg_cpu, c.absolute(dy), dx_abs);
  c.gpu->max_pool1d_backward(g, arg_gpu, dy, dx_gpu);
  c.expect("max_pool" + name + " backward", dx_cpu, dx_gpu, &dx_abs, static_cast<double>(g.kernel_size));

  Tensor &a_cpu = c.blank(), &a_gpu = c.blank(), &a_abs = c.blank();
  c.cpu.avg_pool1d_forward(g, x, a_cpu);
  c.cpu.avg_pool1d_forward(g, c.absolute(x), a_abs);
  c.gpu->avg_pool1d_forward(g, x, a_gpu);
  c.expect("avg_pool" + name + " forward", a_cpu, a_gpu, &a_abs, static_cast<double>(g.kernel_size + 1));
  Tensor& ady = c.make(a_cpu.shape());
  Tensor& adx_cpu = c.tensors.emplace_back(x.shape());
  Tensor& adx_gpu = c.tensors.emplace_back(x.shape());
  Tensor& adx_abs = c.tensors.emplace_back(x.shape());
  c.cpu.avg_pool1d_backward(g, ady, adx_cpu);
  c.cpu.avg_pool1d_backward(g, c.absolute(ady), adx_abs);
  c.gpu->avg_pool1d_backward(g, ady, adx_gpu);
  c.expect("avg_pool" + name + " backward", adx_cpu, adx_gpu, &adx_abs, static_cast<double>(g.kernel_size + 1));
}

void check_elementwise(OpChecks& c) {
  const int64_t n = c.pick(1, 3000);
  Tensor& a = c.make({n});
  Tensor& b = c.make({n});
  Tensor &s_cpu = c.blank(), &s_gpu = c.blank(), &m_cpu = c.blank(), &m_gpu = c.blank();
  c.cpu.add(a, b, s_cpu);
  c.gpu->add(a, b, s_gpu);
  c.expect("add[" + std::to_string(n) + "]", s_cpu, s_gpu);
  c.cpu.multiply(a, b, m_cpu);
  c.gpu->multiply(a, b, m_gpu);
  c.expect("multiply[" + std::to_string(n) + "]", m_cpu, m_gpu);
  Tensor &f_cpu = c.clone(a), &f_gpu = c.clone(a);
  c.cpu.fill(f_cpu, 0.25f);
  c.gpu->fill(f_gpu, 0.25f);
  c.expect("fill[" + std::to_string(n) + "]", f_cpu, f_gpu);
  Tensor &c_cpu = c.blank(), &c_gpu = c.blank();
  c.cpu.copy(b, c_cpu);
  c.gpu->copy(b, c_gpu);
  c.expect("copy[" + std::to_string(n) + "]", c_cpu, c_gpu);
  Tensor& into_cpu = c.make({n + 5});
  Tensor& into_gpu = c.clone(into_cpu);
  c.cpu.copy_into(b, into_cpu, 3);
  c.gpu->copy_into(b, into_gpu, 3);
  c.expect("copy_into[" + std::to_string(n) + " at 3 of " + std::to_string(n + 5) + "]", into_cpu, into_gpu);
}

void check_losses(OpChecks& c) {
  const int64_t rows = c.pick(1, 90), outputs = c.pick(1, 5);
  const std::string shape = "[" + std::to_string(rows) + ", " + std::to_string(outputs) + "]";
  struct Case {
    nn::ElementwiseLoss loss;
    const char* name;
    float low, high;
    std::vector<float> pos_weight;
  };
  std::vector<float> per_axis;
  for (int64_t i = 0; i < outputs; ++i) per_axis.push_back(0.5f + static_cast<float>(i));
  for (const Case& k : {Case{nn::ElementwiseLoss::kMse, "mse", -2.0f, 2.0f, {}},
                        Case{nn::ElementwiseLoss::kPoisson, "poisson", 0.0f, 6.0f, {}},
                        Case{nn::ElementwiseLoss::kBce, "bce", 0.0f, 1.0f, {}},
                        Case{nn::ElementwiseLoss::kBce, "bce pos_weight", 0.0f, 1.0f, {3.0f}},
                        Case{nn::ElementwiseLoss::kBce, "bce pos_weight per output", 0.0f, 1.0f, per_axis}}) {
    Tensor& out = c.make({rows, outputs}, -3.0f, 3.0f);
    Tensor& target = c.make({rows, outputs}, k.low, k.high);
    if (k.loss == nn::ElementwiseLoss::kBce) {
      for (int64_t i = 0; i < target.size(); ++i) target[i] = target[i] < 0.5f ? 0.0f : 1.0f;
    }
    Tensor &v_cpu = c.blank(), &v_gpu = c.blank(), &g_cpu = c.blank(), &g_gpu = c.blank();
    c.cpu.elementwise_loss(k.loss, k.pos_weight, out, target, v_cpu, g_cpu);
    c.gpu->elementwise_loss(k.loss, k.pos_weight, out, target, v_gpu, g_gpu);
    c.expect(std::string(k.name) + shape + " value", v_cpu, v_gpu, nullptr, static_cast<double>(rows * outputs));
    c.expect(std::string(k.name) + shape + " grad", g_cpu, g_gpu);
  }
}

void check_optimisers(OpChecks& c) {
  const int64_t n = c.pick(1, 2000);
  Tensor& w = c.make({n});
  Tensor& g = c.make({n});
  Tensor& m = c.make({n}, -0.1f, 0.1f);
  Tensor& v = c.make({n}, 0.0f, 0.01f);
  for (const bool decoupled : {false, true}) {
    nn::AdamUpdate u;
    u.step_size = static_cast<float>(1e-3 / (1.0 - std::pow(0.9, 3)));
    u.correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(0.999, 3)));
    u.coupled_decay = decoupled ? 0.0f : 0.01f;
    u.shrink = decoupled ? static_cast<float>(1.0 - 1e-3 * 0.01) : 1.0f;
    Tensor &w_cpu = c.clone(w), &w_gpu = c.clone(w), &m_cpu = c.clone(m), &m_gpu = c.clone(m);
    Tensor &v_cpu = c.clone(v), &v_gpu = c.clone(v);
    c.cpu.adam_update(u, w_cpu, g, m_cpu, v_cpu);
    c.gpu->adam_update(u, w_gpu, g, m_gpu, v_gpu);
    const std::string name = std::string(decoupled ? "adamw" : "adam") + "[" + std::to_string(n) + "]";
    c.expect(name + " weights", w_cpu, w_gpu);
    c.expect(name + " exp_avg", m_cpu, m_gpu);
    c.expect(name + " exp_avg_sq", v_cpu, v_gpu);
  }
  for (int variant = 0; variant < 4; ++variant) {
    nn::SgdUpdate u{0.05f, variant == 1 ? 0.01f : 0.0f, variant >= 2 ? 0.9f : 0.0f, 0.9f, variant == 2, variant == 3};
    Tensor &w_cpu = c.clone(w), &w_gpu = c.clone(w), &b_cpu = c.clone(m), &b_gpu = c.clone(m);
    c.cpu.sgd_update(u, w_cpu, g, variant >= 2 ? &b_cpu : nullptr);
    c.gpu->sgd_update(u, w_gpu, g, variant >= 2 ? &b_gpu : nullptr);
    const char* names[] = {"sgd", "sgd decay", "sgd momentum first step", "sgd nesterov"};
    c.expect(std::string(names[variant]) + "[" + std::to_string(n) + "] weights", w_cpu, w_gpu);
    if (variant >= 2) c.expect(std::string(names[variant]) + "[" + std::to_string(n) + "] buffer", b_cpu, b_gpu);
  }
}

// Queues every op check (rounds of random shapes); "" or why not.
std::string start_op_checks(uint32_t seed, uint32_t rounds) {
  auto gpu = WebGpuBackend::create();
  if (!gpu.is_ok()) return gpu.status().message();
  op_checks = std::make_unique<OpChecks>();
  op_checks->gpu = std::move(*gpu);
  op_checks->rng = CounterRng(seed);
  for (uint32_t r = 0; r < rounds; ++r) {
    check_conv(*op_checks);
    check_linear(*op_checks);
    check_pooling(*op_checks);
  }
  check_activations(*op_checks);
  check_elementwise(*op_checks);
  check_losses(*op_checks);
  check_optimisers(*op_checks);
  const Status status = op_checks->gpu->submit();
  return status.is_ok() ? "" : status.message();
}

// JSON: [{op, shape, error, tolerance, worst}] once the downloads are done; error is the
// largest |gpu - cpu| over the tolerance of that element (<= 1 passes).
std::string finish_op_checks() {
  if (!op_checks) return R"({"error": "no checks started"})";
  const Status status = op_checks->gpu->status();
  if (!status.is_ok()) return R"({"error": ")" + status.message() + "\"}";
  if (!op_checks->gpu->downloads_done()) return R"({"error": "downloads still pending"})";
  std::ostringstream json;
  json.precision(6);
  json << "[";
  for (size_t i = 0; i < op_checks->checks.size(); ++i) {
    const Check& check = op_checks->checks[i];
    const Tensor& cpu = *check.cpu;
    const Tensor& gpu = *check.gpu;
    double largest = 0;
    for (int64_t j = 0; j < cpu.size(); ++j) largest = std::max(largest, std::fabs(static_cast<double>(cpu[j])));
    double worst_ratio = 0, worst_difference = 0;
    bool same_size = cpu.size() == gpu.size();
    for (int64_t j = 0; same_size && j < cpu.size(); ++j) {
      const double difference = std::fabs(static_cast<double>(gpu[j]) - static_cast<double>(cpu[j]));
      double tolerance = 0;
      if (check.magnitude != nullptr) {
        tolerance = 2.0 * gamma_bound(check.terms + 1) * (*check.magnitude)[j];
      } else if (check.terms > 0) {  // a mean of terms summed in float32 on the GPU, double on the CPU
        tolerance = gamma_bound(check.terms) * std::fabs(static_cast<double>(cpu[j])) * 4.0 + 1e-5 * std::fabs(cpu[j]);
      } else {
        tolerance = 1e-5 * std::fabs(static_cast<double>(cpu[j])) + check.floor * largest;
      }
      tolerance = std::max(tolerance, 1e-30);
      const double ratio = std::isnan(difference) ? 1e30 : difference / tolerance;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        worst_difference = difference;
      }
    }
    if (!same_size) worst_ratio = 1e30;
    json << (i ? "," : "") << R"({"op":")" << check.op << R"(","shape":")" << check.shape << R"(","ratio":)"
         << worst_ratio << R"(,"difference":)" << worst_difference << R"(,"largest":)" << largest << "}";
  }
  json << "]";
  return json.str();
}

// ---- The benchmark CNN's layers (Conv1d k9 'same' + ReLU + MaxPool1d(2), four times,
// global average, Linear; BCE with logits; Adam) built twice from one seed, once on each
// backend: what the training curve and the peer benchmark step.
struct TwinModels {
  std::unique_ptr<WebGpuBackend> gpu;
  nn::CpuBackend cpu{1};
  nn::LayerPtr cpu_model, gpu_model;
  std::unique_ptr<nn::Adam> cpu_adam, gpu_adam;
  nn::BceWithLogitsLoss loss;
  Tensor inputs, targets, cpu_out, cpu_grad, gpu_out, gpu_grad, gpu_loss;
};

// The WebGPU device, the two models for windows of `length` bp and their optimisers: ""
// or why not.
std::string build_twins(TwinModels& t, int channels, int length, const nn::AdamOptions& adam) {
  auto gpu = WebGpuBackend::create();
  if (!gpu.is_ok()) return gpu.status().message();
  t.gpu = std::move(*gpu);
  ModelSpec spec;
  spec.conv_layers = 4;
  spec.channels = channels;
  spec.kernel_size = 9;
  spec.pool = 2;
  spec.head = "global_avg_dense";
  spec.outputs = 1;
  auto cpu_model = build_model(spec, Shape{1, 4, length}, Shape{1, 1}, 1);
  auto gpu_model = build_model(spec, Shape{1, 4, length}, Shape{1, 1}, 1);
  if (!cpu_model.is_ok()) return cpu_model.status().message();
  if (!gpu_model.is_ok()) return gpu_model.status().message();
  t.cpu_model = std::move(*cpu_model);
  t.gpu_model = std::move(*gpu_model);
  t.cpu_model->set_backend(&t.cpu);
  t.gpu_model->set_backend(t.gpu.get());
  t.cpu_adam = std::make_unique<nn::Adam>(t.cpu_model->parameters(), adam, false);
  t.gpu_adam = std::make_unique<nn::Adam>(t.gpu_model->parameters(), adam, false);
  t.cpu_adam->set_backend(&t.cpu);
  t.gpu_adam->set_backend(t.gpu.get());
  return "";
}

// One step on the CPU backend on t.inputs and t.targets, in the trainer's order of
// operations: its loss.
Result<double> twin_cpu_step(TwinModels& t) {
  t.cpu_adam->zero_grad();
  EPIBOOK_RETURN_IF_ERROR(t.cpu_model->forward(t.inputs, t.cpu_out));
  EPIBOOK_ASSIGN_OR_RETURN(const double loss, t.loss.evaluate(t.cpu_out, t.targets, &t.cpu_grad));
  EPIBOOK_RETURN_IF_ERROR(t.cpu_model->backward(t.cpu_grad, nullptr));
  t.cpu_adam->step();
  return loss;
}

// The same step on the WebGPU backend (inputs and targets already uploaded): every op
// recorded on the device and submitted, the loss read back asynchronously into t.gpu_loss.
Status twin_gpu_step(TwinModels& t) {
  t.gpu_adam->zero_grad();
  EPIBOOK_RETURN_IF_ERROR(t.gpu_model->forward(t.inputs, t.gpu_out));
  t.gpu->elementwise_loss(nn::ElementwiseLoss::kBce, {}, t.gpu_out, t.targets, t.gpu_loss, t.gpu_grad);
  EPIBOOK_RETURN_IF_ERROR(t.gpu_model->backward(t.gpu_grad, nullptr));
  t.gpu_adam->step();
  EPIBOOK_RETURN_IF_ERROR(t.gpu->request_download(t.gpu_loss));
  return t.gpu->submit();
}

// ---- The training curve: the twin models on fresh batches each step.
struct Curve : TwinModels {
  int64_t batch = 0, length = 0;
  uint64_t step = 0;
  std::vector<double> cpu_losses, gpu_losses;
};
std::unique_ptr<Curve> curve;

std::string start_curve(int channels, int batch, int length) {
  curve = std::make_unique<Curve>();
  curve->batch = batch;
  curve->length = length;
  nn::AdamOptions adam;
  adam.learning_rate = 1e-2;  // fast enough that 50 steps visibly learn the motif
  return build_twins(*curve, channels, length, adam);
}

// One step on the CPU backend (the batch: one-hot sequences, label = has "GATA"
// anywhere, drawn from the step's own random stream). "" or why not.
std::string curve_step_cpu() {
  Curve& c = *curve;
  CounterRng rng(99, c.step);
  c.inputs.resize_zeroed({c.batch, 4, c.length});
  c.targets.resize({c.batch, 1});
  for (int64_t n = 0; n < c.batch; ++n) {
    std::vector<int> bases(static_cast<size_t>(c.length));
    for (auto& b : bases) b = static_cast<int>(rng.next_below(4));
    if (rng.next_below(2) == 1) {
      const int64_t at = static_cast<int64_t>(rng.next_below(static_cast<uint64_t>(c.length - 4)));
      const int motif[] = {2, 0, 3, 0};
      for (int i = 0; i < 4; ++i) bases[static_cast<size_t>(at + i)] = motif[i];
    }
    bool found = false;
    for (int64_t i = 0; i + 4 <= c.length; ++i) {
      found = found || (bases[i] == 2 && bases[i + 1] == 0 && bases[i + 2] == 3 && bases[i + 3] == 0);
    }
    for (int64_t i = 0; i < c.length; ++i) c.inputs.at(n, bases[static_cast<size_t>(i)], i) = 1.0f;
    c.targets[n] = found ? 1.0f : 0.0f;
  }
  auto cpu_loss = twin_cpu_step(c);
  if (!cpu_loss.is_ok()) return cpu_loss.status().message();
  c.cpu_losses.push_back(*cpu_loss);
  return "";
}

// The same step on the WebGPU backend (after curve_step_cpu, whose batch it takes):
// every op recorded on the device, one read back (the loss), asynchronous: read it with
// curve_losses() once the device is idle.
std::string curve_step_gpu() {
  Curve& c = *curve;
  (void)c.gpu->upload(c.inputs);
  (void)c.gpu->upload(c.targets);
  if (Status s = twin_gpu_step(c); !s.is_ok()) return s.message();
  ++c.step;
  return "";
}

// The last step's losses, as JSON {cpu, gpu, submits} (after the device went idle).
std::string curve_losses() {
  Curve& c = *curve;
  const Status status = c.gpu->status();
  if (!status.is_ok()) return R"({"error": ")" + status.message() + "\"}";
  std::ostringstream json;
  json.precision(9);
  json << R"({"cpu":)" << c.cpu_losses.back() << R"(,"gpu":)" << c.gpu_loss[0] << R"(,"submits":)" << c.gpu->submits()
       << "}";
  return json.str();
}

// ---- A Trainer on the WebGPU backend against one on the CPU: one epoch of a small model
// on small data, the device's steps split at their wait (begin_step / finish_step) and
// its validation run on the device, read back once.
struct TrainerRun {
  TrainingData data;
  TrainOptions options;
  nn::LayerPtr cpu_model, gpu_model;
  std::unique_ptr<Trainer> cpu, gpu;
  EpochRecord cpu_epoch, gpu_epoch;
  bool gpu_done = false;
};
std::unique_ptr<TrainerRun> trainer_run;

std::string json_of(const Trainer& trainer, const EpochRecord& record) {
  std::ostringstream json;
  json.precision(9);
  json << R"({"losses":[)";
  for (size_t i = 0; i < trainer.state().step_losses.size(); ++i) json << (i ? "," : "") << trainer.state().step_losses[i];
  json << R"(],"validation_loss":)" << record.validation_loss.value_or(-1.0) << R"(,"outputs":[)";
  const Tensor& outputs = trainer.validation_outputs();
  for (int64_t i = 0; i < outputs.size(); ++i) json << (i ? "," : "") << outputs[i];
  json << "]";
  for (const MetricValue& m : record.validation) json << R"(,")" << m.name << R"(":)" << m.value;
  json << "}";
  return json.str();
}

std::string start_trainer_run() {
  auto gpu = WebGpuBackend::create();
  if (!gpu.is_ok()) return gpu.status().message();
  trainer_run = std::make_unique<TrainerRun>();
  TrainerRun& r = *trainer_run;
  const int64_t rows = 40, length = 32;
  CounterRng rng(5);
  r.data.inputs.resize_zeroed({rows, 4, length});
  r.data.targets.resize({rows, 1});
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t i = 0; i < length; ++i) r.data.inputs.at(n, static_cast<int64_t>(rng.next_below(4)), i) = 1.0f;
    r.data.targets[n] = static_cast<float>(rng.next_below(2));
    r.data.split.push_back(n < 24 ? 0 : 1);
  }
  r.options.data.dir = "checks";
  r.options.model.conv_layers = 2;
  r.options.model.channels = 8;
  r.options.model.kernel_size = 5;
  r.options.loss = "bce";
  r.options.schedule.base = 1e-2;
  r.options.batch_size = 8;
  r.options.epochs = 1;
  auto cpu_model = build_model(r.options.model, Shape{1, 4, length}, Shape{1, 1}, 3);
  auto gpu_model = build_model(r.options.model, Shape{1, 4, length}, Shape{1, 1}, 3);
  if (!cpu_model.is_ok()) return cpu_model.status().message();
  r.cpu_model = std::move(*cpu_model);
  r.gpu_model = std::move(*gpu_model);
  auto cpu = Trainer::create(*r.cpu_model, r.data, r.options);
  if (!cpu.is_ok()) return cpu.status().message();
  auto on_gpu = Trainer::create(*r.gpu_model, r.data, r.options, std::move(*gpu));
  if (!on_gpu.is_ok()) return on_gpu.status().message();
  r.cpu = std::move(*cpu);
  r.gpu = std::move(*on_gpu);
  auto epoch = r.cpu->run_epoch();
  if (!epoch.is_ok()) return epoch.status().message();
  r.cpu_epoch = *epoch;
  return "";
}

// Does what can be done without waiting: "wait" (call again once the device is idle),
// "done", or why it failed.
std::string advance_trainer_run() {
  TrainerRun& r = *trainer_run;
  Trainer& t = *r.gpu;
  if (r.gpu_done) return "done";
  if (t.step_pending()) {
    auto loss = t.finish_step();
    if (!loss.is_ok()) return loss.status().message();
    return "wait";
  }
  if (!t.epoch_done()) {
    const Status s = t.begin_step();
    return s.is_ok() ? "wait" : s.message();
  }
  if (t.validation_rows().size() > 0 && !t.validation_ready()) {
    while (true) {
      auto done = t.validate_next_batch();
      if (!done.is_ok()) return done.status().message();
      if (*done >= t.validation_row_count()) break;
    }
    return "wait";
  }
  auto epoch = t.finish_epoch();
  if (!epoch.is_ok()) return epoch.status().message();
  r.gpu_epoch = *epoch;
  r.gpu_done = true;
  return "done";
}

std::string trainer_run_results() {
  TrainerRun& r = *trainer_run;
  return R"({"cpu":)" + json_of(*r.cpu, r.cpu_epoch) + R"(,"gpu":)" + json_of(*r.gpu, r.gpu_epoch) + "}";
}

// ---- The peer benchmark (tests/bench/gpu_peer_bench.mjs): the curve's model on one fixed
// batch, a step at a time on either backend, timed by the page (a step on WebGPU ends
// when its loss has been read back, as in a lab).
struct Bench : TwinModels {
  double cpu_last = 0;
};
std::unique_ptr<Bench> bench;

std::string start_bench(int channels, int batch, int length) {
  bench = std::make_unique<Bench>();
  Bench& b = *bench;
  if (std::string why = build_twins(b, channels, length, nn::AdamOptions{}); !why.empty()) return why;
  CounterRng rng(7);
  b.inputs.resize_zeroed({batch, 4, length});
  b.targets.resize({batch, 1});
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t i = 0; i < length; ++i) b.inputs.at(n, static_cast<int64_t>(rng.next_below(4)), i) = 1.0f;
    b.targets[n] = static_cast<float>(rng.next_below(2));
  }
  (void)b.gpu->upload(b.inputs);
  (void)b.gpu->upload(b.targets);
  return "";
}

// One CPU step, the trainer's order of operations.
std::string bench_cpu_step() {
  auto loss = twin_cpu_step(*bench);
  if (!loss.is_ok()) return loss.status().message();
  bench->cpu_last = *loss;
  return "";
}

// One WebGPU step recorded and submitted, its loss read back asynchronously.
std::string bench_gpu_step() {
  const Status status = twin_gpu_step(*bench);
  return status.is_ok() ? "" : status.message();
}

// {"cpu": last CPU loss, "gpu": last WebGPU loss read back}
std::string bench_losses() {
  std::ostringstream json;
  json.precision(9);
  json << R"({"cpu":)" << bench->cpu_last << R"(,"gpu":)" << bench->gpu_loss[0] << "}";
  return json.str();
}

}  // namespace
}  // namespace epibook::gpu

EMSCRIPTEN_BINDINGS(epibook_gpu_checks) {
  emscripten::function("startTrainerRun", &epibook::gpu::start_trainer_run);
  emscripten::function("advanceTrainerRun", &epibook::gpu::advance_trainer_run);
  emscripten::function("trainerRunResults", &epibook::gpu::trainer_run_results);
  emscripten::function("startBench", &epibook::gpu::start_bench);
  emscripten::function("benchCpuStep", &epibook::gpu::bench_cpu_step);
  emscripten::function("benchGpuStep", &epibook::gpu::bench_gpu_step);
  emscripten::function("benchLosses", &epibook::gpu::bench_losses);
  emscripten::function("startOpChecks", &epibook::gpu::start_op_checks);
  emscripten::function("finishOpChecks", &epibook::gpu::finish_op_checks);
  emscripten::function("startCurve", &epibook::gpu::start_curve);
  emscripten::function("curveStepCpu", &epibook::gpu::curve_step_cpu);
  emscripten::function("curveStepGpu", &epibook::gpu::curve_step_gpu);
  emscripten::function("curveLosses", &epibook::gpu::curve_losses);
}
