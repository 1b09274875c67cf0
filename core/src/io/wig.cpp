// wig: UCSC's step-based signal text. A "fixedStep" line starts a run of values at
// evenly spaced positions, a "variableStep" line a run of "position value" pairs; both
// may give a span (bases per value). Positions are 1-based in wig: they leave here
// 0-based, as everywhere else in epibook.
#include <limits>

#include "epibook/region.h"
#include "epibook/signal_text.h"
#include "io/signal_text_lines.h"

namespace epibook {
namespace {

// The declaration in force: which layout, on which chromosome, and where the next
// fixedStep value goes.
struct WigBlock {
  SignalLayout layout = SignalLayout::kBedGraph;  // kBedGraph: no declaration seen yet
  std::string chrom;
  uint64_t next_start = 0;  // fixedStep, 0-based
  uint32_t step = 1;
  uint32_t span = 1;
};

Status parse_declaration(std::string_view line, WigBlock& block) {
  const std::vector<std::string_view> fields = signal_text::split_fields(line);
  const bool fixed = fields[0] == "fixedStep";
  WigBlock next;
  next.layout = fixed ? SignalLayout::kFixedStep : SignalLayout::kVariableStep;
  bool has_start = false;
  for (size_t i = 1; i < fields.size(); ++i) {
    const size_t equals = fields[i].find('=');
    if (equals == std::string_view::npos) {
      return invalid_argument(std::string(fields[0]) + ": expected key=value, found '" + std::string(fields[i]) + "'");
    }
    const std::string_view key = fields[i].substr(0, equals);
    const std::string_view value = fields[i].substr(equals + 1);
    if (key == "chrom") {
      if (const std::string problem = sequence_name_problem(value); !problem.empty()) {
        return invalid_argument("chrom=: " + problem);
      }
      next.chrom = std::string(value);
    } else if (key == "span") {
      EPIBOOK_ASSIGN_OR_RETURN(next.span, signal_text::parse_position(value, "span"));
      if (next.span == 0) return invalid_argument("span must be at least 1");
    } else if (fixed && key == "step") {
      EPIBOOK_ASSIGN_OR_RETURN(next.step, signal_text::parse_position(value, "step"));
      if (next.step == 0) return invalid_argument("step must be at least 1");
    } else if (fixed && key == "start") {
      EPIBOOK_ASSIGN_OR_RETURN(const uint32_t start, signal_text::parse_position(value, "start"));
      if (start == 0) return invalid_argument("start must be at least 1 (wig positions are 1-based)");
      next.next_start = start - 1;
      has_start = true;
    } else {
      return invalid_argument(std::string(fields[0]) + " has no field '" + std::string(key) + "'");
    }
  }
  if (next.chrom.empty()) return invalid_argument(std::string(fields[0]) + " needs chrom=");
  if (fixed && !has_start) return invalid_argument("fixedStep needs start=");
  block = std::move(next);
  return Status::ok();
}

Result<SignalItem> data_item(std::string_view line, WigBlock& block) {
  const std::vector<std::string_view> fields = signal_text::split_fields(line);
  SignalItem item;
  item.layout = block.layout;
  item.chrom = block.chrom;
  if (block.layout == SignalLayout::kFixedStep) {
    if (fields.size() != 1) {
      return invalid_argument("expected one value per line after fixedStep, found " + std::to_string(fields.size()) +
                              " fields");
    }
    EPIBOOK_ASSIGN_OR_RETURN(item.value, signal_text::parse_value(fields[0]));
    if (block.next_start + block.span > std::numeric_limits<uint32_t>::max()) {
      return invalid_argument("position " + with_thousands(block.next_start + 1) +
                              " is past the largest position a bigWig holds");
    }
    item.start = static_cast<uint32_t>(block.next_start);
    item.step = block.step;
    block.next_start += block.step;
  } else {
    if (fields.size() != 2) {
      return invalid_argument("expected 'position value' after variableStep, found " + std::to_string(fields.size()) +
                              " fields");
    }
    EPIBOOK_ASSIGN_OR_RETURN(const uint32_t position, signal_text::parse_position(fields[0], "position"));
    if (position == 0) return invalid_argument("position 0: wig positions are 1-based");
    EPIBOOK_ASSIGN_OR_RETURN(item.value, signal_text::parse_value(fields[1]));
    item.start = position - 1;
  }
  if (uint64_t{item.start} + block.span > std::numeric_limits<uint32_t>::max()) {
    return invalid_argument("position " + with_thousands(uint64_t{item.start} + 1) +
                            " is past the largest position a bigWig holds");
  }
  item.end = item.start + block.span;
  return item;
}

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word &&
         (line.size() == word.size() || line[word.size()] == ' ' || line[word.size()] == '\t');
}

Status wig_from(signal_text::TextLines& lines, const SignalItemHandler& on_item) {
  WigBlock block;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) return Status::ok();
    const std::string_view line = lines.line();
    if (signal_text::is_skipped_line(line)) continue;
    if (starts_with_word(line, "fixedStep") || starts_with_word(line, "variableStep")) {
      Status status = parse_declaration(line, block);
      if (!status.is_ok()) return lines.at_line(status);
      continue;
    }
    if (block.layout == SignalLayout::kBedGraph) {
      return lines.at_line(invalid_argument("data before any fixedStep or variableStep line"));
    }
    Result<SignalItem> item = data_item(line, block);
    if (!item.is_ok()) return lines.at_line(item.status());
    Status status = on_item(*item);
    if (!status.is_ok()) return lines.at_line(status);
  }
}

}  // namespace

Status read_wig(const std::string& path, const SignalItemHandler& on_item) {
  EPIBOOK_ASSIGN_OR_RETURN(signal_text::TextLines lines, signal_text::TextLines::open_file(path));
  return wig_from(lines, on_item);
}

Status parse_wig(std::string_view text, const std::string& source_name, const SignalItemHandler& on_item) {
  signal_text::TextLines lines = signal_text::TextLines::over_text(text, source_name);
  return wig_from(lines, on_item);
}

}  // namespace epibook
