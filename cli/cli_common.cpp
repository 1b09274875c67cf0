// Shared CLI plumbing (see cli_common.h).
#include "cli_common.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

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

}  // namespace epibook::cli
