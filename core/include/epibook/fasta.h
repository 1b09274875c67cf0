// FASTA reference sequence: where the DNA under every window comes from before it is
// one-hot encoded. A .fai index (the layout `samtools faidx` writes) lets a window's
// sequence be read with one random-access read of just the lines it covers, natively
// from a file and in the browser from a buffer, so a 3 Gb genome never sits in memory.
//
// Sections: .fai index | FastaReader (random access) | whole-file reading
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/byte_source.h"
#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// One line of a .fai file: where a sequence's bases lie in the FASTA file.
struct FaiEntry {
  std::string name;
  uint64_t length = 0;      // bases
  uint64_t offset = 0;      // byte offset of the first base
  uint64_t line_bases = 0;  // bases on each full line
  uint64_t line_bytes = 0;  // bytes of each full line, line ending included
  friend bool operator==(const FaiEntry&, const FaiEntry&) = default;
};

struct FastaIndex {
  std::vector<FaiEntry> entries;  // in file order
  const FaiEntry* find(std::string_view name) const;
};

// Scans a FASTA file and indexes it as `samtools faidx` does: same columns, same
// numbers, sequences without bases left out. Fails, naming the line, where samtools
// would: lines of a sequence differing in length (all but the last must match), a
// blank line inside a sequence, sequence before the first '>' header. Also fails on
// a duplicate name (samtools keeps the first) and whitespace or a '>' inside a sequence line.
// A gzip-compressed FASTA is refused: random access needs the bytes as stored.
Result<FastaIndex> build_fai(const std::string& fasta_path);
// The same, for a FASTA file already in memory; `name` is used in messages.
Result<FastaIndex> build_fai_from_memory(std::string bytes, std::string name);

Result<FastaIndex> read_fai(const std::string& fai_path);
Result<FastaIndex> parse_fai(const std::string& text, const std::string& source_name);
// The index as `samtools faidx` writes it: five tab-separated columns per line.
std::string format_fai(const FastaIndex& index);
Status write_fai(const std::string& fai_path, const FastaIndex& index);

// ---------------------------------------------------------------------------------
enum class LetterCase {
  kAsStored,  // keeps soft-masked (lower-case) repeats as they are
  kUpper,
};

// Random access to the sequence of any region. Reads are independent and may run
// from several threads at once.
class FastaReader {
 public:
  // Opens a FASTA file with its index: `path`.fai when it exists, otherwise an index
  // built in memory by scanning the file once (nothing is written beside it).
  static Result<FastaReader> open(const std::string& path);
  // A FASTA held by any byte source (a browser buffer, a file) with its index. The
  // index is checked against the source's size, so a stale .fai is reported.
  static Result<FastaReader> open(std::unique_ptr<ByteSource> source, FastaIndex index);

  FastaReader(FastaReader&&) noexcept;
  FastaReader& operator=(FastaReader&&) noexcept;
  ~FastaReader();

  const std::string& name() const;
  const FastaIndex& index() const;
  std::optional<uint64_t> sequence_length(std::string_view name) const;

  // The bases of a region (0-based, half-open), read from just the lines it covers.
  // Fails for an unknown sequence or a region past the sequence's end.
  Result<std::string> fetch(const Region& region, LetterCase letter_case = LetterCase::kAsStored) const;

 private:
  struct Impl;
  explicit FastaReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------
// Whole-file reading, for small FASTA (a chapter's slice, a motif set). Plain or gzip.
struct FastaRecord {
  std::string name;         // the header's first word
  std::string description;  // the rest of the header, "" when none
  std::string sequence;
};

Result<std::vector<FastaRecord>> read_fasta(const std::string& path);
Result<std::vector<FastaRecord>> parse_fasta(std::string text, const std::string& source_name);

}  // namespace epibook
