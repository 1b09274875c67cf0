// Atomic, optionally gzip-compressed output files for the simulator (see output_file.h).
// zlib writes the gzip wrapper with a zero timestamp, so the bytes depend only on the content.
#include "sim/output_file.h"

#include <zlib.h>

#include <cstring>
#include <vector>

namespace epibook::sim {

struct OutputFile::Impl {
  std::string path;
  std::string partial;
  std::FILE* file = nullptr;
  bool gzip = false;
  bool deflating = false;
  z_stream stream{};
  std::vector<unsigned char> buffer = std::vector<unsigned char>(1 << 16);
  uint64_t written = 0;

  ~Impl() {
    if (deflating) deflateEnd(&stream);
    if (file) {
      std::fclose(file);
      std::remove(partial.c_str());
    }
  }

  Status put(const void* data, size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, file) != size) return io_error(path + ": write failed (disk full?)");
    return Status::ok();
  }

  Status deflate_all(int flush) {
    do {
      stream.next_out = buffer.data();
      stream.avail_out = static_cast<uInt>(buffer.size());
      const int rc = deflate(&stream, flush);
      if (rc == Z_STREAM_ERROR) return io_error(path + ": gzip compression failed");
      EPIBOOK_RETURN_IF_ERROR(put(buffer.data(), buffer.size() - stream.avail_out));
    } while (stream.avail_out == 0);
    return Status::ok();
  }
};

OutputFile::OutputFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutputFile::OutputFile(OutputFile&&) noexcept = default;
OutputFile& OutputFile::operator=(OutputFile&&) noexcept = default;
OutputFile::~OutputFile() = default;

Result<OutputFile> OutputFile::create(const std::string& path, bool gzip) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->partial = path + ".partial";
  impl->gzip = gzip;
  impl->file = std::fopen(impl->partial.c_str(), "wb");
  if (!impl->file) return io_error(path + ": cannot open for writing");
  if (gzip) {
    // windowBits 15 + 16: a gzip wrapper; memLevel 8 and level 6 are zlib's defaults.
    if (deflateInit2(&impl->stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return io_error(path + ": cannot start gzip compression");
    }
    impl->deflating = true;
  }
  return OutputFile(std::move(impl));
}

Status OutputFile::write(std::string_view bytes) {
  if (!impl_->file) return io_error(impl_->path + ": written after commit");
  impl_->written += bytes.size();
  if (!impl_->gzip) return impl_->put(bytes.data(), bytes.size());
  // zlib's avail_in is 32-bit: feed large writes in pieces.
  while (!bytes.empty()) {
    const size_t piece = std::min<size_t>(bytes.size(), size_t{1} << 30);
    impl_->stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    impl_->stream.avail_in = static_cast<uInt>(piece);
    EPIBOOK_RETURN_IF_ERROR(impl_->deflate_all(Z_NO_FLUSH));
    bytes.remove_prefix(piece);
  }
  return Status::ok();
}

Status OutputFile::commit() {
  if (!impl_->file) return io_error(impl_->path + ": committed twice");
  if (impl_->gzip) {
    impl_->stream.next_in = nullptr;
    impl_->stream.avail_in = 0;
    EPIBOOK_RETURN_IF_ERROR(impl_->deflate_all(Z_FINISH));
    deflateEnd(&impl_->stream);
    impl_->deflating = false;
  }
  const bool closed = std::fclose(impl_->file) == 0;
  impl_->file = nullptr;
  if (!closed || std::rename(impl_->partial.c_str(), impl_->path.c_str()) != 0) {
    std::remove(impl_->partial.c_str());
    return io_error(impl_->path + ": cannot finish the file (disk full?)");
  }
  return Status::ok();
}

uint64_t OutputFile::bytes_written() const { return impl_->written; }

}  // namespace epibook::sim
