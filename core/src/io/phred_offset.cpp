// Phred offset detection and re-decoding (phred_offset.h), for readers of old
// Illumina files such as the Phred+64 reads in the book's first lab.
#include "epibook/phred_offset.h"

#include <algorithm>

namespace epibook {

int detect_phred_offset(std::span<const FastqRecord> records) {
  bool above_range_of_33 = false;
  for (const FastqRecord& record : records) {
    for (uint8_t score : record.quality) {
      if (score < 26) return 33;
      if (score > 41) above_range_of_33 = true;
    }
  }
  return above_range_of_33 ? 64 : 33;
}

void apply_phred_offset(std::span<FastqRecord> records, int offset) {
  const int shift = offset - 33;
  if (shift <= 0) return;
  for (FastqRecord& record : records) {
    for (uint8_t& score : record.quality) score = static_cast<uint8_t>(std::max(0, int{score} - shift));
  }
}

}  // namespace epibook
