// Eigen's matrix products, included through here by the files that instantiate them,
// and the Eigen views of a tensor's values they work on. Private to the core: Eigen
// stays out of the public headers (nn/tensor.h), so code that binds them needs no Eigen.
// GCC 12 reports a false "may be used uninitialized" inside Eigen's AVX-512 packing
// code (its unpack intrinsics); the warning is about Eigen's header, not our code.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/Core>

#include "epibook/nn/tensor.h"

namespace epibook::nn {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixView = Eigen::Map<RowMatrix>;
using ConstMatrixView = Eigen::Map<const RowMatrix>;
using VectorView = Eigen::Map<Eigen::VectorXf>;
using ConstVectorView = Eigen::Map<const Eigen::VectorXf>;

// The tensor as a matrix of [dim(0), size / dim(0)] (a rank-0 or rank-1 tensor is one row).
inline Eigen::Index matrix_rows(const Tensor& t) { return t.rank() <= 1 ? 1 : t.dim(0); }
inline MatrixView matrix_view(Tensor& t) {
  const Eigen::Index rows = matrix_rows(t);
  return {t.data(), rows, rows == 0 ? 0 : static_cast<Eigen::Index>(t.size() / rows)};
}
inline ConstMatrixView matrix_view(const Tensor& t) {
  const Eigen::Index rows = matrix_rows(t);
  return {t.data(), rows, rows == 0 ? 0 : static_cast<Eigen::Index>(t.size() / rows)};
}
// All of the tensor's values as one vector.
inline VectorView vector_view(Tensor& t) { return {t.data(), static_cast<Eigen::Index>(t.size())}; }
inline ConstVectorView vector_view(const Tensor& t) { return {t.data(), static_cast<Eigen::Index>(t.size())}; }

}  // namespace epibook::nn
