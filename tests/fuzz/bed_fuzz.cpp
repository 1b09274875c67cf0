// Fuzz target: BED and narrowPeak text (plain or gzip, recognised by its bytes), read
// as `epibook regions --peaks` and `bw values REGIONS.bed` read them.
#include "epibook/bed.h"
#include "fuzz_input.h"

using namespace epibook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<std::vector<BedRecord>> records = parse_bed(fuzz::as_string(data, size), "fuzz.bed");
  if (!records.is_ok()) {
    fuzz::check_message(records.status());
    return 0;
  }
  for (const BedRecord& record : *records) fuzz::check_sequence_name(record.region.chrom);
  // What was read writes back and reads again to the same regions.
  Result<std::vector<BedRecord>> again = parse_bed(format_bed(*records), "fuzz-again.bed");
  if (!again.is_ok() || again->size() != records->size()) {
    std::fprintf(stderr, "fuzz: BED written from parsed records does not read back: %s\n",
                 again.is_ok() ? "record count differs" : again.status().message().c_str());
    std::abort();
  }
  for (size_t i = 0; i < records->size(); ++i) {
    if (!((*again)[i].region == (*records)[i].region)) {
      std::fprintf(stderr, "fuzz: record %zu's region changed on the round trip\n", i);
      std::abort();
    }
  }
  return 0;
}
