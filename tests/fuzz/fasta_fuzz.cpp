// Fuzz target: FASTA bytes indexed in memory (as a lab does with a reader's file) and
// read by region, then as a whole file; the first byte chooses whether the rest is
// read as FASTA or as a .fai index checked against a fixed FASTA.
#include <algorithm>

#include "epibook/fasta.h"
#include "fuzz_input.h"

using namespace epibook;

namespace {

void fetch_some(const FastaReader& reader) {
  for (const FaiEntry& entry : reader.index().entries) fuzz::check_sequence_name(entry.name);
  size_t asked = 0;
  for (const FaiEntry& entry : reader.index().entries) {
    if (++asked > 4) break;
    const uint64_t end = std::min<uint64_t>(entry.length, 300);
    for (const Region& region : {Region{entry.name, 0, end}, Region{entry.name, entry.length - end, entry.length},
                                 Region{entry.name, 0, entry.length + 1}}) {
      Result<std::string> bases = reader.fetch(region, LetterCase::kUpper);
      if (!bases.is_ok()) fuzz::check_message(bases.status());
      else if (bases->size() != region.length()) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes = fuzz::as_string(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    Result<FastaIndex> index = build_fai_from_memory(bytes, "fuzz.fa");
    if (!index.is_ok()) {
      fuzz::check_message(index.status());
    } else {
      Result<FastaReader> reader = FastaReader::open(memory_source(bytes, "fuzz.fa"), *index);
      if (!reader.is_ok()) fuzz::check_message(reader.status());
      else fetch_some(*reader);
    }
    Result<std::vector<FastaRecord>> records = parse_fasta(bytes, "fuzz.fa");
    if (!records.is_ok()) {
      fuzz::check_message(records.status());
    } else {
      for (const FastaRecord& record : *records) fuzz::check_sequence_name(record.name);
    }
    return 0;
  }
  // A .fai describing a small fixed FASTA: stale or hostile indexes must be refused.
  static const std::string kFasta = ">seq1 first\nACGTACGTAC\nGTACGTAC\n>seq2\nNNNNacgtNN\nACG\n";
  Result<FastaIndex> index = parse_fai(bytes, "fuzz.fa.fai");
  if (!index.is_ok()) {
    fuzz::check_message(index.status());
    return 0;
  }
  Result<FastaReader> reader = FastaReader::open(memory_source(kFasta, "fixed.fa"), *index);
  if (!reader.is_ok()) fuzz::check_message(reader.status());
  else fetch_some(*reader);
  return 0;
}
