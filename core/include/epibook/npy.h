// NumPy .npy files (format version 1.0): how datasets leave epibook for numpy and
// PyTorch users, and how tests read them back. C order, little-endian.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// The dtypes epibook writes.
enum class NpyDtype { kFloat32, kFloat64, kInt8, kUint8, kInt32, kInt64 };

// Serialises an array with the given shape; the product of `shape` must equal the
// element count.
std::string npy_bytes(NpyDtype dtype, std::span<const uint64_t> shape, const void* data, size_t elements);

// Only the header of such an array: what a writer streaming the elements after it
// writes first.
std::string npy_header(NpyDtype dtype, std::span<const uint64_t> shape);

Status write_npy(const std::string& path, std::span<const float> data, std::span<const uint64_t> shape);
Status write_npy(const std::string& path, std::span<const double> data, std::span<const uint64_t> shape);
Status write_npy(const std::string& path, std::span<const int8_t> data, std::span<const uint64_t> shape);
Status write_npy(const std::string& path, std::span<const uint8_t> data, std::span<const uint64_t> shape);
Status write_npy(const std::string& path, std::span<const int32_t> data, std::span<const uint64_t> shape);
Status write_npy(const std::string& path, std::span<const int64_t> data, std::span<const uint64_t> shape);

// A parsed .npy file: dtype, shape and the raw little-endian bytes.
struct NpyArray {
  NpyDtype dtype = NpyDtype::kFloat32;
  std::vector<uint64_t> shape;
  std::string bytes;
  uint64_t elements() const;
  std::vector<float> as_float32() const;  // converts any numeric dtype
};
Result<NpyArray> read_npy(const std::string& path);
// Parses the bytes of a .npy file (e.g. one member of an .npz); `source` names it in errors.
Result<NpyArray> parse_npy(const std::string& bytes, const std::string& source);

// Writes `bytes` to `path` via a temporary file and a rename, so a crash never leaves
// a half-written file under the final name.
Status write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace epibook
