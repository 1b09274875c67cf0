// Byte sources: where an indexed file's bytes come from (bigWig, FASTA with .fai).
// Natively a file read with pread; in the browser a buffer the reader opened, or byte
// slices fetched on demand. Reads may run concurrently from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "epibook/status.h"

namespace epibook {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads exactly `size` bytes at `offset`, or fails naming the source and offset.
  virtual Status read_at(uint64_t offset, size_t size, void* out) const = 0;
  virtual uint64_t size() const = 0;
  // The name used in messages: a path or a file name the reader chose.
  virtual const std::string& name() const = 0;
};

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path);
std::unique_ptr<ByteSource> memory_source(std::string bytes, std::string name);

}  // namespace epibook
