// Writing bigWig files: the other half of io, so prepared or simulated signal leaves
// epibook in the format genome browsers, pyBigWig and deepTools read. Items stream in
// (from bedGraph / wig text or from memory), are packed into compressed sections as
// they arrive, and zoom levels, indexes and the header are written by finish().
//
// Sections: options | BigWigWriter | one-shot helpers | zoom levels
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
struct BigWigWriteOptions {
  // Items per data section and zoom records per zoom block (UCSC's bedGraphToBigWig
  // uses 1,024; at most 65,535, the section header's count field).
  uint32_t items_per_slot = 1024;
  // Children per R-tree node and keys per chromosome-tree node (2 .. 65,535).
  uint32_t block_size = 256;
  // Most zoom levels to write (0 .. 32). Fewer are written when a coarser level would
  // not summarise the data into fewer records.
  uint32_t max_zoom_levels = 10;
  // zlib-compress data sections and zoom blocks (readers then need an inflate buffer
  // of the header's uncompress_buf_size bytes).
  bool compress = true;
};

// Checks the ranges above; the message names the option.
Status validate(const BigWigWriteOptions& options);

// ---------------------------------------------------------------------------------
// Writes one bigWig. Items must arrive sorted by start within a chromosome, must not
// overlap, and each chromosome's items must arrive together (chromosomes themselves
// may come in any order). Every item is checked as it arrives; after a failed call the
// writer refuses further work, and destroying it removes the partial file.
//
// The file appears under its final name only when finish() succeeds: until then the
// bytes go to "<path>.partial", which the destructor removes if finish() never ran.
class BigWigWriter {
 public:
  // `chroms` gives each chromosome's name and length (their `id`s are ignored: the
  // writer numbers chromosomes in the order their data arrives, then the rest).
  static Result<BigWigWriter> create(const std::string& path, const std::vector<BigWigChrom>& chroms,
                                     const BigWigWriteOptions& options = {});
  // The same, building the file in memory; take it with finish_to_bytes(). This is how
  // a lab in the browser hands a reader a track to download.
  static Result<BigWigWriter> create_in_memory(const std::vector<BigWigChrom>& chroms,
                                               const BigWigWriteOptions& options = {});

  BigWigWriter(BigWigWriter&&) noexcept;
  BigWigWriter& operator=(BigWigWriter&&) noexcept;
  ~BigWigWriter();

  // bedGraph items: each interval with its own start, end and value.
  Status add_intervals(std::string_view chrom, std::span<const BigWigInterval> intervals);
  // variableStep items: each start (0-based) covers `span` bases.
  Status add_variable_step(std::string_view chrom, uint32_t span, std::span<const uint32_t> starts,
                           std::span<const float> values);
  // fixedStep items: value i covers [start + i*step, start + i*step + span). Calls that
  // continue the previous run (same chromosome, step and span) share its sections.
  Status add_fixed_step(std::string_view chrom, uint32_t start, uint32_t step, uint32_t span,
                        std::span<const float> values);

  // Writes the index, the zoom levels, the chromosome tree, the summary and the header,
  // then moves the file into place.
  Status finish();
  // finish() for a writer made by create_in_memory(): the complete file's bytes.
  Result<std::string> finish_to_bytes();

  // Counts so far, for progress messages.
  uint64_t items_written() const;
  uint64_t bases_covered() const;

 private:
  struct Impl;
  explicit BigWigWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------
// One chromosome's intervals, for writing a whole track held in memory.
struct ChromIntervals {
  std::string chrom;
  std::vector<BigWigInterval> intervals;
};

// Writes bedGraph sections for each entry of `signal`, in the given order.
Status write_bigwig(const std::string& path, const std::vector<BigWigChrom>& chroms,
                    const std::vector<ChromIntervals>& signal, const BigWigWriteOptions& options = {});
Result<std::string> bigwig_bytes(const std::vector<BigWigChrom>& chroms, const std::vector<ChromIntervals>& signal,
                                 const BigWigWriteOptions& options = {});

// ---------------------------------------------------------------------------------
// The bases per zoom record of each candidate zoom level, finest first. The first is
// 16 times the mean item span (at least 10 bases), each next one 4 times the previous,
// none past the longest chromosome: the levels libBigWig (pyBigWig's writer) chooses,
// so pyBigWig answers zoom queries on our files as it does on its own.
std::vector<uint32_t> bigwig_zoom_reductions(uint64_t bases_covered, uint64_t item_count,
                                             uint32_t longest_chrom, uint32_t max_levels);

}  // namespace epibook
