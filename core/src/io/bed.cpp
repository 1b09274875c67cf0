// BED and narrowPeak reading and writing (see epibook/bed.h): how peaks, blacklists
// and region lists enter the data flow before windows are chosen. Lines come from the
// gzip-aware LineReader, so peaks.narrowPeak.gz as ENCODE ships it reads directly.
#include "epibook/bed.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "epibook/npy.h"
#include "io/text_stream.h"

namespace epibook {
namespace {

constexpr size_t kNarrowPeakColumns = 10;

// Spaces and tabs only: a column's other control characters (a vertical tab, a form
// feed, a carriage return inside a line) are kept, so that a chromosome name holding
// one is refused rather than trimmed into another name (parse_record).
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word && (line.size() == word.size() || is_blank(line[word.size()]));
}

// Lines that carry no record: blank, comments and the genome browsers' directives.
bool is_skipped_line(std::string_view line) {
  const std::string_view content = trim(line);
  return content.empty() || content.front() == '#' || starts_with_word(content, "track") ||
         starts_with_word(content, "browser");
}

// Tab-separated as the format says; when a line has no tab at all, runs of spaces
// separate the columns (hand-written files often look like that).
std::vector<std::string_view> split_columns(std::string_view line) {
  std::vector<std::string_view> columns;
  line = trim(line);
  if (line.find('\t') != std::string_view::npos) {
    size_t begin = 0;
    while (true) {
      const size_t tab = line.find('\t', begin);
      columns.push_back(trim(line.substr(begin, tab == std::string_view::npos ? std::string_view::npos : tab - begin)));
      if (tab == std::string_view::npos) break;
      begin = tab + 1;
    }
    return columns;
  }
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > begin) columns.push_back(line.substr(begin, i - begin));
  }
  return columns;
}

std::string column_label(size_t column, const char* what) {
  return "column " + std::to_string(column) + " (" + what + ")";
}

Result<uint64_t> parse_coordinate(std::string_view text, size_t column, const char* what) {
  if (!text.empty() && text.front() == '-' && text.size() > 1 &&
      text.find_first_not_of("0123456789", 1) == std::string_view::npos) {
    return invalid_argument(column_label(column, what) + ": " + std::string(text) +
                            " is negative (BED coordinates start at 0)");
  }
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return invalid_argument(column_label(column, what) + ": '" + std::string(text) + "' is not a whole number");
  }
  uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

Result<double> parse_number(std::string_view text, size_t column, const char* what) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = copy.empty() ? 0.0 : std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value)) {
    return invalid_argument(column_label(column, what) + ": '" + copy + "' is not a number");
  }
  return value;
}

Result<int64_t> parse_summit(std::string_view text, uint64_t peak_length) {
  constexpr size_t kColumn = 10;
  if (text == "-1") return int64_t{-1};
  if (!text.empty() && text.front() == '-') {
    return invalid_argument(column_label(kColumn, "peak") + ": summit offset " + std::string(text) +
                            " is negative (-1 means not available)");
  }
  EPIBOOK_ASSIGN_OR_RETURN(const uint64_t offset, parse_coordinate(text, kColumn, "peak"));
  if (offset >= peak_length) {
    return invalid_argument(column_label(kColumn, "peak") + ": summit offset " + with_thousands(offset) +
                            " lies outside the peak (length " + with_thousands(peak_length) + ")");
  }
  return static_cast<int64_t>(offset);
}

// One record from a line's columns; the message says which column is wrong.
Status parse_record(const std::vector<std::string_view>& columns, BedRecord& record) {
  if (columns.size() < 3) {
    return invalid_argument(std::to_string(columns.size()) + (columns.size() == 1 ? " column" : " columns") +
                            "; BED needs at least 3 (chrom, start, end)");
  }
  if (columns[0].empty()) return invalid_argument(column_label(1, "chrom") + ": empty chromosome name");
  if (const std::string problem = sequence_name_problem(columns[0]); !problem.empty()) {
    return invalid_argument(column_label(1, "chrom") + ": " + problem);
  }
  record = BedRecord{};
  record.region.chrom.assign(columns[0]);
  EPIBOOK_ASSIGN_OR_RETURN(record.region.start, parse_coordinate(columns[1], 2, "start"));
  EPIBOOK_ASSIGN_OR_RETURN(record.region.end, parse_coordinate(columns[2], 3, "end"));
  if (record.region.end < record.region.start) {
    return invalid_argument("end " + with_thousands(record.region.end) + " is before start " +
                            with_thousands(record.region.start));
  }
  if (columns.size() > 3 && columns[3] != ".") record.name.assign(columns[3]);
  if (columns.size() > 4 && columns[4] != ".") {
    EPIBOOK_ASSIGN_OR_RETURN(record.score, parse_number(columns[4], 5, "score"));
  }
  if (columns.size() > 5) {
    const std::string_view strand = columns[5];
    if (strand.size() != 1 || (strand[0] != '+' && strand[0] != '-' && strand[0] != '.')) {
      return invalid_argument(column_label(6, "strand") + ": '" + std::string(strand) + "' is not '+', '-' or '.'");
    }
    record.strand = strand[0];
  }
  // BED7-9 and BED12 columns (thick ends, colours, blocks) are not used here.
  if (columns.size() == kNarrowPeakColumns) {
    EPIBOOK_ASSIGN_OR_RETURN(record.signal_value, parse_number(columns[6], 7, "signalValue"));
    EPIBOOK_ASSIGN_OR_RETURN(record.p_value, parse_number(columns[7], 8, "pValue"));
    EPIBOOK_ASSIGN_OR_RETURN(record.q_value, parse_number(columns[8], 9, "qValue"));
    EPIBOOK_ASSIGN_OR_RETURN(record.peak, parse_summit(columns[9], record.region.length()));
  }
  return Status::ok();
}

Result<std::vector<BedRecord>> read_lines(LineReader& lines) {
  std::vector<BedRecord> records;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    if (is_skipped_line(lines.text())) continue;
    BedRecord record;
    const Status status = parse_record(split_columns(lines.text()), record);
    if (!status.is_ok()) return status.with_context(lines.name() + ": line " + std::to_string(lines.number()));
    record.line = lines.number();
    records.push_back(std::move(record));
  }
  return records;
}

// The shortest text that reads back as the same double ("1000", "0.1", "5.2e-08").
// Whole numbers are written without an exponent, as BED scores usually are.
std::string shortest_number(double value) {
  char buffer[40];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

}  // namespace

Result<std::vector<BedRecord>> read_bed(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(path));
  LineReader lines(std::move(stream));
  return read_lines(lines);
}

Result<std::vector<Region>> read_bed_regions(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<BedRecord> records, read_bed(path));
  std::vector<Region> regions;
  regions.reserve(records.size());
  for (BedRecord& record : records) regions.push_back(std::move(record.region));
  return regions;
}

Result<std::vector<BedRecord>> parse_bed(const std::string& text, const std::string& source_name) {
  LineReader lines(ByteStream::from_memory(text, source_name));
  return read_lines(lines);
}

std::string format_bed(const std::vector<BedRecord>& records, bool narrow_peak) {
  std::string out;
  for (const BedRecord& record : records) {
    out += record.region.chrom;
    out += '\t' + std::to_string(record.region.start) + '\t' + std::to_string(record.region.end);
    out += '\t' + (record.name.empty() ? std::string(".") : record.name);
    out += '\t' + shortest_number(record.score);
    out += '\t';
    out += record.strand;
    if (narrow_peak) {
      out += '\t' + shortest_number(record.signal_value) + '\t' + shortest_number(record.p_value) + '\t' +
             shortest_number(record.q_value) + '\t' + std::to_string(record.peak);
    }
    out += '\n';
  }
  return out;
}

Status write_bed(const std::string& path, const std::vector<BedRecord>& records, bool narrow_peak) {
  return write_file_atomically(path, format_bed(records, narrow_peak));
}

}  // namespace epibook
