// BED and narrowPeak: regions, peaks and exclusion lists as text files.
// BED3 to BED6 columns are parsed; narrowPeak adds signalValue, pValue, qValue and the
// summit offset. "track", "browser" and '#' lines are skipped; gzip files (.bed.gz,
// .narrowPeak.gz) are recognised by their bytes. Errors name the file, the line and the
// column: "peaks.bed: line 12: end 4,000 is before start 5,000".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook {

struct BedRecord {
  Region region;
  std::string name;             // column 4, "" when absent or "."
  double score = 0;             // column 5
  char strand = '.';            // column 6: '+', '-' or '.'
  // narrowPeak only (columns 7-10); -1 where the format says "not available".
  double signal_value = -1;
  double p_value = -1;
  double q_value = -1;
  int64_t peak = -1;            // summit offset from region.start
  uint64_t line = 0;            // the line of its file (1-based), for messages; 0 when not read from one
};

// Reads every record of a BED (3+ columns) or narrowPeak (10 columns) file. Columns
// are tab-separated; a line without tabs may separate them with spaces.
Result<std::vector<BedRecord>> read_bed(const std::string& path);

// Only the regions (first three columns) of a BED file.
Result<std::vector<Region>> read_bed_regions(const std::string& path);

// Parses BED text already in memory; `source_name` is used in messages.
Result<std::vector<BedRecord>> parse_bed(const std::string& text, const std::string& source_name);

// Records as BED6 (or narrowPeak when `narrow_peak` is true) text; an empty name is
// written ".", numbers in the shortest form that reads back exactly.
std::string format_bed(const std::vector<BedRecord>& records, bool narrow_peak = false);

// Writes records as BED6 (or narrowPeak when `narrow_peak` is true).
Status write_bed(const std::string& path, const std::vector<BedRecord>& records, bool narrow_peak = false);

}  // namespace epibook
