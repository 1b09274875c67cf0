// What every subcommand shares: turning a core Status into a message and an exit
// code, and reading the REGION arguments (chr:start-end text or BED files).
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
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

// Preset, then override: every subcommand reads a flag the reader may leave out into a
// std::optional (or a list that stays empty), starts from its preset's options and lays
// the flags given over them, so "left out" and "given as the default" stay different.
template <typename T, typename U>
void override_with(T& option, const std::optional<U>& given) {
  if (given) option = *given;
}

// Each argument is "chr:start-end" or the path of a BED file whose rows are regions.
Result<std::vector<Region>> read_region_arguments(const std::vector<std::string>& arguments);

// A region and where it came from, for messages about it: "regions.bed: line 3", or
// "" for a region typed on the command line (the region's own text names it).
struct RegionArgument {
  Region region;
  std::string source;
};
Result<std::vector<RegionArgument>> read_region_arguments_with_sources(const std::vector<std::string>& arguments);

// Output written as it is produced, to standard output ("" or "-") or to a file that
// appears under its name only when finish() succeeds (written beside it, then renamed),
// so a command that fails half way leaves no half file.
class StreamedOutput {
 public:
  StreamedOutput() = default;
  ~StreamedOutput();
  StreamedOutput(const StreamedOutput&) = delete;
  StreamedOutput& operator=(const StreamedOutput&) = delete;
  Status open(const std::string& path);
  Status write(std::string_view bytes);
  Status finish();

 private:
  std::string path_, partial_;
  std::FILE* file_ = nullptr;
  bool to_stdout_ = false;
};

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
