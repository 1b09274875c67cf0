// Private to the core: forward-only reading of text formats (FASTQ, BED, FASTA,
// .fai) from a file or an in-memory buffer, gzip or not. Compression is recognised
// by its magic bytes (1f 8b), never by the file name, and inflated as it streams, so
// a multi-gigabyte .fq.gz never sits in memory and the same code runs in wasm.
//
// Sections: ByteStream (bytes, inflated) | LineReader (numbered lines over it)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "epibook/status.h"

namespace epibook {

// The bytes of a file or buffer, inflated on the fly when they are gzip (plain or
// multi-member, which includes BGZF) or zlib data.
class ByteStream {
 public:
  // Opens a file for streaming; fails naming the path when it cannot be opened.
  static Result<ByteStream> open_file(const std::string& path);
  // Streams bytes already in memory (a file the browser handed over, a test string).
  // `name` is used in messages.
  static ByteStream from_memory(std::string bytes, std::string name);

  ByteStream(ByteStream&&) noexcept;
  ByteStream& operator=(ByteStream&&) noexcept;
  ~ByteStream();

  // Fills `out` with up to `capacity` bytes of content; 0 means the end was reached.
  // Fails on a read error, bad compressed data or a compressed stream cut short,
  // naming the source and the compressed byte offset.
  Result<size_t> read(char* out, size_t capacity);

  bool is_compressed() const;
  const std::string& name() const;

 private:
  struct Impl;
  explicit ByteStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Numbered lines over a ByteStream. Each line is handed out without its "\n" and
// without a "\r" just before it (Windows line endings); `raw_size` keeps the true
// byte count, which the .fai layout needs.
class LineReader {
 public:
  explicit LineReader(ByteStream stream);

  // Moves to the next line; false at the end of the input. The returned text is
  // valid until the next call.
  Result<bool> next();

  std::string_view text() const { return text_; }
  uint64_t number() const { return number_; }        // 1-based
  uint64_t offset() const { return offset_; }        // of the line's first byte, in content bytes
  uint64_t raw_size() const { return raw_size_; }    // including "\r\n" or "\n"
  bool ended_with_newline() const { return ended_with_newline_; }
  const std::string& name() const { return stream_.name(); }
  bool is_compressed() const { return stream_.is_compressed(); }

 private:
  Status fill();

  ByteStream stream_;
  std::string buffer_;   // content bytes not yet handed out start at `begin_`
  size_t begin_ = 0;
  bool at_end_ = false;
  std::string line_;     // holds a line that straddled two reads
  std::string_view text_;
  uint64_t number_ = 0;
  uint64_t offset_ = 0;
  uint64_t next_offset_ = 0;
  uint64_t raw_size_ = 0;
  bool ended_with_newline_ = false;
};

}  // namespace epibook
