// .npy reading and writing (format 1.0), see epibook/npy.h.
#include "epibook/npy.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace epibook {
namespace {

struct DtypeInfo {
  const char* descr;
  size_t size;
};

DtypeInfo info(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::kFloat32: return {"<f4", 4};
    case NpyDtype::kFloat64: return {"<f8", 8};
    case NpyDtype::kInt8: return {"|i1", 1};
    case NpyDtype::kUint8: return {"|u1", 1};
    case NpyDtype::kInt32: return {"<i4", 4};
    case NpyDtype::kInt64: return {"<i8", 8};
  }
  return {"<f4", 4};
}

template <typename T>
Status write_typed(const std::string& path, NpyDtype dtype, std::span<const T> data, std::span<const uint64_t> shape) {
  uint64_t product = 1;
  for (uint64_t d : shape) product *= d;
  if (product != data.size()) {
    return invalid_argument(path + ": shape holds " + std::to_string(product) + " elements but the data has " +
                            std::to_string(data.size()));
  }
  return write_file_atomically(path, npy_bytes(dtype, shape, data.data(), data.size()));
}

}  // namespace

std::string npy_header(NpyDtype dtype, std::span<const uint64_t> shape) {
  std::ostringstream header;
  header << "{'descr': '" << info(dtype).descr << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) header << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
  header << "), }";
  std::string dict = header.str();
  // Magic (6) + version (2) + header length (2) + dict + '\n' must be a multiple of 64.
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>(dict.size() >> 8));
  out += dict;
  return out;
}

std::string npy_bytes(NpyDtype dtype, std::span<const uint64_t> shape, const void* data, size_t elements) {
  std::string out = npy_header(dtype, shape);
  if (elements > 0) out.append(static_cast<const char*>(data), elements * info(dtype).size);
  return out;
}

Status write_npy(const std::string& p, std::span<const float> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kFloat32, d, s); }
Status write_npy(const std::string& p, std::span<const double> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kFloat64, d, s); }
Status write_npy(const std::string& p, std::span<const int8_t> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kInt8, d, s); }
Status write_npy(const std::string& p, std::span<const uint8_t> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kUint8, d, s); }
Status write_npy(const std::string& p, std::span<const int32_t> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kInt32, d, s); }
Status write_npy(const std::string& p, std::span<const int64_t> d, std::span<const uint64_t> s) { return write_typed(p, NpyDtype::kInt64, d, s); }

uint64_t NpyArray::elements() const {
  uint64_t product = 1;
  for (uint64_t d : shape) product *= d;
  return product;
}

std::vector<float> NpyArray::as_float32() const {
  std::vector<float> out(elements());
  const char* p = bytes.data();
  for (size_t i = 0; i < out.size(); ++i) {
    switch (dtype) {
      case NpyDtype::kFloat32: { float v; std::memcpy(&v, p + 4 * i, 4); out[i] = v; break; }
      case NpyDtype::kFloat64: { double v; std::memcpy(&v, p + 8 * i, 8); out[i] = static_cast<float>(v); break; }
      case NpyDtype::kInt8: out[i] = static_cast<int8_t>(p[i]); break;
      case NpyDtype::kUint8: out[i] = static_cast<uint8_t>(p[i]); break;
      case NpyDtype::kInt32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); out[i] = static_cast<float>(v); break; }
      case NpyDtype::kInt64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); out[i] = static_cast<float>(v); break; }
    }
  }
  return out;
}

Result<NpyArray> read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_npy(buffer.str(), path);
}

Result<NpyArray> parse_npy(const std::string& data, const std::string& path) {
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0) return corrupt(path + ": not a .npy file (bad magic)");
  if (data[6] != 1) return unsupported(path + ": .npy format version " + std::to_string(data[6]) + " (only 1.0 is read)");
  const size_t header_len = static_cast<uint8_t>(data[8]) | (static_cast<size_t>(static_cast<uint8_t>(data[9])) << 8);
  if (data.size() < 10 + header_len) return corrupt(path + ": header runs past the end of the file");
  const std::string header = data.substr(10, header_len);
  NpyArray array;
  bool known = false;
  for (NpyDtype d : {NpyDtype::kFloat32, NpyDtype::kFloat64, NpyDtype::kInt8, NpyDtype::kUint8, NpyDtype::kInt32,
                     NpyDtype::kInt64}) {
    if (header.find(std::string("'") + info(d).descr + "'") != std::string::npos) {
      array.dtype = d;
      known = true;
    }
  }
  if (!known) return unsupported(path + ": dtype in '" + header + "' is not one epibook reads");
  if (header.find("'fortran_order': True") != std::string::npos) return unsupported(path + ": Fortran-ordered arrays are not read");
  const size_t open = header.find('('), close = header.find(')');
  if (open == std::string::npos || close == std::string::npos) return corrupt(path + ": no shape in header");
  std::istringstream dims(header.substr(open + 1, close - open - 1));
  std::string token;
  while (std::getline(dims, token, ',')) {
    if (token.find_first_not_of(' ') == std::string::npos) continue;
    const size_t first = token.find_first_not_of(' ');
    uint64_t extent = 0;
    const auto parsed = std::from_chars(token.data() + first, token.data() + token.size(), extent);
    if (parsed.ec != std::errc() || token.find_first_not_of(' ', static_cast<size_t>(parsed.ptr - token.data())) != std::string::npos ||
        extent > (uint64_t{1} << 40)) {
      return corrupt(path + ": bad shape in header '" + header + "'");
    }
    array.shape.push_back(extent);
  }
  // The element count and the byte count, multiplied out as a Tensor's shape is, must fit
  // in 63 bits: a shape whose product wraps would pass the size check below with a
  // wrapped count and hand every caller an array far larger than its bytes.
  int64_t count = 1;
  for (uint64_t extent : array.shape) {
    if (__builtin_mul_overflow(count, static_cast<int64_t>(extent), &count)) {
      return corrupt(path + ": shape in header '" + header + "' has too many elements (their count overflows 64 bits)");
    }
  }
  int64_t needed = 0;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(info(array.dtype).size), &needed)) {
    return corrupt(path + ": shape in header '" + header + "' needs too many bytes (their count overflows 64 bits)");
  }
  array.bytes = data.substr(10 + header_len);
  if (array.bytes.size() != array.elements() * info(array.dtype).size) {
    return corrupt(path + ": holds " + std::to_string(array.bytes.size()) + " data bytes, shape needs " +
                   std::to_string(array.elements() * info(array.dtype).size));
  }
  return array;
}

Status write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return io_error(path + ": cannot open for writing");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return io_error(path + ": write failed (disk full?)");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return io_error(path + ": cannot move the finished file into place");
  }
  return Status::ok();
}

}  // namespace epibook
