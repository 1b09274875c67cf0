// Reading the windows an audit looks at: BED with the split in column 4 and, when
// present, the label in column 5 (`epibook regions` output, `epibook prep` windows.bed).
#include <charconv>
#include <optional>
#include <vector>

#include "epibook/audit.h"
#include "io/text_stream.h"

namespace epibook {
namespace {

std::vector<std::string_view> tab_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t begin = 0;
  while (true) {
    const size_t tab = line.find('\t', begin);
    fields.push_back(line.substr(begin, tab == std::string_view::npos ? std::string_view::npos : tab - begin));
    if (tab == std::string_view::npos) return fields;
    begin = tab + 1;
  }
}

template <typename Int>
bool parse_integer(std::string_view text, Int& value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool skipped_line(std::string_view line) {
  return line.empty() || line[0] == '#' || line.rfind("track", 0) == 0 || line.rfind("browser", 0) == 0;
}

// `labelled` is set by the first data line; every later line must agree with it.
Status parse_line(std::string_view line, uint64_t number, SplitWindows& out, std::optional<bool>& labelled) {
  const std::vector<std::string_view> f = tab_fields(line);
  if (f.size() < 4) return corrupt("expected chrom, start, end and split in tab-separated columns");
  Region region{std::string(f[0]), 0, 0};
  if (region.chrom.empty()) return corrupt("empty chromosome name");
  if (!parse_integer(f[1], region.start)) return corrupt("start '" + std::string(f[1]) + "' is not a whole number");
  if (!parse_integer(f[2], region.end)) return corrupt("end '" + std::string(f[2]) + "' is not a whole number");
  if (region.end <= region.start) {
    return corrupt("end " + with_thousands(region.end) + " is not after start " + with_thousands(region.start));
  }
  EPIBOOK_ASSIGN_OR_RETURN(Split split, parse_split_name(f[3]));
  const bool has_label = f.size() >= 5;
  if (!labelled) labelled = has_label;
  if (has_label != *labelled) {
    return corrupt(has_label ? "has a label column but earlier lines do not" : "has no label column but earlier lines do");
  }
  if (has_label) {
    int label = 0;
    if (!parse_integer(f[4], label) || label < -1 || label > 1) {
      return corrupt("label '" + std::string(f[4]) + "' is not 1 (peak), 0 (background) or -1 (no data)");
    }
    out.labels.push_back(static_cast<int8_t>(label));
  }
  out.windows.push_back(std::move(region));
  out.splits.push_back(split);
  out.lines.push_back(number);
  return Status::ok();
}

Result<SplitWindows> parse_lines(LineReader lines) {
  SplitWindows out;
  std::optional<bool> labelled;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(bool more, lines.next());
    if (!more) break;
    if (skipped_line(lines.text())) continue;
    EPIBOOK_RETURN_IF_ERROR(
        parse_line(lines.text(), lines.number(), out, labelled).with_context(lines.name() + ": line " + std::to_string(lines.number())));
  }
  if (out.windows.empty()) return invalid_argument(lines.name() + ": no windows");
  return out;
}

}  // namespace

Result<Split> parse_split_name(std::string_view name) {
  if (name == "train") return Split::kTrain;
  if (name == "validation" || name == "val" || name == "valid") return Split::kValidation;
  if (name == "test") return Split::kTest;
  return invalid_argument("split '" + std::string(name) + "' is not train, validation or test");
}

Result<SplitWindows> parse_split_windows(const std::string& text, const std::string& source_name) {
  return parse_lines(LineReader(ByteStream::from_memory(text, source_name)));
}

Result<SplitWindows> read_split_windows(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(path));
  return parse_lines(LineReader(std::move(stream)));
}

}  // namespace epibook
