// Every direct Conv1D kernel path this machine can run (AVX-512, AVX2 + FMA, the
// portable baseline; in WebAssembly, wasm-simd128) against a scalar loop that sums in
// the kernels' own order: to the bit, with std::fma for the paths that fuse and multiply
// then add for those that do not. Then every path against the exact sum (in double),
// within the float32 bound that holds for any order, so the paths agree with each other
// within twice that bound. Also the choice itself: EPIBOOK_CONV_KERNELS forces a path,
// and a name this CPU cannot run is an error that says which paths it has.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "epibook/nn.h"
#include "epibook/train.h"
#include "unit/nn_gradient_check.h"
#include "unit/train_dataset_fixture.h"

namespace epibook::nn {
namespace {

using testing::random_tensor;

// Paths whose multiply-add is one rounding (fused): the scalar loop uses std::fma.
bool fuses(const std::string& path) { return path == "avx512" || path == "avx2"; }

float multiply_add(bool fused, float a, float b, float c) { return fused ? std::fma(a, b, c) : a * b + c; }

// Higham's gamma_n = n u / (1 - n u), u = 2^-24: a float32 sum of n terms (products
// included, each rounded once) in any order is within gamma_n * sum |term| of the exact sum.
double gamma(int64_t n) {
  const double u = std::ldexp(1.0, -24);
  return n * u / (1.0 - n * u);
}

struct ConvCase {
  Conv1dGeometry g;
  int64_t batch;
  int64_t length;
};

struct ConvResults {
  Tensor output, grad_input, grad_weight, grad_bias;
};

// What a kernel path computes, element by element, in its order: the forward sums
// start from zero, go over input channels then taps (padding reads zeros), then add the
// bias; input gradients are the same over the flipped weights; weight gradients add a
// chunk of 4 samples' positions in order onto zero, then the chunks in order onto the
// gradient that was there. `exact` gets the same sums in double, `scale` the sums of
// |term| (for the bound).
struct Expected {
  ConvResults values;
  std::vector<double> exact_output, scale_output, exact_input, scale_input, exact_weight, scale_weight;
};

Expected scalar_conv(const ConvCase& c, bool fused, const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& upstream, const Tensor& weight_before, const Tensor& bias_before) {
  const Conv1dGeometry& g = c.g;
  const int64_t n_batch = c.batch, length = c.length, K = g.kernel_size, d = g.dilation;
  const int64_t out_length = g.output_length(length);
  Expected e;
  e.values.output = Tensor({n_batch, g.out_channels, out_length});
  e.exact_output.assign(e.values.output.size(), 0.0);
  e.scale_output.assign(e.values.output.size(), 0.0);
  auto in_at = [&](int64_t n, int64_t ch, int64_t p) { return p < 0 || p >= length ? 0.0f : input.at(n, ch, p); };
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t o = 0; o < g.out_channels; ++o) {
      for (int64_t j = 0; j < out_length; ++j) {
        float acc = 0.0f;
        double exact = bias[o], scale = std::fabs(bias[o]);
        for (int64_t ch = 0; ch < g.in_channels; ++ch) {
          for (int64_t k = 0; k < K; ++k) {
            const float w = weight[(o * g.in_channels + ch) * K + k];
            const float x = in_at(n, ch, j + k * d - g.padding_left);
            acc = multiply_add(fused, w, x, acc);
            exact += double{w} * x;
            scale += std::fabs(double{w} * x);
          }
        }
        const int64_t at = (n * g.out_channels + o) * out_length + j;
        e.values.output[at] = acc + bias[o];
        e.exact_output[at] = exact;
        e.scale_output[at] = scale;
      }
    }
  }
  // Input gradient: dx[c][i] = sum_{o, k} W[o][c][K-1-k] * dy[o][i + k d - (span - pl)].
  const int64_t shift = d * (K - 1) - g.padding_left;
  auto dy_at = [&](int64_t n, int64_t o, int64_t p) {
    return p < 0 || p >= out_length ? 0.0f : upstream.at(n, o, p);
  };
  e.values.grad_input = Tensor(input.shape());
  e.exact_input.assign(input.size(), 0.0);
  e.scale_input.assign(input.size(), 0.0);
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t ch = 0; ch < g.in_channels; ++ch) {
      for (int64_t i = 0; i < length; ++i) {
        float acc = 0.0f;
        double exact = 0.0, scale = 0.0;
        for (int64_t o = 0; o < g.out_channels; ++o) {
          for (int64_t k = 0; k < K; ++k) {
            const float w = weight[(o * g.in_channels + ch) * K + (K - 1 - k)];
            const float y = dy_at(n, o, i + k * d - shift);
            acc = multiply_add(fused, w, y, acc);
            exact += double{w} * y;
            scale += std::fabs(double{w} * y);
          }
        }
        const int64_t at = (n * g.in_channels + ch) * length + i;
        e.values.grad_input[at] = acc;
        e.exact_input[at] = exact;
        e.scale_input[at] = scale;
      }
    }
  }
  // Weight and bias gradients, in chunks of 4 samples (the backend's kSamplesPerChunk).
  constexpr int64_t kChunk = 4;
  const int64_t chunks = (n_batch + kChunk - 1) / kChunk;
  e.values.grad_weight = weight_before;
  e.exact_weight.assign(weight.size(), 0.0);
  e.scale_weight.assign(weight.size(), 0.0);
  for (int64_t o = 0; o < g.out_channels; ++o) {
    for (int64_t ch = 0; ch < g.in_channels; ++ch) {
      for (int64_t k = 0; k < K; ++k) {
        const int64_t at = (o * g.in_channels + ch) * K + k;
        float total = weight_before[at];
        double exact = total, scale = std::fabs(total);
        for (int64_t chunk = 0; chunk < chunks; ++chunk) {
          float partial = 0.0f;
          for (int64_t n = chunk * kChunk; n < std::min(n_batch, (chunk + 1) * kChunk); ++n) {
            for (int64_t j = 0; j < out_length; ++j) {
              const float x = in_at(n, ch, j + k * d - g.padding_left);
              partial = multiply_add(fused, upstream.at(n, o, j), x, partial);
              exact += double{upstream.at(n, o, j)} * x;
              scale += std::fabs(double{upstream.at(n, o, j)} * x);
            }
          }
          total += partial;
        }
        e.values.grad_weight[at] = total;
        e.exact_weight[at] = exact;
        e.scale_weight[at] = scale;
      }
    }
  }
  e.values.grad_bias = bias_before;
  for (int64_t o = 0; o < g.out_channels; ++o) {
    double sum = 0.0;
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      double partial = 0.0;
      for (int64_t n = chunk * kChunk; n < std::min(n_batch, (chunk + 1) * kChunk); ++n) {
        double sample = 0.0;
        for (int64_t j = 0; j < out_length; ++j) sample += upstream.at(n, o, j);
        partial += sample;
      }
      sum += partial;
    }
    e.values.grad_bias[o] += static_cast<float>(sum);
  }
  return e;
}

// Index of the first element whose bits differ, or -1.
int64_t first_difference(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    const float x = a[i], y = b[i];
    if (std::memcmp(&x, &y, sizeof x) != 0) return i;
  }
  return -1;
}

// Largest |computed - exact| / (gamma_n * scale) over the tensor: at most 1 within the bound.
double worst_against_bound(const Tensor& computed, const std::vector<double>& exact,
                           const std::vector<double>& scale, int64_t terms) {
  double worst = 0.0;
  for (int64_t i = 0; i < computed.size(); ++i) {
    const double allowed = gamma(terms) * scale[i] + 1e-30;
    worst = std::max(worst, std::fabs(computed[i] - exact[i]) / allowed);
  }
  return worst;
}

const ConvCase kCases[] = {
    {{64, 64, 9, 1, 1, 4, 4}, 5, 100},   // the benchmark CNN's inner layer, a short window
    {{4, 64, 9, 1, 1, 4, 4}, 3, 97},     // its first layer; 97 leaves a tail in every tile width
    {{5, 13, 4, 1, 3, 4, 5}, 5, 61},     // even kernel, dilated, 'same', odd channels
    {{17, 3, 3, 1, 1, 0, 0}, 6, 49},     // valid; 47 outputs: one short of a 48-wide tile
    {{6, 33, 5, 1, 2, 1, 7}, 9, 30},     // asymmetric padding, 33 channels (tails of 6, 8, 16)
    {{2, 9, 3, 1, 1, 1, 1}, 1, 49},      // one column past a 48-wide tile (ASan checks the reads)
};

TEST(ConvKernelPaths, TheBaselineIsAlwaysThere_AndFastestComesFirst) {
  const std::vector<std::string> paths = conv_kernel_paths();
  ASSERT_FALSE(paths.empty());
#if defined(__wasm_simd128__)
  EXPECT_EQ(paths, std::vector<std::string>{"wasm-simd128"});
#else
  EXPECT_EQ(paths.back(), "baseline");
  const std::vector<std::string> order{"avx512", "avx2", "baseline"};
  size_t last = 0;
  for (const std::string& path : paths) {
    const size_t at = std::find(order.begin(), order.end(), path) - order.begin();
    ASSERT_LT(at, order.size()) << path;
    EXPECT_GE(at, last) << "paths out of order";
    last = at;
  }
#endif
  CpuBackend backend(1);
  if (std::getenv("EPIBOOK_CONV_KERNELS") == nullptr) {
    EXPECT_EQ(backend.conv_kernels(), paths.front());
  }
}

TEST(ConvKernelPaths, EveryPath_EqualsTheScalarLoopInItsOrder_ToTheBit) {
  for (const std::string& path : conv_kernel_paths()) {
    CpuBackend backend(2);
    ASSERT_TRUE(backend.use_conv_kernels(path).is_ok());
    for (size_t i = 0; i < std::size(kCases); ++i) {
      SCOPED_TRACE(path + ", case " + std::to_string(i));
      const ConvCase& c = kCases[i];
      const Conv1dGeometry& g = c.g;
      const Tensor input = random_tensor({c.batch, g.in_channels, c.length}, 100 + i);
      const Tensor weight = random_tensor({g.out_channels, g.in_channels, g.kernel_size}, 200 + i);
      const Tensor bias = random_tensor({g.out_channels}, 300 + i);
      const Tensor upstream = random_tensor({c.batch, g.out_channels, g.output_length(c.length)}, 400 + i);
      const Tensor weight_before = random_tensor(weight.shape(), 500 + i, -0.5f, 0.5f);
      const Tensor bias_before = random_tensor(bias.shape(), 600 + i, -0.5f, 0.5f);
      ConvResults got;
      backend.conv1d_forward(g, input, weight, &bias, got.output);
      got.grad_weight = weight_before;
      got.grad_bias = bias_before;
      backend.conv1d_backward(g, input, weight, upstream, &got.grad_input, &got.grad_weight, &got.grad_bias);
      const Expected e = scalar_conv(c, fuses(path), input, weight, bias, upstream, weight_before, bias_before);
      EXPECT_EQ(first_difference(got.output, e.values.output), -1) << "forward";
      EXPECT_EQ(first_difference(got.grad_input, e.values.grad_input), -1) << "input gradient";
      EXPECT_EQ(first_difference(got.grad_weight, e.values.grad_weight), -1) << "weight gradient";
      EXPECT_EQ(first_difference(got.grad_bias, e.values.grad_bias), -1) << "bias gradient";

      // Against the exact sums (Higham, dot products: a sum of n products, each rounded
      // once or fused, is within gamma_n * sum |term| in any order). n counts the
      // products, plus the bias, or plus the starting gradient and one addition per chunk.
      const int64_t forward_terms = g.in_channels * g.kernel_size + 1;
      const int64_t input_terms = g.out_channels * g.kernel_size;
      const int64_t weight_terms = c.batch * g.output_length(c.length) + 1 + (c.batch + 3) / 4;
      EXPECT_LE(worst_against_bound(got.output, e.exact_output, e.scale_output, forward_terms), 1.0);
      EXPECT_LE(worst_against_bound(got.grad_input, e.exact_input, e.scale_input, input_terms), 1.0);
      EXPECT_LE(worst_against_bound(got.grad_weight, e.exact_weight, e.scale_weight, weight_terms), 1.0);
    }
  }
}

TEST(ConvKernelPaths, FusedPathsAgreeToTheBit_AndUnfusedWithinTheStatedBound) {
  const std::vector<std::string> paths = conv_kernel_paths();
  const ConvCase& c = kCases[0];
  const Conv1dGeometry& g = c.g;
  const Tensor input = random_tensor({c.batch, g.in_channels, c.length}, 11);
  const Tensor weight = random_tensor({g.out_channels, g.in_channels, g.kernel_size}, 12);
  const Tensor bias = random_tensor({g.out_channels}, 13);
  std::vector<Tensor> outputs;
  for (const std::string& path : paths) {
    CpuBackend backend(1);
    ASSERT_TRUE(backend.use_conv_kernels(path).is_ok());
    outputs.emplace_back();
    backend.conv1d_forward(g, input, weight, &bias, outputs.back());
  }
  for (size_t a = 0; a < paths.size(); ++a) {
    for (size_t b = a + 1; b < paths.size(); ++b) {
      SCOPED_TRACE(paths[a] + " against " + paths[b]);
      if (fuses(paths[a]) == fuses(paths[b])) {
        EXPECT_EQ(first_difference(outputs[a], outputs[b]), -1);
        continue;
      }
      // Each is within gamma_n * sum|w x| of the exact sum, so within twice that of each other.
      double worst = 0.0;
      for (int64_t i = 0; i < outputs[a].size(); ++i) {
        const int64_t o = (i / outputs[a].dim(2)) % g.out_channels;
        const int64_t n = i / (outputs[a].dim(2) * g.out_channels);
        const int64_t j = i % outputs[a].dim(2);
        double scale = std::fabs(bias[o]);
        for (int64_t ch = 0; ch < g.in_channels; ++ch) {
          for (int64_t k = 0; k < g.kernel_size; ++k) {
            const int64_t p = j + k * g.dilation - g.padding_left;
            if (p >= 0 && p < c.length) {
              scale += std::fabs(double{weight[(o * g.in_channels + ch) * g.kernel_size + k]} * input.at(n, ch, p));
            }
          }
        }
        const double allowed = 2.0 * gamma(g.in_channels * g.kernel_size + 1) * scale;
        worst = std::max(worst, std::fabs(double{outputs[a][i]} - outputs[b][i]) / allowed);
      }
      EXPECT_LE(worst, 1.0);
      std::printf("%s against %s: largest difference %.3g of the stated bound\n", paths[a].c_str(), paths[b].c_str(),
                  worst);
    }
  }
}

TEST(ConvKernelPaths, AnUnknownPath_IsRefusedNamingThePathsThisMachineHas) {
  CpuBackend backend(1);
  const std::string before = backend.conv_kernels();
  const Status refused = backend.use_conv_kernels("sse9");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("conv kernels 'sse9': no such path"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find(conv_kernel_paths().back()), std::string::npos) << refused.message();
  EXPECT_EQ(backend.conv_kernels(), before);
}

#if !defined(__EMSCRIPTEN__)
// Restores EPIBOOK_CONV_KERNELS as it was when the test started.
class ConvKernelsVariable : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* value = std::getenv("EPIBOOK_CONV_KERNELS");
    had_ = value != nullptr;
    if (had_) saved_ = value;
  }
  void TearDown() override {
    if (had_) {
      setenv("EPIBOOK_CONV_KERNELS", saved_.c_str(), 1);
    } else {
      unsetenv("EPIBOOK_CONV_KERNELS");
    }
  }
  bool had_ = false;
  std::string saved_;
};

TEST_F(ConvKernelsVariable, ForcesEveryPathThisMachineHas) {
  for (const std::string& path : conv_kernel_paths()) {
    setenv("EPIBOOK_CONV_KERNELS", path.c_str(), 1);
    CpuBackend backend(1);
    EXPECT_TRUE(backend.status().is_ok()) << backend.status().message();
    EXPECT_EQ(backend.conv_kernels(), path);
  }
  setenv("EPIBOOK_CONV_KERNELS", "auto", 1);
  EXPECT_EQ(CpuBackend(1).conv_kernels(), conv_kernel_paths().front());
}

TEST_F(ConvKernelsVariable, APathThisMachineCannotRun_StopsTheTrainerWithAMessage) {
  setenv("EPIBOOK_CONV_KERNELS", "avx1024", 1);
  CpuBackend backend(1);
  ASSERT_FALSE(backend.status().is_ok());
  EXPECT_NE(backend.status().message().find("EPIBOOK_CONV_KERNELS=avx1024: conv kernels 'avx1024': no such path"),
            std::string::npos)
      << backend.status().message();
  EXPECT_EQ(backend.conv_kernels(), conv_kernel_paths().front()) << "it still runs, on the fastest path";

  const epibook::testing::MotifDataset d = epibook::testing::make_motif_dataset(16, 24, 4);
  TrainingData data;
  data.inputs = Tensor::from_values({16, 4, 24}, d.inputs);
  data.targets = Tensor::from_values({16, 1}, d.labels);
  data.split = d.split;
  TrainOptions o = *train_preset("quick");
  o.data.dir = "in-memory";
  o.loss = "bce";
  auto model = build_model(o.model, Shape{1, 4, 24}, Shape{1, 1}, o.seed);
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  auto trainer = Trainer::create(**model, data, o);
  ASSERT_FALSE(trainer.is_ok());
  EXPECT_NE(trainer.status().message().find("EPIBOOK_CONV_KERNELS=avx1024"), std::string::npos)
      << trainer.status().message();
}
#endif

}  // namespace
}  // namespace epibook::nn
