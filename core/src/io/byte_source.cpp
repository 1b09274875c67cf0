// Byte sources behind BigWigReader and FastaReader (see epibook/byte_source.h): a file read with pread, so
// threads read concurrently without a shared file position, and a buffer in memory (the
// browser hands files over as buffers). Reads past the end are reported, never performed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "epibook/byte_source.h"
#include "epibook/region.h"  // with_thousands

namespace epibook {
namespace {

Status past_end(const std::string& name, uint64_t offset, size_t size, uint64_t file_size) {
  return corrupt(name + ": byte " + with_thousands(offset) + ": reading " + with_thousands(size) +
                 " bytes runs past the end of the file (" + with_thousands(file_size) + " bytes); truncated file or bad offset");
}

bool within(uint64_t offset, size_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  ~FileSource() override { ::close(fd_); }

  Status read_at(uint64_t offset, size_t size, void* out) const override {
    if (!within(offset, size, size_)) return past_end(name_, offset, size, size_);
    auto* cursor = static_cast<char*>(out);
    size_t done = 0;
    while (done < size) {
      const ssize_t got = ::pread(fd_, cursor + done, size - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return io_error(name_ + ": byte " + with_thousands(offset + done) + ": " + std::strerror(errno));
      if (got == 0) return past_end(name_, offset, size, offset + done);
      done += static_cast<size_t>(got);
    }
    return Status::ok();
  }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  uint64_t size_;
  std::string name_;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}

  Status read_at(uint64_t offset, size_t size, void* out) const override {
    if (!within(offset, size, bytes_.size())) return past_end(name_, offset, size, bytes_.size());
    if (size > 0) std::memcpy(out, bytes_.data() + offset, size);
    return Status::ok();
  }
  uint64_t size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    const int error = errno;
    const std::string why = std::strerror(error);
    return error == ENOENT ? not_found(path + ": " + why) : io_error(path + ": " + why);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return io_error(path + ": not a regular file");
  }
  return std::unique_ptr<ByteSource>(new FileSource(fd, static_cast<uint64_t>(info.st_size), path));
}

std::unique_ptr<ByteSource> memory_source(std::string bytes, std::string name) {
  return std::make_unique<MemorySource>(std::move(bytes), std::move(name));
}

}  // namespace epibook
