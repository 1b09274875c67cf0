// What every subcommand shares: turning a core Status into a message and an exit
// code, and reading the REGION arguments (chr:start-end text or BED files).
#pragma once

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

}  // namespace epibook::cli
