// FASTQ: sequencing reads as they leave the sequencer, before alignment. The reader
// streams plain or gzip files (recognised by their magic bytes, not their name) and
// decodes each quality character to a Phred score, Q = ord(c) - 33, so a chapter can
// show what a read's confidence looks like. Every error names the file, the line, the
// record and the problem, e.g.
// "reads.fq: line 8 (record 2): quality has 35 characters, sequence has 36".
//
// Sections: records and Phred scores | FastqReader | per-position quality summary
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// One read: four lines "@name", sequence, "+", quality.
struct FastqRecord {
  std::string name;              // the header after '@', description included
  std::string sequence;
  std::vector<uint8_t> quality;  // Phred scores, one per base (0..93)
};

// The highest score Phred+33 can write ('~').
inline constexpr int kMaxPhredScore = 93;

// The chance that a base call with this score is wrong: 10^(-Q/10).
// Q20 -> 0.01, Q30 -> 0.001.
double phred_error_probability(int score);

// The first word of the header (the read id without its description).
std::string fastq_read_id(const FastqRecord& record);

// ---------------------------------------------------------------------------------
// Reads records one at a time, in constant memory.
class FastqReader {
 public:
  static Result<FastqReader> open(const std::string& path);
  // Reads a file already in memory (plain or gzip); `name` is used in messages.
  static FastqReader from_memory(std::string bytes, std::string name);

  FastqReader(FastqReader&&) noexcept;
  FastqReader& operator=(FastqReader&&) noexcept;
  ~FastqReader();

  // Reads the next record into `record`. Returns false at the end of the file and
  // an error for a malformed or truncated record.
  Result<bool> next(FastqRecord& record);

  uint64_t records_read() const;
  const std::string& name() const;

 private:
  struct Impl;
  explicit FastqReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads up to `max_records` records of a file (all of them by default).
Result<std::vector<FastqRecord>> read_fastq(const std::string& path,
                                            uint64_t max_records = std::numeric_limits<uint64_t>::max());

// ---------------------------------------------------------------------------------
// Quality at one read position over many reads, as in a FastQC box plot. Quartiles
// interpolate linearly between order statistics (numpy's default percentile).
struct PositionQuality {
  uint64_t reads = 0;  // reads long enough to have this position
  double mean = 0;
  double q1 = 0;
  double median = 0;
  double q3 = 0;
  int min = 0;
  int max = 0;
};

struct QualitySummary {
  uint64_t records = 0;
  std::vector<PositionQuality> positions;  // positions[0] is the first base of a read
};

// Accumulates scores read by read, so a summary over millions of reads takes a
// histogram per position, not the reads.
class QualitySummaryBuilder {
 public:
  void add(std::span<const uint8_t> quality);
  QualitySummary summary() const;

 private:
  uint64_t records_ = 0;
  std::vector<std::vector<uint64_t>> histograms_;  // [position][score]
};

QualitySummary summarize_quality(std::span<const FastqRecord> records);

// The summary over the first `max_records` records of a file.
Result<QualitySummary> summarize_fastq_quality(const std::string& path, uint64_t max_records);

}  // namespace epibook
