// Output targets of the bigWig writer (see bigwig_write_output.h): a temporary file
// that becomes the real one only when complete, so an interrupted or failed write
// never leaves a truncated bigWig under the name a pipeline waits for.
#include "io/bigwig_write_output.h"

#include <cstdio>
#include <sys/types.h>
#include <zlib.h>

namespace epibook::bigwig_write {
namespace {

class TemporaryFileTarget final : public OutputTarget {
 public:
  TemporaryFileTarget(std::string path, std::string temporary, std::FILE* file)
      : path_(std::move(path)), temporary_(std::move(temporary)), file_(file) {}
  ~TemporaryFileTarget() override { abandon(); }

  Status append(std::string_view bytes) override {
    if (at_end_ == false) {
      if (fseeko(file_, static_cast<off_t>(size_), SEEK_SET) != 0) return failure("seek");
      at_end_ = true;
    }
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return failure("write (disk full?)");
    }
    size_ += bytes.size();
    return Status::ok();
  }

  Status overwrite(uint64_t offset, std::string_view bytes) override {
    if (offset + bytes.size() > size_) return io_error(path_ + ": internal error: patch past the end");
    at_end_ = false;
    if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) return failure("seek");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return failure("write (disk full?)");
    }
    return Status::ok();
  }

  Status read(uint64_t offset, size_t size, std::string& out) override {
    if (offset + size > size_) return io_error(path_ + ": internal error: read past the end");
    at_end_ = false;
    out.resize(size);
    // Reads after writes on one stream need a positioning call in between (C11 7.21.5.3).
    if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) return failure("seek");
    if (size > 0 && std::fread(out.data(), 1, size, file_) != size) return failure("read back");
    return Status::ok();
  }

  uint64_t size() const override { return size_; }

  Status commit() override {
    if (file_ == nullptr) return io_error(path_ + ": internal error: committed twice");
    const bool flushed = std::fflush(file_) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) {
      std::remove(temporary_.c_str());
      return io_error(path_ + ": write failed (disk full?)");
    }
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
      std::remove(temporary_.c_str());
      return io_error(path_ + ": cannot move the finished file into place");
    }
    return Status::ok();
  }

  void abandon() override {
    if (file_ == nullptr) return;
    std::fclose(file_);
    file_ = nullptr;
    std::remove(temporary_.c_str());
  }

  const std::string& name() const override { return path_; }

 private:
  Status failure(const char* what) { return io_error(path_ + ": " + what + " failed"); }

  std::string path_;
  std::string temporary_;
  std::FILE* file_;
  uint64_t size_ = 0;
  bool at_end_ = true;
};

}  // namespace

Status compress_block(std::string_view raw, std::string& out) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  out.resize(size);
  const int code = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                             static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
  if (code != Z_OK) return io_error("zlib could not compress a block (code " + std::to_string(code) + ")");
  out.resize(size);
  return Status::ok();
}

Result<std::unique_ptr<OutputTarget>> open_temporary_file_target(const std::string& path) {
  const std::string temporary = path + ".partial";
  std::FILE* file = std::fopen(temporary.c_str(), "w+b");
  if (file == nullptr) return io_error(path + ": cannot open for writing");
  return std::unique_ptr<OutputTarget>(new TemporaryFileTarget(path, temporary, file));
}

Status MemoryTarget::append(std::string_view bytes) {
  bytes_.append(bytes);
  return Status::ok();
}

Status MemoryTarget::overwrite(uint64_t offset, std::string_view bytes) {
  if (offset + bytes.size() > bytes_.size()) return io_error(name_ + ": internal error: patch past the end");
  bytes_.replace(offset, bytes.size(), bytes);
  return Status::ok();
}

Status MemoryTarget::read(uint64_t offset, size_t size, std::string& out) {
  if (offset + size > bytes_.size()) return io_error(name_ + ": internal error: read past the end");
  out.assign(bytes_, offset, size);
  return Status::ok();
}

}  // namespace epibook::bigwig_write
