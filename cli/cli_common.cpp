// Shared CLI plumbing (see cli_common.h).
#include "cli_common.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "epibook/bed.h"

namespace epibook::cli {

void fail(const Status& status) {
  std::cerr << "epibook: " << status.message() << "\n";
  throw CLI::RuntimeError(1);
}

Result<std::vector<RegionArgument>> read_region_arguments_with_sources(const std::vector<std::string>& arguments) {
  std::vector<RegionArgument> regions;
  for (const std::string& argument : arguments) {
    std::error_code ec;
    if (argument.find(':') == std::string::npos || std::filesystem::is_regular_file(argument, ec)) {
      if (!std::filesystem::exists(argument, ec)) {
        return not_found("'" + argument + "' is neither a region (chr:start-end) nor a BED file that exists");
      }
      EPIBOOK_ASSIGN_OR_RETURN(std::vector<BedRecord> records, read_bed(argument));
      for (BedRecord& record : records) {
        regions.push_back({std::move(record.region), argument + ": line " + std::to_string(record.line)});
      }
    } else {
      EPIBOOK_ASSIGN_OR_RETURN(Region region, parse_region(argument));
      regions.push_back({std::move(region), ""});
    }
  }
  return regions;
}

Result<std::vector<Region>> read_region_arguments(const std::vector<std::string>& arguments) {
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<RegionArgument> with_sources, read_region_arguments_with_sources(arguments));
  std::vector<Region> regions;
  regions.reserve(with_sources.size());
  for (RegionArgument& argument : with_sources) regions.push_back(std::move(argument.region));
  return regions;
}

StreamedOutput::~StreamedOutput() {
  if (file_ == nullptr || to_stdout_) return;
  std::fclose(file_);
  std::remove(partial_.c_str());
}

Status StreamedOutput::open(const std::string& path) {
  if (path.empty() || path == "-") {
    to_stdout_ = true;
    file_ = stdout;
    return Status::ok();
  }
  path_ = path;
  partial_ = path + ".partial";
  file_ = std::fopen(partial_.c_str(), "wb");
  if (file_ == nullptr) return io_error(path + ": cannot open for writing");
  return Status::ok();
}

Status StreamedOutput::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return io_error((to_stdout_ ? std::string("standard output") : path_) + ": write failed (disk full?)");
  }
  return Status::ok();
}

Status StreamedOutput::finish() {
  if (to_stdout_) {
    if (std::fflush(stdout) != 0) return io_error("standard output: write failed");
    return Status::ok();
  }
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!closed) {
    std::remove(partial_.c_str());
    return io_error(path_ + ": write failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(partial_, path_, ec);
  if (ec) {
    std::remove(partial_.c_str());
    return io_error(path_ + ": cannot move the finished file into place (" + ec.message() + ")");
  }
  return Status::ok();
}

namespace fs = std::filesystem;

bool replaceable(const fs::path& dir, const std::string& tool) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  if (fs::is_empty(dir, ec)) return true;
  std::ifstream manifest(dir / "manifest.json");
  std::string text((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
  return text.find("\"tool\": \"" + tool + "\"") != std::string::npos;
}

namespace {

// "dataset/" names the same directory as "dataset"; the staging folder must sit beside
// it, not inside it.
fs::path without_trailing_separator(fs::path path) {
  path = path.lexically_normal();
  return path.has_filename() || !path.has_parent_path() ? path : path.parent_path();
}

}  // namespace

StagingDirectory::StagingDirectory(fs::path out) : out_(without_trailing_separator(std::move(out))) {
  path_ = out_;
  path_ += ".epibook-partial";
}

StagingDirectory::~StagingDirectory() {
  std::error_code ec;
  if (!published_) fs::remove_all(path_, ec);
}

Status StagingDirectory::create() {
  std::error_code ec;
  fs::remove_all(path_, ec);  // left by a run that was killed
  if (!fs::create_directories(path_, ec) || ec) {
    return io_error(path_.string() + ": cannot create the output directory (" + ec.message() + ")");
  }
  return Status::ok();
}

Status StagingDirectory::publish() {
  std::error_code ec;
  fs::path old = out_;
  old += ".epibook-old";
  const bool had_old = fs::exists(out_, ec);
  if (had_old) {
    fs::remove_all(old, ec);
    fs::rename(out_, old, ec);
    if (ec) return io_error(out_.string() + ": cannot move the earlier output aside (" + ec.message() + ")");
  }
  fs::rename(path_, out_, ec);
  if (ec) {
    std::error_code ignored;
    if (had_old) fs::rename(old, out_, ignored);
    return io_error(out_.string() + ": cannot move the finished output into place (" + ec.message() + ")");
  }
  published_ = true;
  if (had_old) fs::remove_all(old, ec);
  return Status::ok();
}

}  // namespace epibook::cli
