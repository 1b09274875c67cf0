// The bigWig reader seen as a dataset's signal source (epibook/prep.h); kept apart from
// dataset.cpp so the pure preparation code links without the reader.
#include "epibook/bigwig.h"
#include "epibook/prep.h"

namespace epibook {

SignalSource bigwig_signal_source(const BigWigReader& reader) {
  SignalSource source;
  source.name = reader.name();
  source.chrom_length = [&reader](std::string_view chrom) -> std::optional<uint64_t> {
    const std::optional<uint32_t> length = reader.chrom_length(chrom);
    if (!length) return std::nullopt;
    return *length;
  };
  source.values_batch = [&reader](std::span<const Region> regions, std::span<float> out) {
    return reader.values_batch(regions, out);
  };
  source.chrom_names = [&reader] {
    std::vector<std::string> names;
    for (const BigWigChrom& chrom : reader.chroms()) names.push_back(chrom.name);
    return names;
  };
  return source;
}

Result<PrepDataset> prepare_dataset(const BigWigReader& reader, std::span<const Region> regions,
                                    const PrepOptions& options, const PrepProgress& progress) {
  return prepare_dataset(bigwig_signal_source(reader), regions, options, progress);
}

}  // namespace epibook
