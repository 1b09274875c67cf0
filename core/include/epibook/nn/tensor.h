// The array every layer reads and writes: float32, row-major, with PyTorch's axis
// order ([batch, channels, length] for sequence activations, Conv1d weights
// [out, in, kernel]) so weights move between epibook and PyTorch without reordering.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace epibook::nn {

// The extent of each axis, at most four axes; small and allocation-free so the hot
// loop can reshape freely.
class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);

  int rank() const { return rank_; }
  int64_t operator[](int axis) const { return dims_[static_cast<size_t>(axis)]; }
  int64_t& operator[](int axis) { return dims_[static_cast<size_t>(axis)]; }
  // Product of all extents (1 for a rank-0 shape).
  int64_t elements() const;
  std::span<const int64_t> dims() const { return {dims_.data(), static_cast<size_t>(rank_)}; }
  std::vector<uint64_t> as_npy_shape() const;
  // "[64, 4, 1000]", for error messages.
  std::string text() const;

  bool operator==(const Shape& other) const;
  bool operator!=(const Shape& other) const { return !(*this == other); }

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

// Storage for tensors and scratch: aligned to 64 bytes (a cache line, one AVX-512
// vector) through the aligned operator new, and growing without zero-filling (a
// resize leaves new elements unspecified; Tensor's constructors fill).
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlignment); }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;  // default-initialised: no zero fill on growth
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const { return true; }
};

// A tensor's copy in a device backend's memory (a GPU buffer). Only the backend that
// made it reads it (by downcasting); destroying it gives the memory back to that backend.
class DeviceCopy {
 public:
  virtual ~DeviceCopy() = default;
};

// Where a tensor's device copy is held. Copying a tensor copies its host values only
// (the copy has no device copy yet); moving it moves the device copy along.
class DeviceSlot {
 public:
  DeviceSlot() = default;
  DeviceSlot(const DeviceSlot&) {}
  DeviceSlot& operator=(const DeviceSlot&) {
    copy.reset();
    return *this;
  }
  DeviceSlot(DeviceSlot&&) noexcept = default;
  DeviceSlot& operator=(DeviceSlot&&) noexcept = default;
  std::unique_ptr<DeviceCopy> copy;
};

// Host values, plus a device copy when a device backend has touched the tensor. For the
// CPU backend the host values are the tensor. For a device backend (backend.h) the
// device copy is current once made: host values change there only by download, and a
// host write must be followed by the backend's upload().
class Tensor {
 public:
  Tensor() = default;
  // Zero-filled.
  explicit Tensor(const Shape& shape);
  Tensor(const Shape& shape, float fill);
  // Takes `values` (row-major); their count must equal shape.elements().
  static Tensor from_values(const Shape& shape, std::vector<float> values);

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int axis) const { return shape_[axis]; }
  int64_t size() const { return static_cast<int64_t>(values_.size()); }
  bool empty() const { return values_.empty(); }

  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  std::span<float> values() { return {values_.data(), values_.size()}; }
  std::span<const float> values() const { return {values_.data(), values_.size()}; }
  float& operator[](int64_t i) { return values_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return values_[static_cast<size_t>(i)]; }
  // Element of a rank-3 tensor [n, c, l].
  float& at(int64_t n, int64_t c, int64_t l) { return values_[static_cast<size_t>((n * shape_[1] + c) * shape_[2] + l)]; }
  float at(int64_t n, int64_t c, int64_t l) const { return values_[static_cast<size_t>((n * shape_[1] + c) * shape_[2] + l)]; }

  // Changes the shape; storage is reused when large enough (no allocation in a
  // training loop whose shapes repeat) and never zero-filled: contents are unspecified
  // afterwards.
  void resize(const Shape& shape);
  // resize() and fill with zeros.
  void resize_zeroed(const Shape& shape);
  // Same elements, new shape; the element counts must agree.
  void reshape(const Shape& shape);
  void fill(float value);
  void set_zero() { fill(0.0f); }

  // The device copy's slot, for device backends (const tensors get a copy made too).
  DeviceSlot& device() const { return device_; }

 private:
  Shape shape_;
  std::vector<float, AlignedAllocator<float>> values_;
  mutable DeviceSlot device_;
};

}  // namespace epibook::nn
