// The windows a dataset is built on (epibook/dataset.h): the BED of `epibook regions`
// read with the audit's own parser, or choose_regions' output taken as it is.
#include "epibook/audit.h"
#include "epibook/dataset.h"

namespace epibook {

std::string GenomeWindows::where(size_t window) const {
  if (window < lines.size()) return source + " line " + std::to_string(lines[window]);
  return source + " window " + std::to_string(window + 1) + " (" + format_region(regions[window]) + ")";
}

Result<GenomeWindows> parse_genome_windows(std::string_view text, std::string_view source_name) {
  EPIBOOK_ASSIGN_OR_RETURN(SplitWindows parsed, parse_split_windows(std::string(text), std::string(source_name)));
  GenomeWindows windows;
  windows.regions = std::move(parsed.windows);
  windows.labels = std::move(parsed.labels);
  windows.lines = std::move(parsed.lines);
  windows.source = std::string(source_name);
  windows.split.reserve(parsed.splits.size());
  for (Split split : parsed.splits) windows.split.push_back(static_cast<int8_t>(split));
  return windows;
}

GenomeWindows genome_windows_from(std::span<const ChosenWindow> chosen, std::string source_name) {
  GenomeWindows windows;
  windows.source = std::move(source_name);
  for (const ChosenWindow& w : chosen) {
    windows.regions.push_back(w.region);
    windows.labels.push_back(w.label);
    windows.split.push_back(static_cast<int8_t>(w.split));
  }
  return windows;
}

}  // namespace epibook
