// Signal as text: bedGraph, wig (fixedStep / variableStep) and chromosome-sizes files,
// the formats coverage tools emit and UCSC's converters read. They feed the bigWig
// writer: text -> items (0-based, half-open; wig's 1-based positions converted) ->
// BigWigWriter. Files are read as a stream, so a genome-wide bedGraph never sits in
// memory. Errors name the file, the line and the problem: "in.bedGraph: line 17: ...".
//
// Sections: chromosome sizes | items | bedGraph | wig | conversion to bigWig
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/bigwig_writer.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// "name<TAB>length" per line (UCSC's chrom.sizes; extra columns, such as a .fai's, are
// ignored; '#' lines and blank lines are skipped). `id` is the line order from 0.
Result<std::vector<BigWigChrom>> read_chrom_sizes(const std::string& path);
Result<std::vector<BigWigChrom>> parse_chrom_sizes(std::string_view text, const std::string& source_name);

// ---------------------------------------------------------------------------------
// How the items of a text file are laid out; each maps to a bigWig section type.
enum class SignalLayout : uint8_t { kBedGraph, kVariableStep, kFixedStep };

// One item of a text file, in 0-based half-open coordinates.
struct SignalItem {
  SignalLayout layout = SignalLayout::kBedGraph;
  std::string_view chrom;  // valid during the handler call only
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t step = 0;  // fixedStep only: distance to the next item's start
  float value = 0;
};

// Called for each item in file order. An error it returns stops the reading and comes
// back with "<file>: line <n>: " in front.
using SignalItemHandler = std::function<Status(const SignalItem&)>;

// ---------------------------------------------------------------------------------
// bedGraph: "chrom start end value", tab or space separated, 0-based half-open.
// "track", "browser" and '#' lines and blank lines are skipped.
Status read_bedgraph(const std::string& path, const SignalItemHandler& on_item);
Status parse_bedgraph(std::string_view text, const std::string& source_name, const SignalItemHandler& on_item);

// ---------------------------------------------------------------------------------
// wig: "fixedStep chrom= start= [step=] [span=]" followed by one value per line, or
// "variableStep chrom= [span=]" followed by "position value" lines. Positions are
// 1-based in wig and come out 0-based. step and span default to 1.
Status read_wig(const std::string& path, const SignalItemHandler& on_item);
Status parse_wig(std::string_view text, const std::string& source_name, const SignalItemHandler& on_item);

// ---------------------------------------------------------------------------------
enum class SignalTextFormat { kBedGraph, kWig };

// "bedgraph" / "bg" / "wig" (any case).
Result<SignalTextFormat> parse_signal_text_format(std::string_view name);
// From the extension: .bedGraph, .bedgraph, .bg -> bedGraph; .wig -> wig.
Result<SignalTextFormat> signal_text_format_from_path(const std::string& path);

// Called when the items of a new chromosome begin, with the items written so far.
using ChromProgressHandler = std::function<void(std::string_view chrom, uint64_t items_so_far)>;

// Streams a bedGraph or wig file into a bigWig: bedGraph lines become bedGraph
// sections, fixedStep and variableStep blocks their own section types. Every problem
// is reported with the input's name and line; `output` appears only when complete.
Status convert_to_bigwig(const std::string& input, SignalTextFormat format, const std::vector<BigWigChrom>& chroms,
                         const std::string& output, const BigWigWriteOptions& options = {},
                         const ChromProgressHandler& on_chrom = {});

}  // namespace epibook
