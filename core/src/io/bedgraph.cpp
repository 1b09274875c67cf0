// bedGraph: the four-column text form of a signal track (chrom, start, end, value),
// as bedtools genomecov and MACS2 write it. Parsed line by line into items for the
// bigWig writer.
#include "epibook/region.h"
#include "epibook/signal_text.h"
#include "io/signal_text_lines.h"

namespace epibook {
namespace {

Result<SignalItem> bedgraph_item(std::string_view line) {
  const std::vector<std::string_view> fields = signal_text::split_fields(line);
  if (fields.size() != 4) {
    return invalid_argument("expected 4 columns (chrom, start, end, value), found " + std::to_string(fields.size()));
  }
  SignalItem item;
  item.layout = SignalLayout::kBedGraph;
  if (const std::string problem = sequence_name_problem(fields[0]); !problem.empty()) {
    return invalid_argument("column 1 (chrom): " + problem);
  }
  item.chrom = fields[0];
  EPIBOOK_ASSIGN_OR_RETURN(item.start, signal_text::parse_position(fields[1], "start"));
  EPIBOOK_ASSIGN_OR_RETURN(item.end, signal_text::parse_position(fields[2], "end"));
  if (item.end <= item.start) {
    return invalid_argument("end " + with_thousands(item.end) + (item.end == item.start ? " equals" : " is before") +
                            " start " + with_thousands(item.start));
  }
  EPIBOOK_ASSIGN_OR_RETURN(item.value, signal_text::parse_value(fields[3]));
  return item;
}

Status bedgraph_from(signal_text::TextLines& lines, const SignalItemHandler& on_item) {
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) return Status::ok();
    if (signal_text::is_skipped_line(lines.line())) continue;
    Result<SignalItem> item = bedgraph_item(lines.line());
    if (!item.is_ok()) return lines.at_line(item.status());
    Status status = on_item(*item);
    if (!status.is_ok()) return lines.at_line(status);
  }
}

}  // namespace

Status read_bedgraph(const std::string& path, const SignalItemHandler& on_item) {
  EPIBOOK_ASSIGN_OR_RETURN(signal_text::TextLines lines, signal_text::TextLines::open_file(path));
  return bedgraph_from(lines, on_item);
}

Status parse_bedgraph(std::string_view text, const std::string& source_name, const SignalItemHandler& on_item) {
  signal_text::TextLines lines = signal_text::TextLines::over_text(text, source_name);
  return bedgraph_from(lines, on_item);
}

}  // namespace epibook
