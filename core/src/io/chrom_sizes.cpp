// Chromosome sizes files (UCSC chrom.sizes, or the first two columns of a .fai): the
// names and lengths a bigWig's chromosome tree is built from.
#include <set>

#include "epibook/region.h"
#include "epibook/signal_text.h"
#include "io/signal_text_lines.h"

namespace epibook {
namespace {

Result<std::vector<BigWigChrom>> chrom_sizes_from(signal_text::TextLines& lines) {
  std::vector<BigWigChrom> chroms;
  std::set<std::string, std::less<>> seen;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    const std::string_view line = lines.line();
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    const std::vector<std::string_view> fields = signal_text::split_fields(line);
    if (fields.size() < 2) {
      return lines.at_line(invalid_argument("expected a name and a length, found " +
                                            std::to_string(fields.size()) + " column"));
    }
    if (const std::string problem = sequence_name_problem(fields[0]); !problem.empty()) {
      return lines.at_line(invalid_argument("column 1 (chrom): " + problem));
    }
    auto length = signal_text::parse_position(fields[1], "length");
    if (!length.is_ok()) return lines.at_line(length.status());
    if (!seen.emplace(fields[0]).second) {
      return lines.at_line(invalid_argument("chromosome " + std::string(fields[0]) + " is listed twice"));
    }
    chroms.push_back(BigWigChrom{std::string(fields[0]), static_cast<uint32_t>(chroms.size()), *length});
  }
  if (chroms.empty()) return invalid_argument(lines.name() + ": no chromosomes in the file");
  return chroms;
}

}  // namespace

Result<std::vector<BigWigChrom>> read_chrom_sizes(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(signal_text::TextLines lines, signal_text::TextLines::open_file(path));
  return chrom_sizes_from(lines);
}

Result<std::vector<BigWigChrom>> parse_chrom_sizes(std::string_view text, const std::string& source_name) {
  signal_text::TextLines lines = signal_text::TextLines::over_text(text, source_name);
  return chrom_sizes_from(lines);
}

}  // namespace epibook
