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

Result<std::vector<Region>> read_region_arguments(const std::vector<std::string>& arguments) {
  std::vector<Region> regions;
  for (const std::string& argument : arguments) {
    std::error_code ec;
    if (argument.find(':') == std::string::npos || std::filesystem::is_regular_file(argument, ec)) {
      if (!std::filesystem::exists(argument, ec)) {
        return not_found("'" + argument + "' is neither a region (chr:start-end) nor a BED file that exists");
      }
      EPIBOOK_ASSIGN_OR_RETURN(std::vector<Region> from_bed, read_bed_regions(argument));
      regions.insert(regions.end(), from_bed.begin(), from_bed.end());
    } else {
      EPIBOOK_ASSIGN_OR_RETURN(Region region, parse_region(argument));
      regions.push_back(std::move(region));
    }
  }
  return regions;
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
