// Parsing and printing of "chr:start-end" regions, shared by the CLI and the labs
// (a lab's URL carries its region in the same text form).
#include "epibook/region.h"

#include <charconv>

namespace epibook {
namespace {

// Reads an unsigned integer that may contain thousands separators.
Result<uint64_t> parse_coordinate(std::string_view digits, std::string_view whole, const char* which) {
  std::string clean;
  for (char c : digits) {
    if (c == ',' || c == '_') continue;
    clean.push_back(c);
  }
  if (clean.empty()) {
    return invalid_argument("region '" + std::string(whole) + "': " + which + " coordinate is missing");
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return invalid_argument("region '" + std::string(whole) + "': " + which + " coordinate is too large");
  }
  if (ec != std::errc() || ptr != clean.data() + clean.size()) {
    return invalid_argument("region '" + std::string(whole) + "': " + which + " coordinate '" +
                            std::string(digits) + "' is not a non-negative whole number");
  }
  return value;
}

}  // namespace

Result<Region> parse_region(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalid_argument("region '" + std::string(text) + "': expected chrom:start-end, e.g. chr2R:7,000,000-7,100,000");
  }
  const std::string_view range = text.substr(colon + 1);
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos) {
    return invalid_argument("region '" + std::string(text) + "': expected start-end after the ':'");
  }
  Region region;
  region.chrom = std::string(text.substr(0, colon));
  EPIBOOK_ASSIGN_OR_RETURN(region.start, parse_coordinate(range.substr(0, dash), text, "start"));
  EPIBOOK_ASSIGN_OR_RETURN(region.end, parse_coordinate(range.substr(dash + 1), text, "end"));
  if (region.end <= region.start) {
    return invalid_argument("region '" + std::string(text) + "': end " + with_thousands(region.end) +
                            (region.end == region.start ? " equals" : " is before") + " start " +
                            with_thousands(region.start) + " (coordinates are 0-based, half-open)");
  }
  return region;
}

std::string sequence_name_problem(std::string_view name) {
  auto is_control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  size_t first = name.size();
  for (size_t i = 0; i < name.size() && first == name.size(); ++i) {
    if (is_control(name[i])) first = i;
  }
  if (first == name.size()) return "";
  std::string shown;
  for (char c : name) {
    if (!is_control(c)) {
      shown.push_back(c);
      continue;
    }
    static const char kHex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    shown += std::string("\\x") + kHex[byte >> 4] + kHex[byte & 15];
  }
  return "name '" + shown + "' holds a control character (byte " + std::to_string(first + 1) +
         "); sequence names are printable text";
}

std::string with_thousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[i]);
    const size_t left = n - i - 1;
    if (left > 0 && left % 3 == 0) out.push_back(',');
  }
  return out;
}

std::string format_region(const Region& region) {
  return region.chrom + ":" + with_thousands(region.start) + "-" + with_thousands(region.end);
}

}  // namespace epibook
