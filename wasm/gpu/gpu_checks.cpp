// The WebGPU backend checked against the CPU backend, in the browser: every op on random
// shapes (odd sizes that do not fill a 256-thread workgroup included), and a training
// curve of the benchmark CNN on both; and the steps the peer benchmark times. Driven by tests/e2e/gpu.test.mjs, which awaits the
// device between start_* and finish_* (read-backs are asynchronous).
//
// Tolerances, op by op (web/labs/README.md lists them; u = 2^-24, float32's unit
// roundoff, and an ULP of a value at most 2u of it; WGSL guarantees +, -, * correctly
// rounded (u), / to 2.5 ULP (5u), sqrt as 1 / inverseSqrt (2 ULP, then a division:
// 9u), exp to 3 + 2|x| ULP ((6 + 4|x|) u), log to 3 ULP, or 2^-21 absolute on
// [0.5, 2]; an implementation may fuse a * b + c, which only drops a rounding). Each op's bound is stated where it is set (the `bound` text in the JSON):
//  - exact (bit-equal): fill, copy, copy_into, add, multiply, ReLU both ways, max-pool
//    forward (a selection), Dropout's mask (the same 53 bits compared as integers) and
//    Dropout forward and backward (a product with 0 or 1 / (1 - p), exact for the
//    powers of two checked and at most one rounding otherwise: held to 1 ULP);
//  - sums (conv, linear, pooling, bias, BatchNorm's gradient sums): a sum of n float32
//    products differs from the exact sum by at most gamma(n+1) sum|terms| (Higham,
//    gamma(k) = k u / (1 - k u)) whatever the order, so two backends that sum in
//    different orders differ by at most twice that. sum|terms| per output element comes
//    from running the CPU op on the absolute values of the inputs (exact for conv,
//    linear and pooling, whose terms are products of inputs);
//  - a few roundings (SGD, Adam, the losses' gradients, BatchNorm's affine map): k u
//    times the magnitude of the values rounded, with k and the magnitude per op below;
//  - transcendental ops (activations): the WGSL accuracies above chained through each
//    formula, relative to the element plus, where the result can cancel to zero, an
//    absolute part. GELU (erf) alone keeps a measured floor (1e-5 relative plus 4e-6 x
//    max): its series and continued fraction are not bounded analytically here.
//    GELU-tanh's bound is worked out: computed as
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

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/nn/model.h"
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

// One comparison: a CPU tensor, the GPU tensor downloaded into `gpu`, and its bound:
// the sum of the parts set (none set: bit-equal).
struct Check {
  std::string op;
  std::string shape;
  const Tensor* cpu = nullptr;
  Tensor* gpu = nullptr;
  std::string bound;                  // the bound in words, reported with the result
  const Tensor* magnitude = nullptr;  // sums: 2 gamma(terms + 1) x sum|terms| per element
  double terms = 0;
  bool mean_of_terms = false;         // a loss's value: a mean of `terms` terms
  double ulps = 0;                    // ulps x u x |cpu| per element
  const Tensor* scale = nullptr;      // ulps_of_scale x u x scale per element
  double ulps_of_scale = 0;
  const Tensor* bounds = nullptr;     // a worked-out bound per element
  double absolute = 0;                // an absolute part
  double of_largest = 0;              // times the largest |cpu| of the tensor
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
  // A host tensor of t's shape from f(i).
  Tensor& computed(const Shape& shape, const std::function<double(int64_t)>& f) {
    Tensor& a = tensors.emplace_back(shape);
    for (int64_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(f(i));
    return a;
  }
  int64_t pick(int64_t low, int64_t high) { return low + static_cast<int64_t>(rng.next_below(high - low + 1)); }
  // Queues the GPU tensor's read back; the caller sets the bound on the Check returned
  // (none: bit-equal).
  Check& expect(const std::string& op, const Tensor& cpu_out, Tensor& gpu_out) {
    checks.push_back({op, cpu_out.shape().text(), &cpu_out, &gpu_out, "exact"});
    (void)gpu->request_download(gpu_out);
    return checks.back();
  }
  // A sum of `terms` products per element (see the top).
  void expect_sum(const std::string& op, const Tensor& cpu_out, Tensor& gpu_out, const Tensor& magnitude,
                  double terms) {
    Check& check = expect(op, cpu_out, gpu_out);
    check.magnitude = &magnitude;
    check.terms = terms;
    check.bound = "2 gamma(" + std::to_string(static_cast<int64_t>(terms) + 1) + ") sum|terms|";
  }
  Check& expect_ulps(const std::string& op, const Tensor& cpu_out, Tensor& gpu_out, double ulps, const std::string& why) {
    Check& check = expect(op, cpu_out, gpu_out);
    check.ulps = ulps;
    check.bound = why;
    return check;
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
  c.expect_sum(name.str() + " forward", y_cpu, y_gpu, y_abs, static_cast<double>(g.in_channels * g.kernel_size + 1));

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
  c.expect_sum(name.str() + " grad input", dx_cpu, dx_gpu, dx_abs, static_cast<double>(g.out_channels * g.kernel_size));
  c.expect_sum(name.str() + " grad weight", gw_cpu, gw_gpu, gw_abs, static_cast<double>(batch * length_out + 1));
  if (with_bias) c.expect_sum(name.str() + " grad bias", gb_cpu, gb_gpu, gb_abs, static_cast<double>(batch * length_out + 1));
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
  c.expect_sum(name + " forward", y_cpu, y_gpu, y_abs, static_cast<double>(in + 1));
  Tensor& dy = c.make(y_cpu.shape());
  Tensor& gw_start = c.make(w.shape());
  Tensor& gb_start = c.make(b.shape());
  Tensor &dx_cpu = c.blank(), &dx_gpu = c.blank(), &dx_abs = c.blank();
  Tensor &gw_cpu = c.clone(gw_start), &gw_gpu = c.clone(gw_start), &gw_abs = c.absolute(gw_start);
  Tensor &gb_cpu = c.clone(gb_start), &gb_gpu = c.clone(gb_start), &gb_abs = c.absolute(gb_start);
  c.cpu.linear_backward(x, w, dy, &dx_cpu, &gw_cpu, &gb_cpu);
  c.cpu.linear_backward(c.absolute(x), c.absolute(w), c.absolute(dy), &dx_abs, &gw_abs, &gb_abs);
  c.gpu->linear_backward(x, w, dy, &dx_gpu, &gw_gpu, &gb_gpu);
  c.expect_sum(name + " grad input", dx_cpu, dx_gpu, dx_abs, static_cast<double>(out));
  c.expect_sum(name + " grad weight", gw_cpu, gw_gpu, gw_abs, static_cast<double>(rows + 1));
  c.expect_sum(name + " grad bias", gb_cpu, gb_gpu, gb_abs, static_cast<double>(rows + 1));
}

// u = 2^-24 in units of which the bounds below are stated.
// The activations' bounds, for inputs in [-8, 8] and the checks' extremes -25, 0, 25.
void set_activation_bound(nn::Activation a, bool backward, Check& check, const Tensor& dy_abs) {
  switch (a) {
    case nn::Activation::kRelu:
      check.bound = "exact (a selection; dy times 0 or 1)";
      return;
    case nn::Activation::kSigmoid:
      // 1 / (1 + exp(-x)): exp within (6 + 4|x|) u = 106 u at |x| = 25, the sum u,
      // the division 5u, the CPU's own 2u: 114 u. Backward s (1 - s) dy: 1 - s carries
      // s's absolute error (<= 114 u s) uncancelled, times s |dy| <= |dy|.
      check.ulps = 120;
      check.bound = "120 u |cpu|";
      if (backward) {
        check.scale = &dy_abs;
        check.ulps_of_scale = 120;
        check.bound = "120 u |cpu| + 120 u |dy|";
      }
      return;
    case nn::Activation::kSoftplus:
      // Forward log(1 + exp(x)) (x <= 20): exp's 106 u at most pass into the result
      // as at most 106 u relative; log is within 3 ULP (6u), or 2^-21 absolute where
      // its argument is in [0.5, 2] (x <= 0). Backward: sigmoid(x) dy, as sigmoid.
      check.ulps = 120;
      check.absolute = backward ? 0.0 : 0x1.0p-21;
      check.bound = backward ? "120 u |cpu|" : "120 u |cpu| + 2^-21";
      return;
    case nn::Activation::kGeluErf:
      // The kernel's erf (a 40-term series below 1.5, an 80-term continued fraction
      // above) has no analytic bound here: a measured floor.
      check.ulps = 1e-5 / kUnit;
      check.of_largest = 4e-6;
      check.bound = "1e-5 |cpu| + 4e-6 max|cpu| (measured, not derived)";
      return;
    case nn::Activation::kGeluTanh:
      // Worked out at the top (gelu_tanh_error_bound.py).
      check.ulps = 1e-5 / kUnit;
      check.of_largest = 1e-6;
      check.bound = "1e-5 |cpu| + 1e-6 max|cpu| (derived)";
      return;
  }
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
    const Tensor& dy_none = c.blank();
    Tensor &y_cpu = c.blank(), &y_gpu = c.blank();
    c.cpu.activation_forward(a, x, y_cpu);
    c.gpu->activation_forward(a, x, y_gpu);
    Check& forward = c.expect(name + " forward", y_cpu, y_gpu);
    set_activation_bound(a, false, forward, dy_none);
    Tensor& dy = c.make({n});
    Tensor &dx_cpu = c.blank(), &dx_gpu = c.blank();
    c.cpu.activation_backward(a, x, dy, dx_cpu);
    c.gpu->activation_backward(a, x, dy, dx_gpu);
    Check& backward = c.expect(name + " backward", dx_cpu, dx_gpu);
    set_activation_bound(a, true, backward, c.absolute(dy));
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
  c.expect("max_pool" + name + " forward", y_cpu, y_gpu).bound = "exact (a selection)";
  Tensor& dy = c.make(y_cpu.shape());
  Tensor& dx_cpu = c.tensors.emplace_back(x.shape());
  Tensor& dx_gpu = c.tensors.emplace_back(x.shape());
  Tensor& dx_abs = c.tensors.emplace_back(x.shape());
  c.cpu.max_pool1d_backward(g, arg_cpu, dy, dx_cpu);
  c.cpu.max_pool1d_backward(g, arg_cpu, c.absolute(dy), dx_abs);
  c.gpu->max_pool1d_backward(g, arg_gpu, dy, dx_gpu);
  c.expect_sum("max_pool" + name + " backward", dx_cpu, dx_gpu, dx_abs, static_cast<double>(g.kernel_size));

  Tensor &a_cpu = c.blank(), &a_gpu = c.blank(), &a_abs = c.blank();
  c.cpu.avg_pool1d_forward(g, x, a_cpu);
  c.cpu.avg_pool1d_forward(g, c.absolute(x), a_abs);
  c.gpu->avg_pool1d_forward(g, x, a_gpu);
  // k terms, each times 1 / k (within 5u: five more roundings' worth).
  c.expect_sum("avg_pool" + name + " forward", a_cpu, a_gpu, a_abs, static_cast<double>(g.kernel_size + 6));
  Tensor& ady = c.make(a_cpu.shape());
  Tensor& adx_cpu = c.tensors.emplace_back(x.shape());
  Tensor& adx_gpu = c.tensors.emplace_back(x.shape());
  Tensor& adx_abs = c.tensors.emplace_back(x.shape());
  c.cpu.avg_pool1d_backward(g, ady, adx_cpu);
  c.cpu.avg_pool1d_backward(g, c.absolute(ady), adx_abs);
  c.gpu->avg_pool1d_backward(g, ady, adx_gpu);
  c.expect_sum("avg_pool" + name + " backward", adx_cpu, adx_gpu, adx_abs, static_cast<double>(g.kernel_size + 6));
}

void check_elementwise(OpChecks& c) {
  const int64_t n = c.pick(1, 3000);
  Tensor& a = c.make({n});
  Tensor& b = c.make({n});
  Tensor &s_cpu = c.blank(), &s_gpu = c.blank(), &m_cpu = c.blank(), &m_gpu = c.blank();
  c.cpu.add(a, b, s_cpu);
  c.gpu->add(a, b, s_gpu);
  c.expect("add[" + std::to_string(n) + "]", s_cpu, s_gpu);  // one correctly rounded op: exact
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
    // The mean of n terms, summed in float32 on the GPU (double on the CPU): 4 gamma(n)
    // |mean| plus 1e-5 relative for each term's transcendental parts.
    Check& value = c.expect(std::string(k.name) + shape + " value", v_cpu, v_gpu);
    value.mean_of_terms = true;
    value.terms = static_cast<double>(rows * outputs);
    value.bound = "4 gamma(n) |mean| + 1e-5 |mean|";
    Check& grad = c.expect(std::string(k.name) + shape + " grad", g_cpu, g_gpu);
    const double n = static_cast<double>(out.size());
    if (k.loss == nn::ElementwiseLoss::kMse) {
      // 2 (x - y) / n: the difference rounded once (u), the division 5u; the CPU's
      // double rounded once.
      grad.ulps = 8;
      grad.bound = "8 u |cpu|";
    } else if (k.loss == nn::ElementwiseLoss::kPoisson) {
      // (exp(x) - y) / n: exp within (6 + 4|x|) u <= 18 u (|x| <= 3), which the
      // difference may cancel into: 20 u e^x / n absolute, plus the subtraction's u
      // and the division's 5u.
      grad.ulps = 8;
      grad.scale = &c.computed(out.shape(), [&out, n](int64_t i) { return std::exp(out[i]) / n; });
      grad.ulps_of_scale = 20;
      grad.bound = "8 u |cpu| + 20 u e^x / n";
    } else {
      // (-w y (1 - s) + (1 - y) s) / n with s = 1 / (1 + exp(-x)) within 24 u (exp's
      // 18 u at |x| <= 3, the sum, the division); y is 0 or 1, so one term: s / n to
      // 32 u, or w (1 - s) / n whose cancellation leaves 24 u s w / n absolute.
      grad.ulps = 32;
      const std::vector<float> weights = k.pos_weight;
      const int64_t axis = outputs;
      grad.scale = &c.computed(out.shape(), [weights, axis, n](int64_t i) {
        const double w = weights.empty() ? 1.0 : weights.size() == 1 ? weights[0] : weights[static_cast<size_t>(i % axis)];
        return w / n;
      });
      grad.ulps_of_scale = 32;
      grad.bound = "32 u |cpu| + 32 u w / n";
    }
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
    // Weights: w0 - step (m / (sqrt(v) / c2 + eps)) with w0 = w shrink: sqrt within
    // 9u, two divisions 5u each, the sum, the product, the coupled decay's two and m's
    // three roundings, the subtraction and the shrink: under 32 u of |w| + |update|
    // (the update taken as |w - w'| of the CPU, plus |w| for the shrink).
    Check& weights = c.expect(name + " weights", w_cpu, w_gpu);
    weights.scale = &c.computed(w.shape(), [&w, &w_cpu](int64_t i) {
      return 2.0 * std::fabs(w[i]) + std::fabs(static_cast<double>(w[i]) - w_cpu[i]);
    });
    weights.ulps_of_scale = 32;
    weights.bound = "32 u (2|w| + |w - w'|)";
    // m' = m beta1 + keep1 (g + decay w): two products, two sums, one decay product.
    Check& first = c.expect(name + " exp_avg", m_cpu, m_gpu);
    const float decay = u.coupled_decay, beta1 = u.beta1, keep1 = u.keep1;
    first.scale = &c.computed(m.shape(), [&, decay, beta1, keep1](int64_t i) {
      return beta1 * std::fabs(m[i]) + keep1 * (std::fabs(g[i]) + decay * std::fabs(w[i]));
    });
    first.ulps_of_scale = 6;
    first.bound = "6 u (beta1 |m| + keep1 (|g| + decay |w|))";
    // v' = v beta2 + keep2 g^2: every term non-negative, so relative: g's 2 u doubled
    // by the square, the products and the sum.
    c.expect_ulps(name + " exp_avg_sq", v_cpu, v_gpu, 8, "8 u |cpu|");
  }
  for (int variant = 0; variant < 4; ++variant) {
    nn::SgdUpdate u{0.05f, variant == 1 ? 0.01f : 0.0f, variant >= 2 ? 0.9f : 0.0f, 0.9f, variant == 2, variant == 3};
    Tensor &w_cpu = c.clone(w), &w_gpu = c.clone(w), &b_cpu = c.clone(m), &b_gpu = c.clone(m);
    c.cpu.sgd_update(u, w_cpu, g, variant >= 2 ? &b_cpu : nullptr);
    c.gpu->sgd_update(u, w_gpu, g, variant >= 2 ? &b_gpu : nullptr);
    const char* names[] = {"sgd", "sgd decay", "sgd momentum first step", "sgd nesterov"};
    // d = g + decay w, buffer = b momentum + blend d, direction = d (+ momentum buffer),
    // w' = w - lr direction: at most six roundings, none larger than u times
    // |w| + lr (1 + momentum) (|g| + decay |w| + momentum |b|).
    const float lr = u.learning_rate, dk = u.decay, mo = u.momentum, bl = u.blend;
    const bool with_buffer = variant >= 2;
    Check& weights = c.expect(std::string(names[variant]) + "[" + std::to_string(n) + "] weights", w_cpu, w_gpu);
    weights.scale = &c.computed(w.shape(), [&, lr, dk, mo, with_buffer](int64_t i) {
      const double d = std::fabs(g[i]) + dk * std::fabs(w[i]) + (with_buffer ? mo * std::fabs(m[i]) : 0.0);
      return std::fabs(w[i]) + lr * (1.0 + mo) * d;
    });
    weights.ulps_of_scale = 6;
    weights.bound = "6 u (|w| + lr (1 + momentum) (|g| + decay |w| + momentum |b|))";
    if (with_buffer) {
      Check& buffer = c.expect(std::string(names[variant]) + "[" + std::to_string(n) + "] buffer", b_cpu, b_gpu);
      buffer.scale = &c.computed(m.shape(), [&, dk, mo, bl](int64_t i) {
        return mo * std::fabs(m[i]) + bl * (std::fabs(g[i]) + dk * std::fabs(w[i]));
      });
      buffer.ulps_of_scale = 4;
      buffer.bound = "4 u (momentum |b| + blend (|g| + decay |w|))";
    }
  }
}

// BatchNorm1d on [N, C, L] (L = 1 as [N, C] too): training forward (mean, 1 / std,
// running averages, output), eval forward, and backward. With n = N L values a channel,
// A its mean |x| and v its variance: the GPU's mean is within dm = gamma(n + 7) A (a
// sum of n, the division's 5u of |m| <= A, the CPU's double rounded once), its
// variance (two-pass about that mean) within gamma(n + 10) (v + dm^2) + dm^2, so
// 1 / sqrt(var + eps) within half that over var + eps plus 16 u (sqrt 9u, the division
// 5u, the CPU's rounding). The output (x - m) inverse_std scale + shift then moves by
// |scale| inverse_std (dm + |x - m| r_inv), plus 8 u of the affine map's values |x a|,
// |b|, |y| (its four roundings on each side).
void check_batch_norm(OpChecks& c) {
  const int64_t batch = c.pick(2, 6), channels = c.pick(1, 9);
  const bool sequence = c.rng.next_below(3) != 0;
  const int64_t length = sequence ? c.pick(1, 70) : 1;
  const Shape shape = sequence ? Shape{batch, channels, length} : Shape{batch, channels};
  const std::string name = "batch_norm" + shape.text();
  Tensor& x = c.make(shape, -2.0f, 3.0f);
  Tensor& scale = c.make({channels}, 0.5f, 1.5f);
  Tensor& shift = c.make({channels});
  Tensor& running_mean_start = c.make({channels});
  Tensor& running_var_start = c.make({channels}, 0.5f, 2.0f);
  nn::BatchNormStep step;  // eps 1e-5, momentum 0.1, training
  Tensor &rm_cpu = c.clone(running_mean_start), &rm_gpu = c.clone(running_mean_start);
  Tensor &rv_cpu = c.clone(running_var_start), &rv_gpu = c.clone(running_var_start);
  Tensor &m_cpu = c.blank(), &m_gpu = c.blank(), &inv_cpu = c.blank(), &inv_gpu = c.blank();
  Tensor &y_cpu = c.blank(), &y_gpu = c.blank();
  c.cpu.batch_norm_forward(step, x, scale, shift, rm_cpu, rv_cpu, m_cpu, inv_cpu, y_cpu);
  c.gpu->batch_norm_forward(step, x, scale, shift, rm_gpu, rv_gpu, m_gpu, inv_gpu, y_gpu);
  const double n = static_cast<double>(batch * length);
  std::vector<double> mean_abs(static_cast<size_t>(channels)), variance(static_cast<size_t>(channels));
  for (int64_t i = 0; i < x.size(); ++i) {
    const auto ch = static_cast<size_t>((i / length) % channels);
    mean_abs[ch] += std::fabs(x[i]) / n;
    const double d = x[i] - static_cast<double>(m_cpu[static_cast<int64_t>(ch)]);
    variance[ch] += d * d / n;
  }
  auto channel_of = [=](int64_t i) { return static_cast<size_t>((i / length) % channels); };
  auto mean_error = [=](size_t ch) { return gamma_bound(n + 7) * mean_abs[ch]; };
  auto variance_error = [=](size_t ch) {
    const double dm = mean_error(ch);
    return gamma_bound(n + 10) * (variance[ch] + dm * dm) + dm * dm;
  };
  auto inverse_std_error = [=](size_t ch) {  // relative
    return 0.5 * variance_error(ch) / (variance[ch] + step.eps) + 16 * kUnit;
  };
  Check& mean = c.expect(name + " mean", m_cpu, m_gpu);
  mean.bounds = &c.computed({channels}, [&, mean_error](int64_t ch) {
    return mean_error(static_cast<size_t>(ch));
  });
  mean.bound = "gamma(n + 7) mean|x|";
  Check& inverse_std = c.expect(name + " inverse_std", inv_cpu, inv_gpu);
  inverse_std.bounds = &c.computed({channels}, [&, inverse_std_error](int64_t ch) {
    return inverse_std_error(static_cast<size_t>(ch)) * inv_cpu[ch];
  });
  inverse_std.bound = "(gamma(n + 10) (v + dm^2) + dm^2) / 2 (v + eps) + 16 u, relative";
  const double momentum = step.momentum, unbiased = n / (n - 1);
  Check& running_mean = c.expect(name + " running_mean", rm_cpu, rm_gpu);
  running_mean.bounds = &c.computed({channels}, [&, mean_error, momentum](int64_t ch) {
    return momentum * mean_error(static_cast<size_t>(ch)) +
           4 * kUnit * ((1 - momentum) * std::fabs(running_mean_start[ch]) + momentum * std::fabs(m_cpu[ch]));
  });
  running_mean.bound = "momentum dm + 4 u ((1 - momentum) |running| + momentum |m|)";
  Check& running_var = c.expect(name + " running_var", rv_cpu, rv_gpu);
  running_var.bounds = &c.computed({channels}, [&, variance_error, momentum, unbiased, variance](int64_t ch) {
    const auto k = static_cast<size_t>(ch);
    return momentum * unbiased * variance_error(k) +
           4 * kUnit * ((1 - momentum) * running_var_start[ch] + momentum * unbiased * variance[k]);
  });
  running_var.bound = "momentum n / (n - 1) dv + 4 u (each term)";
  Check& output = c.expect(name + " forward", y_cpu, y_gpu);
  output.bounds = &c.computed(shape, [&, channel_of, mean_error, inverse_std_error](int64_t i) {
    const size_t k = channel_of(i);
    const auto ch = static_cast<int64_t>(k);
    const double a = static_cast<double>(inv_cpu[ch]) * scale[ch];
    const double b = shift[ch] - m_cpu[ch] * a;
    const double centred = std::fabs(x[i] - static_cast<double>(m_cpu[ch]));
    return std::fabs(scale[ch]) * inv_cpu[ch] * (mean_error(k) + centred * inverse_std_error(k)) +
           8 * kUnit * (std::fabs(x[i] * a) + std::fabs(b) + std::fabs(y_cpu[i]));
  });
  output.bound = "|scale| inverse_std (dm + |x - m| r_inv) + 8 u (|x a| + |b| + |y|)";

  // Eval: the running averages (those just updated, the same on both sides to their
  // bounds; the CPU's are used for both so the map alone is checked): 1 / sqrt(var + eps)
  // within 18 u (sqrt 9u, division 5u, the sum, eps's rounding, the CPU's), then the
  // affine map's 8 u.
  nn::BatchNormStep eval = step;
  eval.training = false;
  Tensor &rm_eval = c.clone(rm_cpu), &rv_eval = c.clone(rv_cpu);
  Tensor &rm_eval_gpu = c.clone(rm_cpu), &rv_eval_gpu = c.clone(rv_cpu);
  Tensor &em_cpu = c.blank(), &em_gpu = c.blank(), &einv_cpu = c.blank(), &einv_gpu = c.blank();
  Tensor &ey_cpu = c.blank(), &ey_gpu = c.blank();
  c.cpu.batch_norm_forward(eval, x, scale, shift, rm_eval, rv_eval, em_cpu, einv_cpu, ey_cpu);
  c.gpu->batch_norm_forward(eval, x, scale, shift, rm_eval_gpu, rv_eval_gpu, em_gpu, einv_gpu, ey_gpu);
  Check& eval_output = c.expect(name + " eval forward", ey_cpu, ey_gpu);
  eval_output.bounds = &c.computed(shape, [&, channel_of](int64_t i) {
    const auto ch = static_cast<int64_t>(channel_of(i));
    const double a = static_cast<double>(einv_cpu[ch]) * scale[ch];
    const double b = shift[ch] - em_cpu[ch] * a;
    return 18 * kUnit * std::fabs(x[i] - static_cast<double>(em_cpu[ch])) * std::fabs(a) +
           8 * kUnit * (std::fabs(x[i] * a) + std::fabs(b) + std::fabs(ey_cpu[i]));
  });
  eval_output.bound = "18 u |x - m| |a| + 8 u (|x a| + |b| + |y|)";

  // Backward from the training forward's mean and inverse_std (the CPU's, given to both):
  // the sums of dy and dy x_hat are sums of n terms (x_hat = (x - m) inverse_std: three
  // roundings a term), and dx = (dy - (S1 + x_hat S2) / n) scale inverse_std carries
  // gamma(n + 16) of every term it combines (x_hat's two, the sum's n, the product and
  // sum, the division's 5u, the subtraction, two products), twice for the CPU's side.
  Tensor& dy = c.make(shape);
  Tensor& gs_start = c.make({channels});
  Tensor& gb_start = c.make({channels});
  Tensor &gs_cpu = c.clone(gs_start), &gs_gpu = c.clone(gs_start);
  Tensor &gb_cpu = c.clone(gb_start), &gb_gpu = c.clone(gb_start);
  Tensor &dx_cpu = c.blank(), &dx_gpu = c.blank();
  c.cpu.batch_norm_backward(true, x, dy, scale, m_cpu, inv_cpu, &dx_cpu, &gs_cpu, &gb_cpu);
  c.gpu->batch_norm_backward(true, x, dy, scale, m_cpu, inv_cpu, &dx_gpu, &gs_gpu, &gb_gpu);
  std::vector<double> sum_dy(static_cast<size_t>(channels)), sum_dy_xhat(static_cast<size_t>(channels));
  auto x_hat = [&, channel_of](int64_t i) {
    const auto ch = static_cast<int64_t>(channel_of(i));
    return (x[i] - static_cast<double>(m_cpu[ch])) * inv_cpu[ch];
  };
  for (int64_t i = 0; i < x.size(); ++i) {
    sum_dy[channel_of(i)] += std::fabs(dy[i]);
    sum_dy_xhat[channel_of(i)] += std::fabs(dy[i] * x_hat(i));
  }
  c.expect_sum(name + " grad scale", gs_cpu, gs_gpu, c.computed({channels}, [&](int64_t ch) {
    return sum_dy_xhat[static_cast<size_t>(ch)] + std::fabs(gs_start[ch]);
  }), n + 3);
  c.expect_sum(name + " grad shift", gb_cpu, gb_gpu, c.computed({channels}, [&](int64_t ch) {
    return sum_dy[static_cast<size_t>(ch)] + std::fabs(gb_start[ch]);
  }), n);
  Check& dx = c.expect(name + " grad input", dx_cpu, dx_gpu);
  dx.bounds = &c.computed(shape, [&, channel_of, x_hat](int64_t i) {
    const size_t k = channel_of(i);
    const auto ch = static_cast<int64_t>(k);
    return 2 * gamma_bound(n + 16) * std::fabs(scale[ch]) * inv_cpu[ch] *
           (std::fabs(dy[i]) + (sum_dy[k] + std::fabs(x_hat(i)) * sum_dy_xhat[k]) / n);
  });
  dx.bound = "2 gamma(n + 16) |scale| inverse_std (|dy| + (sum|dy| + |x_hat| sum|dy x_hat|) / n)";
}

// Dropout: the mask from the same counter-based stream, compared bit for bit (at a
// position whose low word carries over, so the GPU's 64-bit add is exercised), then
// the layer's product both ways.
void check_dropout(OpChecks& c) {
  for (const double p : {0.5, 0.1, 0.3}) {
    const int64_t n = c.pick(1, 2500);
    const uint64_t position = p == 0.3 ? 0xffffff00ULL + c.rng.next_below(512) : c.rng.next_below(1 << 20);
    const uint64_t stream = c.rng.next_u64();
    const float keep_scale = static_cast<float>(1.0 / (1.0 - p));
    Tensor &mask_cpu = c.tensors.emplace_back(Shape{n}), &mask_gpu = c.tensors.emplace_back(Shape{n});
    c.cpu.dropout_mask(stream, position, p, keep_scale, mask_cpu);
    c.gpu->dropout_mask(stream, position, p, keep_scale, mask_gpu);
    const std::string name = "dropout(p " + std::to_string(p).substr(0, 3) + ", at " + std::to_string(position) + ")[" +
                             std::to_string(n) + "]";
    c.expect(name + " mask", mask_cpu, mask_gpu).bound = "exact (the same 53 bits against ceil(p 2^53))";
    Tensor& x = c.make({n});
    Tensor &y_cpu = c.blank(), &y_gpu = c.blank();
    c.cpu.multiply(x, mask_cpu, y_cpu);
    c.gpu->multiply(x, mask_gpu, y_gpu);
    c.expect(name + " forward", y_cpu, y_gpu).bound = "exact (one correctly rounded product)";
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
  for (uint32_t r = 0; r < rounds; ++r) check_batch_norm(*op_checks);
  check_dropout(*op_checks);
  check_activations(*op_checks);
  check_elementwise(*op_checks);
  check_losses(*op_checks);
  check_optimisers(*op_checks);
  const Status status = op_checks->gpu->submit();
  return status.is_ok() ? "" : status.message();
}

// JSON: [{op, shape, bound, ratio, difference, largest}] once the downloads are done;
// ratio is the largest |gpu - cpu| over the bound of that element (<= 1 passes; an
// exact op's ratio is 0 or 1e300).
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
      const double value = std::fabs(static_cast<double>(cpu[j]));
      double tolerance = 0;
      if (check.magnitude != nullptr) {
        tolerance = 2.0 * gamma_bound(check.terms + 1) * (*check.magnitude)[j];
      } else if (check.mean_of_terms) {  // a mean of terms summed in float32 on the GPU, double on the CPU
        tolerance = gamma_bound(check.terms) * value * 4.0 + 1e-5 * value;
      } else {
        tolerance = check.ulps * kUnit * value + check.absolute + check.of_largest * largest;
        if (check.scale != nullptr) tolerance += check.ulps_of_scale * kUnit * (*check.scale)[j];
        if (check.bounds != nullptr) tolerance += (*check.bounds)[j];
      }
      // No bound: bit-equal (the ratio is 0 or "infinite").
      if (tolerance == 0) tolerance = 1e-300;
      const double ratio = std::isnan(difference) ? 1e30 : difference / tolerance;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        worst_difference = difference;
      }
    }
    if (!same_size) worst_ratio = 1e30;
    json << (i ? "," : "") << R"({"op":")" << check.op << R"(","shape":")" << check.shape << R"(","bound":")"
         << check.bound << R"(","ratio":)" << worst_ratio << R"(,"difference":)" << worst_difference << R"(,"largest":)" << largest << "}";
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
// on small data, the device's steps split at their wait (begin_step / finish_step), two
// in flight, and its validation run on the device, read back once. Model "conv": the
// trainer's Conv1d stack; "batch_norm_dropout": Conv1d, BatchNorm1d, ReLU, Dropout,
// pooling, twice, then Dropout before the head, so both layers train on the device
// (BatchNorm's statistics and running averages, Dropout's masks from the same stream).
struct TrainerRun {
  TrainingData data;
  TrainOptions options;
  nn::LayerPtr cpu_model, gpu_model;
  std::unique_ptr<Trainer> cpu, gpu;
  EpochRecord cpu_epoch, gpu_epoch;
  bool gpu_done = false;
  int most_in_flight = 0;  // the most steps seen pending at once
};
std::unique_ptr<TrainerRun> trainer_run;

std::string json_of(const Trainer& trainer, const EpochRecord& record, const std::vector<nn::Tensor>& buffers) {
  std::ostringstream json;
  json.precision(9);
  json << R"({"losses":[)";
  for (size_t i = 0; i < trainer.state().step_losses.size(); ++i) json << (i ? "," : "") << trainer.state().step_losses[i];
  json << R"(],"validation_loss":)" << record.validation_loss.value_or(-1.0) << R"(,"outputs":[)";
  const Tensor& outputs = trainer.validation_outputs();
  for (int64_t i = 0; i < outputs.size(); ++i) json << (i ? "," : "") << outputs[i];
  json << R"(],"buffers":[)";
  bool first = true;
  for (const nn::Tensor& b : buffers) {
    for (int64_t i = 0; i < b.size(); ++i, first = false) json << (first ? "" : ",") << b[i];
  }
  json << "]";
  for (const MetricValue& m : record.validation) json << R"(,")" << m.name << R"(":)" << m.value;
  json << "}";
  return json.str();
}

// The small model with BatchNorm1d and Dropout, as a description (model.h).
Result<nn::LayerPtr> batch_norm_dropout_model(uint64_t seed) {
  // No bias before BatchNorm (as is usual): its gradient is zero but for rounding, which
  // Adam's first steps would blow up to +-lr with a sign the summation order picks.
  const nlohmann::json conv = {{"kind", "Conv1d"}, {"in_channels", 4},  {"out_channels", 8}, {"kernel_size", 5},
                               {"stride", 1},      {"dilation", 1},     {"bias", false},     {"padding", "same"}};
  nlohmann::json conv2 = conv;
  conv2["in_channels"] = 8;
  const nlohmann::json norm = {{"kind", "BatchNorm1d"}, {"num_features", 8}, {"eps", 1e-5}, {"momentum", 0.1}};
  const nlohmann::json pool = {{"kind", "MaxPool1d"}, {"kernel_size", 2}, {"stride", 2}};
  const nlohmann::json layers = nlohmann::json::array(
      {conv, norm, {{"kind", "ReLU"}}, {{"kind", "Dropout"}, {"p", 0.2}}, pool, conv2, norm, {{"kind", "ReLU"}}, pool,
       {{"kind", "GlobalAvgPool1d"}}, {{"kind", "Dropout"}, {"p", 0.1}},
       {{"kind", "Linear"}, {"in_features", 8}, {"out_features", 1}, {"bias", true}}});
  EPIBOOK_ASSIGN_OR_RETURN(auto model, nn::sequential_from_description({{"kind", "Sequential"}, {"layers", layers}}, seed));
  return nn::LayerPtr(std::move(model));
}

std::string start_trainer_run(const std::string& model) {
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
  Result<nn::LayerPtr> cpu_model = invalid_argument("no model " + model);
  Result<nn::LayerPtr> gpu_model = invalid_argument("no model " + model);
  if (model == "conv") {
    cpu_model = build_model(r.options.model, Shape{1, 4, length}, Shape{1, 1}, 3);
    gpu_model = build_model(r.options.model, Shape{1, 4, length}, Shape{1, 1}, 3);
  } else if (model == "batch_norm_dropout") {
    cpu_model = batch_norm_dropout_model(3);
    gpu_model = batch_norm_dropout_model(3);
  }
  if (!cpu_model.is_ok()) return cpu_model.status().message();
  if (!gpu_model.is_ok()) return gpu_model.status().message();
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
  if (t.step_pending() || t.can_begin_step()) {
    while (t.can_begin_step()) {
      if (const Status s = t.begin_step(); !s.is_ok()) return s.message();
    }
    r.most_in_flight = std::max(r.most_in_flight, static_cast<int>(t.steps_pending()));
    auto loss = t.finish_step();
    if (!loss.is_ok()) return loss.status().message();
    return "wait";
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
  std::vector<nn::Tensor> cpu_buffers;
  for (nn::Buffer* b : r.cpu_model->buffers()) cpu_buffers.push_back(b->value);
  // The device's running averages as its last snapshot brought them back (the epoch's
  // last step carries one): what a lost device would go on from.
  return R"({"cpu":)" + json_of(*r.cpu, r.cpu_epoch, cpu_buffers) + R"(,"gpu":)" +
         json_of(*r.gpu, r.gpu_epoch, r.gpu->host_snapshot().buffers) +
         R"(,"most_in_flight":)" + std::to_string(r.most_in_flight) + "}";
}

// ---- How much of a device step is spent waiting for its read back: a Trainer on the
// benchmark CNN's layers, driven as a lab drives it (do what can be done, then yield
// until the next frame), with 1 or 2 steps in flight; the page times the yields.
struct Pipeline {
  TrainingData data;
  TrainOptions options;
  nn::LayerPtr model;
  std::unique_ptr<Trainer> trainer;
  uint64_t losses = 0;
};
std::unique_ptr<Pipeline> pipeline;

std::string start_pipeline(int steps_in_flight, int channels, int batch, int length) {
  auto gpu = WebGpuBackend::create();
  if (!gpu.is_ok()) return gpu.status().message();
  pipeline = std::make_unique<Pipeline>();
  Pipeline& p = *pipeline;
  const int64_t rows = static_cast<int64_t>(batch) * 64;
  CounterRng rng(11);
  p.data.inputs.resize_zeroed({rows, 4, length});
  p.data.targets.resize({rows, 1});
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t i = 0; i < length; ++i) p.data.inputs.at(n, static_cast<int64_t>(rng.next_below(4)), i) = 1.0f;
    p.data.targets[n] = static_cast<float>(rng.next_below(2));
    p.data.split.push_back(0);
  }
  p.options.data.dir = "pipeline";
  p.options.model.conv_layers = 4;
  p.options.model.channels = channels;
  p.options.model.kernel_size = 9;
  p.options.loss = "bce";
  p.options.batch_size = static_cast<uint32_t>(batch);
  p.options.epochs = 1;
  auto model = build_model(p.options.model, Shape{1, 4, length}, Shape{1, 1}, 1);
  if (!model.is_ok()) return model.status().message();
  p.model = std::move(*model);
  auto trainer = Trainer::create(*p.model, p.data, p.options, std::move(*gpu));
  if (!trainer.is_ok()) return trainer.status().message();
  p.trainer = std::move(*trainer);
  p.trainer->set_steps_in_flight(static_cast<uint64_t>(steps_in_flight));
  return "";
}

// Begins what may begin and takes the losses that have landed: the number of losses
// taken so far, or -1 on a failure.
int advance_pipeline() {
  Trainer& t = *pipeline->trainer;
  while (t.can_begin_step()) {
    if (!t.begin_step().is_ok()) return -1;
  }
  while (t.step_pending()) {
    auto loss = t.finish_step();
    if (!loss.is_ok()) return -1;
    if (!loss->has_value()) break;
    ++pipeline->losses;
    while (t.can_begin_step()) {
      if (!t.begin_step().is_ok()) return -1;
    }
  }
  return static_cast<int>(pipeline->losses);
}

// The losses taken so far, as JSON [..] (the same bits whatever the steps in flight).
std::string pipeline_losses() {
  std::ostringstream json;
  json.precision(9);
  json << "[";
  const std::vector<double>& losses = pipeline->trainer->state().step_losses;
  for (size_t i = 0; i < losses.size(); ++i) json << (i ? "," : "") << losses[i];
  json << "]";
  return json.str();
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
  emscripten::function("startPipeline", &epibook::gpu::start_pipeline);
  emscripten::function("advancePipeline", &epibook::gpu::advance_pipeline);
  emscripten::function("pipelineLosses", &epibook::gpu::pipeline_losses);
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
