// The CPU backend's Conv1D kernels against each other and against threads: the direct
// stride-1 kernels must equal the im2col + GEMM reference (to float rounding) on every
// geometry the book uses and on awkward ones (tails of tiles, channel counts that are
// not multiples of 8 or 16, dilation, even kernels); and any thread count must give
// the same bits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "epibook/nn.h"
#include "unit/nn_gradient_check.h"

namespace epibook::nn {
namespace {

using testing::random_tensor;

struct ConvResults {
  Tensor output, grad_input, grad_weight, grad_bias;
};

ConvResults run_conv(CpuBackend& backend, const Conv1dGeometry& g, const Tensor& input, const Tensor& weight,
                     const Tensor& bias, uint64_t seed) {
  ConvResults results;
  backend.conv1d_forward(g, input, weight, &bias, results.output);
  const Tensor upstream = random_tensor(results.output.shape(), seed);
  results.grad_weight = Tensor(weight.shape(), 0.5f);  // gradients accumulate onto what is there
  results.grad_bias = Tensor(bias.shape(), -0.25f);
  backend.conv1d_backward(g, input, weight, upstream, &results.grad_input, &results.grad_weight, &results.grad_bias);
  return results;
}

double largest_relative_difference(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double largest = 0.0;
  for (int64_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    largest = std::max(largest, std::fabs(static_cast<double>(a[i]) - b[i]) / std::max(1.0, std::fabs(double(b[i]))));
  }
  return largest;
}

bool bit_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.values().begin(), a.values().end(), b.values().begin(),
                                              [](float x, float y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

TEST(NnLayerConvKernels, DirectKernels_EqualIm2colReference_OnAwkwardGeometries) {
  const Conv1dGeometry geometries[] = {
      {4, 64, 9, 1, 1, 4, 4},    // the first layer of the benchmark CNN
      {64, 64, 9, 1, 1, 4, 4},   // its inner layers
      {5, 13, 4, 1, 3, 4, 5},    // even kernel, dilated, 'same', odd channels
      {17, 3, 3, 1, 1, 0, 0},    // valid
      {3, 20, 1, 1, 1, 0, 0},    // pointwise
      {6, 33, 5, 1, 2, 1, 7},    // asymmetric padding
  };
  const int64_t lengths[] = {1000, 100, 61, 49, 47, 30};
  CpuBackend direct(1);
  CpuBackend reference(1);
  reference.set_direct_kernels(false);
  for (size_t i = 0; i < std::size(geometries); ++i) {
    SCOPED_TRACE("geometry " + std::to_string(i));
    const Conv1dGeometry& g = geometries[i];
    const int64_t batch = i == 0 ? 3 : 5;
    const Tensor input = random_tensor({batch, g.in_channels, lengths[i]}, 100 + i);
    const Tensor weight = random_tensor({g.out_channels, g.in_channels, g.kernel_size}, 200 + i);
    const Tensor bias = random_tensor({g.out_channels}, 300 + i);
    const ConvResults ours = run_conv(direct, g, input, weight, bias, 400 + i);
    const ConvResults theirs = run_conv(reference, g, input, weight, bias, 400 + i);
    EXPECT_LT(largest_relative_difference(ours.output, theirs.output), 2e-5);
    EXPECT_LT(largest_relative_difference(ours.grad_input, theirs.grad_input), 2e-5);
    EXPECT_LT(largest_relative_difference(ours.grad_weight, theirs.grad_weight), 5e-5);
    EXPECT_LT(largest_relative_difference(ours.grad_bias, theirs.grad_bias), 1e-6);
  }
}

TEST(NnLayerConvKernels, OneAndThreeThreads_GiveTheSameBits) {
  const Conv1dGeometry direct_geometry{8, 24, 9, 1, 1, 4, 4};
  const Conv1dGeometry strided_geometry{8, 12, 5, 2, 1, 0, 0};
  for (const Conv1dGeometry& g : {direct_geometry, strided_geometry}) {
    const Tensor input = random_tensor({13, g.in_channels, 200}, 1);
    const Tensor weight = random_tensor({g.out_channels, g.in_channels, g.kernel_size}, 2);
    const Tensor bias = random_tensor({g.out_channels}, 3);
    CpuBackend one(1);
    CpuBackend three(3);
    const ConvResults a = run_conv(one, g, input, weight, bias, 4);
    const ConvResults b = run_conv(three, g, input, weight, bias, 4);
    EXPECT_TRUE(bit_equal(a.output, b.output));
    EXPECT_TRUE(bit_equal(a.grad_input, b.grad_input));
    EXPECT_TRUE(bit_equal(a.grad_weight, b.grad_weight));
    EXPECT_TRUE(bit_equal(a.grad_bias, b.grad_bias));
  }
}

TEST(NnLayerConvKernels, ReadsNothingOutsideTheInput_WhenTilesOverhang) {
  // 49 positions = one full 48-column tile and one column in the next; ASan checks the reads.
  CpuBackend backend(1);
  const Conv1dGeometry g{2, 9, 3, 1, 1, 1, 1};
  const Tensor input = random_tensor({1, 2, 49}, 5);
  const Tensor weight = random_tensor({9, 2, 3}, 6);
  const Tensor bias = random_tensor({9}, 7);
  const ConvResults results = run_conv(backend, g, input, weight, bias, 8);
  double expected = bias[8];
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t k = 0; k < 2; ++k) expected += weight[(8 * 2 + c) * 3 + k] * input.at(0, c, 47 + k);
  }
  EXPECT_NEAR(results.output.at(0, 8, 48), expected, 1e-5);
}

}  // namespace
}  // namespace epibook::nn
