// Fuzz target: FASTQ records, plain or gzip (recognised by the magic bytes, so the
// fuzzer reaches the inflater by mutating a .fq.gz seed), read one at a time and fed
// to the per-position quality summary as `epibook fastq qc` does.
#include "epibook/fastq.h"
#include "fuzz_input.h"

using namespace epibook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FastqReader reader = FastqReader::from_memory(fuzz::as_string(data, size), "fuzz.fq");
  QualitySummaryBuilder summary;
  FastqRecord record;
  for (int i = 0; i < 10000; ++i) {
    Result<bool> more = reader.next(record);
    if (!more.is_ok()) {
      fuzz::check_message(more.status());
      break;
    }
    if (!*more) break;
    if (record.sequence.size() != record.quality.size()) std::abort();
    summary.add(record.quality);
  }
  (void)summary.summary();
  return 0;
}
