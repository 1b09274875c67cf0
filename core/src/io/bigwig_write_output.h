// Private to the bigWig writer: where the bytes go (a temporary file renamed into place
// at the end, or a buffer in memory) and little-endian packing of the file's fields.
// The writer appends sections as items stream in, patches placeholders at the end and
// reads its own data blocks back to build the zoom levels.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "epibook/status.h"

namespace epibook::bigwig_write {

// Appends little-endian fields to a byte string (bigWig is little-endian on disk).
inline void put_u8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
inline void put_u16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void put_f32(std::string& out, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_u32(out, bits);
}
inline void put_f64(std::string& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_u64(out, bits);
}
inline uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint16_t get_u16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}
inline float get_f32(const char* p) {
  const uint32_t bits = get_u32(p);
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// zlib-compresses one data section or zoom block (as every bigWig reader inflates them).
Status compress_block(std::string_view raw, std::string& out);

// The file being written. Appends go to the end; overwrite() patches bytes already
// written (placeholders); read() fetches bytes back.
class OutputTarget {
 public:
  virtual ~OutputTarget() = default;
  virtual Status append(std::string_view bytes) = 0;
  virtual Status overwrite(uint64_t offset, std::string_view bytes) = 0;
  virtual Status read(uint64_t offset, size_t size, std::string& out) = 0;
  virtual uint64_t size() const = 0;
  // Makes the finished file visible under its final name.
  virtual Status commit() = 0;
  // Removes whatever was written (an unfinished or failed file).
  virtual void abandon() = 0;
  virtual const std::string& name() const = 0;
};

// Writes "<path>.partial" and renames it to `path` on commit().
Result<std::unique_ptr<OutputTarget>> open_temporary_file_target(const std::string& path);

// Keeps the file in memory; take_bytes() hands it over after commit().
class MemoryTarget final : public OutputTarget {
 public:
  Status append(std::string_view bytes) override;
  Status overwrite(uint64_t offset, std::string_view bytes) override;
  Status read(uint64_t offset, size_t size, std::string& out) override;
  uint64_t size() const override { return bytes_.size(); }
  Status commit() override { return Status::ok(); }
  void abandon() override { bytes_.clear(); }
  const std::string& name() const override { return name_; }
  std::string take_bytes() { return std::move(bytes_); }

 private:
  std::string bytes_;
  std::string name_ = "bigWig in memory";
};

}  // namespace epibook::bigwig_write
