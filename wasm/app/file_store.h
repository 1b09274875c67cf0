// Files a lab reads in the browser: small ones arrive whole (a FASTQ, a BED), large
// ones (bigWig) by byte slices on demand. The core reads synchronously, so a read of
// bytes not here yet fails, the missing slice is queued for the page (lab-host.js
// fetches it with a Range request or Blob.slice) and the lab retries next frame.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "epibook/byte_source.h"
#include "epibook/status.h"

namespace epibook::labs {

// A file known by slices of kChunkBytes, fetched as the reader's queries need them.
class RangedFile {
 public:
  static constexpr uint64_t kChunkBytes = uint64_t{1} << 17;
  static constexpr uint64_t kWholeFileBytes = uint64_t{8} << 20;

  explicit RangedFile(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  std::optional<uint64_t> size() const { return size_; }
  const std::string& error() const { return error_; }

  // Copies [offset, offset + size) out if every chunk is here; otherwise queues the
  // missing chunks and returns false.
  bool copy_out(uint64_t offset, size_t size, void* out);
  // Bytes starting at a chunk boundary (one chunk, several, or the whole file).
  void insert(uint64_t offset, const std::string& bytes, uint64_t total_size);
  void fail(std::string message) { error_ = std::move(message); }
  // Chunk indices asked for and not yet handed to the page; cleared by the call.
  std::vector<uint64_t> take_wanted();
  bool waiting() const { return !wanted_.empty() || !requested_.empty(); }

 private:
  std::string name_;
  std::optional<uint64_t> size_;
  std::string error_;
  std::map<uint64_t, std::string> chunks_;
  std::set<uint64_t> wanted_;     // queued for the page
  std::set<uint64_t> requested_;  // handed to the page, not yet answered
  uint64_t cached_bytes_ = 0;
};

// A ByteSource over a RangedFile: reads that miss fail with a "waiting for bytes"
// message and leave the missing chunks queued. Needs the file's size to be known.
std::unique_ptr<ByteSource> ranged_source(std::shared_ptr<RangedFile> file);

// Every file of one lab, by name (an asset path such as "assets/x.bw", or the name of a
// file the reader opened).
class FileStore {
 public:
  // Whole files: asked for once, then here or failed.
  void request_whole(const std::string& name);
  const std::string* whole(const std::string& name) const;
  void provide_whole(const std::string& name, std::string bytes);

  // Ranged files: the first call asks for the first chunk (which tells the size).
  std::shared_ptr<RangedFile> ranged(const std::string& name);
  void provide_range(const std::string& name, uint64_t offset, const std::string& bytes, uint64_t total_size);

  // The page could not read `name` (HTTP 404, a file the reader removed).
  void fail(const std::string& name, std::string message);
  // The message of a failed file, or nullptr.
  const std::string* failure(const std::string& name) const;

  // What the page should fetch, as JSON: [{"file", "start", "end"}] with end = -1 for a
  // whole file. Each request is handed out once.
  std::string take_requests_json();
  bool waiting() const;

 private:
  std::map<std::string, std::string> whole_;
  std::set<std::string> whole_wanted_;
  std::set<std::string> whole_requested_;
  std::map<std::string, std::shared_ptr<RangedFile>> ranged_;
  std::map<std::string, std::string> failures_;
};

// True when a failed core call only lacked bytes still on their way.
bool is_waiting_for_bytes(const Status& status);

}  // namespace epibook::labs
