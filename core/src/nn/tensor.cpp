// Tensor and Shape: the storage under every layer. Kept deliberately plain (a vector
// and a shape) so Eigen maps, npy files and PyTorch tensors all see the same bytes.
#include "epibook/nn/tensor.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace epibook::nn {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const int64_t> dims) {
  assert(dims.size() <= static_cast<size_t>(kMaxRank));
  rank_ = static_cast<int>(std::min(dims.size(), static_cast<size_t>(kMaxRank)));
  std::copy_n(dims.begin(), rank_, dims_.begin());
}

int64_t Shape::elements() const {
  int64_t product = 1;
  for (int axis = 0; axis < rank_; ++axis) product *= dims_[static_cast<size_t>(axis)];
  return product;
}

std::vector<uint64_t> Shape::as_npy_shape() const {
  std::vector<uint64_t> shape;
  for (int64_t extent : dims()) shape.push_back(static_cast<uint64_t>(extent));
  return shape;
}

std::string Shape::text() const {
  std::string text = "[";
  for (int axis = 0; axis < rank_; ++axis) {
    if (axis > 0) text += ", ";
    text += std::to_string(dims_[static_cast<size_t>(axis)]);
  }
  return text + "]";
}

bool Shape::operator==(const Shape& other) const {
  return rank_ == other.rank_ && std::equal(dims().begin(), dims().end(), other.dims().begin());
}

Tensor::Tensor(const Shape& shape) : Tensor(shape, 0.0f) {}

Tensor::Tensor(const Shape& shape, float fill) : shape_(shape), values_(static_cast<size_t>(shape.elements()), fill) {}

Tensor Tensor::from_values(const Shape& shape, std::vector<float> values) {
  assert(static_cast<int64_t>(values.size()) == shape.elements());
  Tensor tensor;
  tensor.shape_ = shape;
  tensor.values_.assign(values.begin(), values.end());
  return tensor;
}

void Tensor::resize(const Shape& shape) {
  shape_ = shape;
  values_.resize(static_cast<size_t>(shape.elements()));
}

void Tensor::resize_zeroed(const Shape& shape) {
  resize(shape);
  set_zero();
}

void Tensor::reshape(const Shape& shape) {
  assert(shape.elements() == size());
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(values_.begin(), values_.end(), value); }

}  // namespace epibook::nn
