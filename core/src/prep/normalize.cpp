// Library-size normalisation (counts per million) of count tracks, see epibook/normalize.h:
// what makes two sequencing depths of one experiment comparable in scale.
#include <cmath>
#include <string>
#include <utility>

#include "epibook/bigwig.h"
#include "epibook/normalize.h"

namespace epibook {

Result<double> bigwig_library_size(const BigWigReader& reader, uint32_t count_bin) {
  if (count_bin == 0) return invalid_argument(reader.name() + ": the count bin must be at least 1 bp");
  const BigWigSummary& summary = reader.header().summary;
  const double library = summary.sum / static_cast<double>(count_bin);
  if (!(library > 0) || !std::isfinite(library)) {
    return invalid_argument(reader.name() + ": its values sum to " + std::to_string(summary.sum) +
                            " over " + std::to_string(summary.bases_covered) +
                            " bases, so it has no library size to normalise by (is it a count track?)");
  }
  return library;
}

Result<double> cpm_factor(double library_size) {
  if (!(library_size > 0) || !std::isfinite(library_size)) {
    return invalid_argument("library size " + std::to_string(library_size) + ": CPM needs a positive total count");
  }
  return 1e6 / library_size;
}

void scale_in_place(std::span<float> values, double factor) {
  for (float& v : values) v = static_cast<float>(static_cast<double>(v) * factor);
}

Result<SignalNormalization> parse_signal_normalization(std::string_view name) {
  if (name == "none") return SignalNormalization::kNone;
  if (name == "cpm") return SignalNormalization::kCpm;
  return invalid_argument("normalize '" + std::string(name) + "': expected none or cpm");
}

const char* signal_normalization_name(SignalNormalization normalization) {
  return normalization == SignalNormalization::kCpm ? "cpm" : "none";
}

SignalSource scaled_signal_source(SignalSource source, double factor) {
  auto read = std::move(source.values_batch);
  source.values_batch = [read = std::move(read), factor](std::span<const Region> regions,
                                                         std::span<float> out) -> Status {
    EPIBOOK_RETURN_IF_ERROR(read(regions, out));
    scale_in_place(out, factor);
    return Status::ok();
  };
  return source;
}

}  // namespace epibook
