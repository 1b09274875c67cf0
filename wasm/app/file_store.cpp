// Whole and ranged files of a lab (file_store.h): the chunk cache behind the bigWig
// reader in the browser, and the request list lab-host.js drains every frame.
#include "file_store.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "epibook/region.h"  // with_thousands

namespace epibook::labs {

namespace {

constexpr const char* kWaitingMarker = "waiting for bytes";
// Past this, the chunk cache starts again from empty: the reader's queries are
// idempotent, so anything still needed is fetched again.
constexpr uint64_t kMaxCachedBytes = uint64_t{96} << 20;

class RangedSource final : public ByteSource {
 public:
  explicit RangedSource(std::shared_ptr<RangedFile> file) : file_(std::move(file)) {}

  Status read_at(uint64_t offset, size_t size, void* out) const override {
    if (offset > this->size() || size > this->size() - offset) {
      return corrupt(name() + ": byte " + with_thousands(offset) + ": reading " + with_thousands(size) +
                     " bytes runs past the end of the file");
    }
    if (file_->copy_out(offset, size, out)) return Status::ok();
    return io_error(name() + ": byte " + with_thousands(offset) + ": " + kWaitingMarker);
  }
  uint64_t size() const override { return file_->size().value_or(0); }
  const std::string& name() const override { return file_->name(); }

 private:
  std::shared_ptr<RangedFile> file_;
};

}  // namespace

bool is_waiting_for_bytes(const Status& status) {
  return !status.is_ok() && status.message().find(kWaitingMarker) != std::string::npos;
}

bool RangedFile::copy_out(uint64_t offset, size_t size, void* out) {
  if (size == 0) return true;
  const uint64_t first = offset / kChunkBytes;
  const uint64_t last = (offset + size - 1) / kChunkBytes;
  bool complete = true;
  for (uint64_t chunk = first; chunk <= last; ++chunk) {
    if (chunks_.count(chunk) == 0) {
      complete = false;
      if (requested_.count(chunk) == 0) wanted_.insert(chunk);
    }
  }
  if (!complete) return false;
  auto* cursor = static_cast<char*>(out);
  uint64_t at = offset;
  const uint64_t end = offset + size;
  while (at < end) {
    const std::string& chunk = chunks_[at / kChunkBytes];
    const uint64_t within = at % kChunkBytes;
    const uint64_t take = std::min<uint64_t>(end - at, chunk.size() - std::min<uint64_t>(within, chunk.size()));
    if (take == 0) return false;  // a short chunk before the end: the page sent too little
    std::memcpy(cursor, chunk.data() + within, take);
    cursor += take;
    at += take;
  }
  return true;
}

void RangedFile::insert(uint64_t offset, const std::string& bytes, uint64_t total_size) {
  const bool first_answer = !size_.has_value();
  size_ = total_size;
  // A small file is worth fetching at once: one round trip instead of one per query.
  if (first_answer && total_size <= kWholeFileBytes) {
    for (uint64_t chunk = 0; chunk * kChunkBytes < total_size; ++chunk) {
      if (chunk * kChunkBytes < offset || chunk * kChunkBytes >= offset + bytes.size()) wanted_.insert(chunk);
    }
  }
  if (cached_bytes_ + bytes.size() > kMaxCachedBytes) {
    chunks_.clear();
    cached_bytes_ = 0;
  }
  for (uint64_t at = 0; at < bytes.size(); at += kChunkBytes) {
    const uint64_t chunk = (offset + at) / kChunkBytes;
    std::string& slot = chunks_[chunk];
    slot = bytes.substr(at, kChunkBytes);
    cached_bytes_ += slot.size();
    requested_.erase(chunk);
    wanted_.erase(chunk);
  }
  // A request answered with fewer bytes (the file's end) is answered all the same.
  requested_.erase(offset / kChunkBytes);
}

std::vector<uint64_t> RangedFile::take_wanted() {
  std::vector<uint64_t> chunks(wanted_.begin(), wanted_.end());
  requested_.insert(wanted_.begin(), wanted_.end());
  wanted_.clear();
  return chunks;
}

std::unique_ptr<ByteSource> ranged_source(std::shared_ptr<RangedFile> file) {
  return std::make_unique<RangedSource>(std::move(file));
}

void FileStore::request_whole(const std::string& name) {
  if (whole_.count(name) || whole_requested_.count(name) || failures_.count(name)) return;
  whole_wanted_.insert(name);
}

const std::string* FileStore::whole(const std::string& name) const {
  auto found = whole_.find(name);
  return found == whole_.end() ? nullptr : &found->second;
}

void FileStore::provide_whole(const std::string& name, std::string bytes) {
  whole_wanted_.erase(name);
  whole_requested_.erase(name);
  failures_.erase(name);
  whole_[name] = std::move(bytes);
}

std::shared_ptr<RangedFile> FileStore::ranged(const std::string& name) {
  auto& file = ranged_[name];
  if (!file) {
    file = std::make_shared<RangedFile>(name);
    char first_byte = 0;
    file->copy_out(0, 1, &first_byte);  // queues chunk 0, whose answer carries the size
  }
  return file;
}

void FileStore::provide_range(const std::string& name, uint64_t offset, const std::string& bytes,
                              uint64_t total_size) {
  ranged(name)->insert(offset, bytes, total_size);
}

void FileStore::fail(const std::string& name, std::string message) {
  whole_wanted_.erase(name);
  whole_requested_.erase(name);
  failures_[name] = message;
  auto found = ranged_.find(name);
  if (found != ranged_.end()) found->second->fail(std::move(message));
}

const std::string* FileStore::failure(const std::string& name) const {
  auto found = failures_.find(name);
  return found == failures_.end() ? nullptr : &found->second;
}

std::string FileStore::take_requests_json() {
  nlohmann::json requests = nlohmann::json::array();
  for (const std::string& name : whole_wanted_) {
    requests.push_back({{"file", name}, {"start", 0}, {"end", -1}});
    whole_requested_.insert(name);
  }
  whole_wanted_.clear();
  for (auto& [name, file] : ranged_) {
    // Neighbouring chunks go out as one range (the page splits nothing).
    const std::vector<uint64_t> chunks = file->take_wanted();
    for (size_t i = 0; i < chunks.size();) {
      size_t j = i + 1;
      while (j < chunks.size() && chunks[j] == chunks[j - 1] + 1) ++j;
      requests.push_back({{"file", name},
                          {"start", chunks[i] * RangedFile::kChunkBytes},
                          {"end", (chunks[j - 1] + 1) * RangedFile::kChunkBytes}});
      i = j;
    }
  }
  return requests.dump();
}

bool FileStore::waiting() const {
  if (!whole_wanted_.empty() || !whole_requested_.empty()) return true;
  return std::any_of(ranged_.begin(), ranged_.end(), [](const auto& entry) {
    return entry.second->error().empty() && entry.second->waiting();
  });
}

}  // namespace epibook::labs
