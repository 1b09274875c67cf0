// bigWig: the signal-track format of ENCODE and the genome browsers (Kent et al. 2010).
// Our own reader, so the same code runs natively and in WebAssembly; it answers as
// pyBigWig does (values with NaN where there is no data, intervals, exact and zoom
// statistics), and the golden tests hold it to pyBigWig and libBigWig on the same files.
//
// Sections: file layout structs | BigWigReader | statistics
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/byte_source.h"
#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// File layout (values as stored in the file).
struct BigWigChrom {
  std::string name;
  uint32_t id = 0;
  uint32_t length = 0;
};

struct BigWigZoomLevel {
  uint32_t reduction_level = 0;  // bases summarised by one zoom record
  uint64_t data_offset = 0;
  uint64_t index_offset = 0;
};

struct BigWigSummary {  // the file-wide total summary
  uint64_t bases_covered = 0;
  double min = 0, max = 0, sum = 0, sum_squares = 0;
};

struct BigWigHeader {
  uint32_t magic = 0;
  uint16_t version = 0;
  uint16_t zoom_level_count = 0;
  uint64_t chrom_tree_offset = 0;
  uint64_t full_data_offset = 0;
  uint64_t full_index_offset = 0;
  uint16_t field_count = 0;
  uint16_t defined_field_count = 0;
  uint64_t auto_sql_offset = 0;
  uint64_t total_summary_offset = 0;
  uint32_t uncompress_buf_size = 0;  // 0: data blocks are not compressed
  uint64_t extension_offset = 0;
  BigWigSummary summary;
};

// One run of bases with the same value, as stored (0-based, half-open).
struct BigWigInterval {
  uint32_t start = 0;
  uint32_t end = 0;
  float value = 0;
  friend bool operator==(const BigWigInterval&, const BigWigInterval&) = default;
};

enum class SummaryStat { kMean, kMin, kMax, kSum, kStd, kCoverage };
// "mean" -> kMean ...; fails on unknown names.
Result<SummaryStat> parse_summary_stat(std::string_view name);
const char* summary_stat_name(SummaryStat stat);

// ---------------------------------------------------------------------------------
struct BigWigReadOptions {
  // Inflated data and zoom blocks kept for reuse (least recently used go first). Random
  // windows hit the same blocks again and again; 0 turns the cache off.
#ifdef __EMSCRIPTEN__
  size_t block_cache_bytes = size_t{16} << 20;
#else
  size_t block_cache_bytes = size_t{64} << 20;
#endif
};

// Reading a bigWig file. Open once, query from any number of threads: the const methods
// are thread-safe (the block cache and the lazily read index nodes are guarded).
class BigWigReader {
 public:
  static Result<BigWigReader> open(const std::string& path, const BigWigReadOptions& options = {});
  static Result<BigWigReader> open(std::unique_ptr<ByteSource> source, const BigWigReadOptions& options = {});

  BigWigReader(BigWigReader&&) noexcept;
  BigWigReader& operator=(BigWigReader&&) noexcept;
  ~BigWigReader();

  const std::string& name() const;
  const BigWigHeader& header() const;
  const std::vector<BigWigChrom>& chroms() const;
  const std::vector<BigWigZoomLevel>& zoom_levels() const;
  // Length of a chromosome, or nullopt when the file does not have it.
  std::optional<uint32_t> chrom_length(std::string_view chrom) const;

  // Per-base values over a region; NaN where the file has no data. The region must
  // lie on a chromosome of the file and end within it, else the message names the file,
  // the region and the problem. values_into needs out.size() == region.length().
  Result<std::vector<float>> values(const Region& region) const;
  // The same check alone, without reading: what a caller holding many regions runs
  // first, so a bad one is reported before any output.
  Status check_region(const Region& region) const;
  Status values_into(const Region& region, std::span<float> out) const;

  // The stored intervals overlapping the region, in file order and NOT clipped to it:
  // pyBigWig's intervals() returns them whole too.
  Result<std::vector<BigWigInterval>> intervals(const Region& region) const;

  // A summary over the region split into `bins` equal parts, as pyBigWig.stats(nBins=,
  // exact=). exact=true reads the raw data; exact=false uses the zoom level whose
  // reduction is the largest not above half a bin, as pyBigWig does, and the raw data
  // when none fits. NaN for a bin with no data (pyBigWig's None), and everywhere when the
  // file's summary says no base is covered. The region must not be empty; 1 <= bins <=
  // 2^24. Bin edges, zoom record weighting and the std formula (n - 1) are pyBigWig's,
  // quirks included, so that answers match it number for number.
  Result<std::vector<double>> stats(const Region& region, SummaryStat stat, uint32_t bins = 1,
                                    bool exact = false) const;

  // Many regions at once: the values of each region, laid end to end in `out` in the
  // order of `regions` (out.size() must be the sum of their lengths). Each data block is
  // read and inflated once for the whole batch, however many regions touch it.
  Status values_batch(std::span<const Region> regions, std::span<float> out) const;

 private:
  struct Impl;
  explicit BigWigReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace epibook
