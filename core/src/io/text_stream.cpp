// Streaming bytes and lines with transparent gzip (see text_stream.h). zlib's
// inflate with windowBits 15+32 reads both gzip and zlib headers; members are
// inflated one after another, so concatenated gzip files and BGZF read whole.
#include "io/text_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace epibook {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// zlib counts input in uInt; larger memory buffers are fed in slices of this size.
constexpr size_t kMaxInflateInput = size_t{1} << 30;

}  // namespace

struct ByteStream::Impl {
  std::string name;
  FILE* file = nullptr;
  std::string memory;
  bool memory_handed_out = false;

  std::string chunk;                      // the last bytes read from the file
  const unsigned char* pending = nullptr;  // raw bytes not yet consumed
  size_t pending_size = 0;
  bool raw_at_end = false;
  uint64_t raw_consumed = 0;  // raw bytes consumed so far, for messages

  bool compressed = false;
  bool inflater_ready = false;
  bool member_open = false;  // inflate has started a member it has not finished
  z_stream inflater{};

  ~Impl() {
    if (file != nullptr) std::fclose(file);
    if (inflater_ready) inflateEnd(&inflater);
  }

  // Makes more raw bytes pending, or marks the end of the raw input.
  Status refill() {
    if (file == nullptr) {
      if (memory_handed_out) {
        raw_at_end = true;
      } else {
        pending = reinterpret_cast<const unsigned char*>(memory.data());
        pending_size = memory.size();
        memory_handed_out = true;
        if (pending_size == 0) raw_at_end = true;
      }
      return Status::ok();
    }
    chunk.resize(kChunkBytes);
    const size_t n = std::fread(chunk.data(), 1, chunk.size(), file);
    if (n == 0) {
      if (std::ferror(file)) {
        return io_error(name + ": read failed at byte " + std::to_string(raw_consumed) + ": " + std::strerror(errno));
      }
      raw_at_end = true;
    }
    pending = reinterpret_cast<const unsigned char*>(chunk.data());
    pending_size = n;
    return Status::ok();
  }

  // Looks at the first bytes to decide whether the content is compressed.
  Status detect_compression() {
    EPIBOOK_RETURN_IF_ERROR(refill());
    compressed = pending_size >= 2 && pending[0] == 0x1f && pending[1] == 0x8b;
    if (!compressed) return Status::ok();
    if (inflateInit2(&inflater, 15 + 32) != Z_OK) {
      return io_error(name + ": cannot start the gzip decoder (out of memory?)");
    }
    inflater_ready = true;
    return Status::ok();
  }

  Result<size_t> read_plain(char* out, size_t capacity) {
    while (pending_size == 0 && !raw_at_end) EPIBOOK_RETURN_IF_ERROR(refill());
    const size_t n = std::min(capacity, pending_size);
    if (n > 0) std::memcpy(out, pending, n);
    pending += n;
    pending_size -= n;
    raw_consumed += n;
    return n;
  }

  Status inflate_error(const char* what) const {
    return corrupt(name + ": bad gzip data at compressed byte " + std::to_string(raw_consumed) + ": " +
                   (inflater.msg != nullptr ? inflater.msg : what));
  }

  Result<size_t> read_compressed(char* out, size_t capacity) {
    // Loops until some content comes out: a member may end without producing any.
    size_t produced = 0;
    while (produced == 0) {
      if (pending_size == 0 && !raw_at_end) {
        EPIBOOK_RETURN_IF_ERROR(refill());
        continue;
      }
      if (pending_size == 0) {
        if (member_open) {
          return corrupt(name + ": gzip data ends early at compressed byte " + std::to_string(raw_consumed) +
                         " (truncated file?)");
        }
        return size_t{0};
      }
      const size_t fed = std::min(pending_size, kMaxInflateInput);
      inflater.next_in = const_cast<unsigned char*>(pending);
      inflater.avail_in = static_cast<uInt>(fed);
      const size_t room = std::min(capacity, kMaxInflateInput);
      inflater.next_out = reinterpret_cast<unsigned char*>(out);
      inflater.avail_out = static_cast<uInt>(room);
      member_open = true;
      const int rc = inflate(&inflater, Z_NO_FLUSH);
      const size_t used = fed - inflater.avail_in;
      pending += used;
      pending_size -= used;
      raw_consumed += used;
      produced = room - inflater.avail_out;
      switch (rc) {
        case Z_OK:
          break;
        case Z_STREAM_END:
          // The next member, if any, starts with a fresh header.
          member_open = false;
          inflateReset(&inflater);
          break;
        case Z_BUF_ERROR:
          if (pending_size > 0) return inflate_error("no progress");
          break;
        case Z_NEED_DICT:
          return inflate_error("needs a preset dictionary");
        case Z_MEM_ERROR:
          return io_error(name + ": out of memory while inflating");
        default:
          return inflate_error("invalid data");
      }
    }
    return produced;
  }
};

ByteStream::ByteStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream& ByteStream::operator=(ByteStream&&) noexcept = default;
ByteStream::~ByteStream() = default;

Result<ByteStream> ByteStream::open_file(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->name = path;
  impl->file = std::fopen(path.c_str(), "rb");
  if (impl->file == nullptr) {
    if (errno == ENOENT) return not_found(path + ": no such file");
    return io_error(path + ": cannot open: " + std::strerror(errno));
  }
  EPIBOOK_RETURN_IF_ERROR(impl->detect_compression());
  return ByteStream(std::move(impl));
}

ByteStream ByteStream::from_memory(std::string bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->memory = std::move(bytes);
  // Memory cannot fail to read; only the decoder's start can, and then the bytes
  // are handed out as they are, which the format parser will then reject.
  if (!impl->detect_compression().is_ok()) impl->compressed = false;
  return ByteStream(std::move(impl));
}

Result<size_t> ByteStream::read(char* out, size_t capacity) {
  if (capacity == 0) return size_t{0};
  return impl_->compressed ? impl_->read_compressed(out, capacity) : impl_->read_plain(out, capacity);
}

bool ByteStream::is_compressed() const { return impl_->compressed; }
const std::string& ByteStream::name() const { return impl_->name; }

// ---------------------------------------------------------------------------------

LineReader::LineReader(ByteStream stream) : stream_(std::move(stream)) {}

Status LineReader::fill() {
  buffer_.resize(kChunkBytes);
  EPIBOOK_ASSIGN_OR_RETURN(const size_t n, stream_.read(buffer_.data(), buffer_.size()));
  buffer_.resize(n);
  begin_ = 0;
  if (n == 0) at_end_ = true;
  return Status::ok();
}

Result<bool> LineReader::next() {
  line_.clear();
  bool straddles = false;  // part of the line is in line_, copied from an earlier fill
  bool found_newline = false;
  size_t raw = 0;
  while (!found_newline) {
    if (begin_ == buffer_.size()) {
      if (at_end_) break;
      EPIBOOK_RETURN_IF_ERROR(fill());
      continue;
    }
    const char* start = buffer_.data() + begin_;
    const size_t available = buffer_.size() - begin_;
    const char* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    const size_t length = newline != nullptr ? static_cast<size_t>(newline - start) : available;
    if (newline != nullptr && !straddles) {
      text_ = std::string_view(start, length);
    } else {
      line_.append(start, length);
      straddles = true;
    }
    raw += length;
    begin_ += length;
    if (newline != nullptr) {
      found_newline = true;
      ++begin_;
      ++raw;
    }
  }
  if (raw == 0) return false;
  if (straddles) text_ = line_;
  if (!text_.empty() && text_.back() == '\r') text_.remove_suffix(1);
  ++number_;
  offset_ = next_offset_;
  raw_size_ = raw;
  next_offset_ += raw;
  ended_with_newline_ = found_newline;
  return true;
}

}  // namespace epibook
