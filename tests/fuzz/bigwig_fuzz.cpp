// Fuzz target: a bigWig's bytes (header, chromosome tree, R-tree index, zoom levels,
// data blocks, compressed or not) opened from memory, then asked what a reader asks:
// values, intervals and statistics over each chromosome's start, middle and end.
#include <algorithm>

#include "epibook/bigwig.h"
#include "fuzz_input.h"

using namespace epibook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<BigWigReader> opened = BigWigReader::open(memory_source(fuzz::as_string(data, size), "fuzz.bw"));
  if (!opened.is_ok()) {
    fuzz::check_message(opened.status());
    return 0;
  }
  const BigWigReader& reader = *opened;
  size_t asked = 0;
  for (const BigWigChrom& chrom : reader.chroms()) fuzz::check_sequence_name(chrom.name);
  for (const BigWigChrom& chrom : reader.chroms()) {
    if (++asked > 4) break;
    const uint64_t length = chrom.length;
    const uint64_t span = std::min<uint64_t>(length, 4096);
    const Region regions[] = {{chrom.name, 0, span}, {chrom.name, length / 2, std::min<uint64_t>(length, length / 2 + 512)},
                              {chrom.name, length - span, length}};
    for (const Region& region : regions) {
      Result<std::vector<float>> values = reader.values(region);
      if (!values.is_ok()) fuzz::check_message(values.status());
      Result<std::vector<BigWigInterval>> intervals = reader.intervals(region);
      if (!intervals.is_ok()) fuzz::check_message(intervals.status());
      if (region.length() == 0) continue;
      for (SummaryStat stat : {SummaryStat::kMean, SummaryStat::kMax, SummaryStat::kStd}) {
        for (bool exact : {false, true}) {
          Result<std::vector<double>> stats = reader.stats(region, stat, 4, exact);
          if (!stats.is_ok()) fuzz::check_message(stats.status());
        }
      }
    }
    std::vector<float> batch(std::min<uint64_t>(length, 1024) * 2);
    const Region pair[] = {{chrom.name, 0, batch.size() / 2}, {chrom.name, length - batch.size() / 2, length}};
    fuzz::check_message(reader.values_batch(pair, batch));
  }
  return 0;
}
