// Genomic regions: the unit every query, window and split is made of.
// Coordinates are 0-based and half-open, as in BED, bigWig and pyBigWig:
// "chr2R:7,000,000-7,100,000" covers bases 7,000,000 .. 7,099,999 (100,000 bp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "epibook/status.h"

namespace epibook {

struct Region {
  std::string chrom;
  uint64_t start = 0;  // 0-based, inclusive
  uint64_t end = 0;    // exclusive

  uint64_t length() const { return end - start; }
  friend bool operator==(const Region&, const Region&) = default;
};

// Parses "chr:start-end"; thousands separators (',' or '_') are allowed in numbers.
// Fails with a message naming the text and the problem (end before start, ...).
Result<Region> parse_region(std::string_view text);

// "chr2R:7,000,000-7,100,000"
std::string format_region(const Region& region);

// 7000000 -> "7,000,000"
std::string with_thousands(uint64_t value);

// What is wrong with a chromosome (sequence) name a file gives, or "" when nothing: a
// control character (a byte below 0x20, such as a tab, a vertical tab or a carriage
// return, or 0x7f). No genome names a sequence so, a reader that trimmed or kept one
// would look up a name no other file has, and a BED or bigWig written back would not
// read the same. The text shows the name with such bytes as \xHH, and where they are.
std::string sequence_name_problem(std::string_view name);

}  // namespace epibook
