// Which ASCII offset a FASTQ file's qualities use. Illumina pipelines before 1.8 wrote
// Phred+64 ('@' = Q0); everything since writes Phred+33 ('!' = Q0). FastqReader decodes
// with 33 (fastq.h), so a Phred+64 file reads 31 too high until re-offset here.
#pragma once

#include <span>

#include "epibook/fastq.h"

namespace epibook {

// The offset the qualities most likely use, from their range as decoded with +33:
// any character below ';' (decoded < 26) cannot be Phred+64, so 33; otherwise any
// above 'J' (decoded > 41, beyond Illumina's Phred+33 range) means 64; a file that
// fits both ranges is read as the modern 33. Records without qualities give 33.
int detect_phred_offset(std::span<const FastqRecord> records);

// Re-decodes qualities read with +33 as if the offset were `offset` (33 or 64); scores
// that would fall below 0 become 0, so a wrong choice shows, rather than wraps.
void apply_phred_offset(std::span<FastqRecord> records, int offset);

}  // namespace epibook
