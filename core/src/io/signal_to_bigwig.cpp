// bedGraph / wig text to bigWig: the parsers' items go straight into a BigWigWriter,
// one at a time, so only the section being filled is in memory. bedGraph lines become
// bedGraph sections; fixedStep and variableStep runs keep their own section types,
// which store 4 or 8 bytes per item instead of 12.
#include <algorithm>
#include <cctype>

#include "epibook/signal_text.h"

namespace epibook {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Status add_item(BigWigWriter& writer, const SignalItem& item) {
  switch (item.layout) {
    case SignalLayout::kBedGraph: {
      const BigWigInterval interval{item.start, item.end, item.value};
      return writer.add_intervals(item.chrom, {&interval, 1});
    }
    case SignalLayout::kVariableStep:
      return writer.add_variable_step(item.chrom, item.end - item.start, {&item.start, 1}, {&item.value, 1});
    case SignalLayout::kFixedStep:
      return writer.add_fixed_step(item.chrom, item.start, item.step, item.end - item.start, {&item.value, 1});
  }
  return invalid_argument("unknown item layout");
}

}  // namespace

Result<SignalTextFormat> parse_signal_text_format(std::string_view name) {
  const std::string key = lower(name);
  if (key == "bedgraph" || key == "bg") return SignalTextFormat::kBedGraph;
  if (key == "wig") return SignalTextFormat::kWig;
  return invalid_argument("unknown signal format '" + std::string(name) + "' (bedgraph or wig)");
}

Result<SignalTextFormat> signal_text_format_from_path(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return invalid_argument(path + ": cannot tell bedGraph from wig without an extension (.bedGraph, .bg, .wig)");
  }
  Result<SignalTextFormat> format = parse_signal_text_format(path.substr(dot + 1));
  if (!format.is_ok()) {
    return invalid_argument(path + ": unknown extension '" + path.substr(dot) + "' (.bedGraph, .bg or .wig)");
  }
  return format;
}

Status convert_to_bigwig(const std::string& input, SignalTextFormat format, const std::vector<BigWigChrom>& chroms,
                         const std::string& output, const BigWigWriteOptions& options,
                         const ChromProgressHandler& on_chrom) {
  EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create(output, chroms, options));
  std::string current_chrom;
  const SignalItemHandler on_item = [&](const SignalItem& item) -> Status {
    if (on_chrom && item.chrom != current_chrom) {
      current_chrom.assign(item.chrom);
      on_chrom(current_chrom, writer.items_written());
    }
    return add_item(writer, item);
  };
  EPIBOOK_RETURN_IF_ERROR(format == SignalTextFormat::kBedGraph ? read_bedgraph(input, on_item)
                                                                : read_wig(input, on_item));
  return writer.finish();
}

}  // namespace epibook
