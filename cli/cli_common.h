// What every subcommand shares: turning a core Status into a message and an exit
// code, and reading the REGION arguments (chr:start-end text or BED files).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook::cli {

// Prints "epibook: <message>" to stderr and leaves with exit code 1 (via CLI11).
[[noreturn]] void fail(const Status& status);

inline void check(const Status& status) {
  if (!status.is_ok()) fail(status);
}

template <typename T>
T value_or_fail(Result<T> result) {
  if (!result.is_ok()) fail(result.status());
  return std::move(result).value();
}

// Each argument is "chr:start-end" or the path of a BED file whose rows are regions.
Result<std::vector<Region>> read_region_arguments(const std::vector<std::string>& arguments);

// An output directory a command may replace: empty, or one whose manifest.json says
// `tool` ("epibook prep") wrote it.
bool replaceable(const std::filesystem::path& dir, const std::string& tool);

// The staging directory beside an output directory ("dataset" -> "dataset.epibook-partial"):
// a command writes into it and publish() swaps it in, so a reader never sees half an
// output; removed unless published.
class StagingDirectory {
 public:
  explicit StagingDirectory(std::filesystem::path out);
  ~StagingDirectory();
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }
  Status create();
  // Swaps the finished directory in for `out`; an earlier one there is removed only
  // after the new one is in place.
  Status publish();

 private:
  std::filesystem::path out_, path_;
  bool published_ = false;
};

}  // namespace epibook::cli
