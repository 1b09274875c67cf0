// The parsed state of an open bigWig file, shared by the reader's source files
// (bigwig_reader.cpp: header, chromosomes, values; bigwig_stats.cpp: statistics).
// Private to core/src/io. Sections: little-endian loads | R-tree index | blocks and
// their cache | BigWigReader::Impl
#pragma once

#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "epibook/bigwig.h"

namespace epibook::io {

// ---------------------------------------------------------------------------------
// bigWig is little-endian, as are x86-64 and WebAssembly: a load is a memcpy.
template <typename T>
inline T load(const uint8_t* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

// Reads one part of the file (`what`: "data index", "chromosome tree", ...). A part that
// would run past the end is reported as such, naming the file, the offset and the part:
// the sign of a truncated file or of an offset that points outside it.
inline Status read_part(const ByteSource& source, uint64_t offset, size_t size, void* out, const std::string& what) {
  if (offset > source.size() || size > source.size() - offset) {
    return corrupt(source.name() + ": byte " + with_thousands(offset) + ": " + what + " (" + with_thousands(size) +
                   " bytes) runs past the end of the file (" + with_thousands(source.size()) +
                   " bytes): truncated file or bad offset");
  }
  return source.read_at(offset, size, out);
}

constexpr uint32_t kBigWigMagic = 0x888FFC26;
constexpr uint32_t kBigBedMagic = 0x8789F2EB;
constexpr uint32_t kChromTreeMagic = 0x78CA8C91;
constexpr uint32_t kRTreeMagic = 0x2468ACE0;

// ---------------------------------------------------------------------------------
// Where one data or zoom block lies in the file.
struct BlockRef {
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The R-tree that maps (chromosome, base range) to blocks: one for the raw data and one
// per zoom level. Nodes are read on first use and kept, so a query touches the file
// only for blocks it has not seen.
class RTreeIndex {
 public:
  RTreeIndex(const ByteSource& source, uint64_t offset, std::string label);

  // Appends the blocks whose bounds overlap [start, end) on `chrom`, in file order, with
  // libBigWig's overlap rules (an empty range still finds the blocks that straddle it).
  Status find_blocks(uint32_t chrom, uint32_t start, uint32_t end, std::vector<BlockRef>& out) const;

 private:
  struct Item {
    uint32_t start_chrom, start_base, end_chrom, end_base;
    uint64_t offset, size;
  };
  struct Node {
    bool leaf = false;
    std::vector<Item> items;
  };

  Status read_header() const;
  Result<std::shared_ptr<const Node>> node_at(uint64_t offset) const;
  Status walk(const Node& node, uint32_t chrom, uint32_t start, uint32_t end, int depth, size_t& budget,
              std::vector<BlockRef>& out) const;

  const ByteSource& source_;
  const uint64_t offset_;
  const std::string label_;  // "data index", "zoom level 2 index": for messages
  mutable std::mutex mutex_;
  mutable bool header_read_ = false;
  mutable Status header_status_;
  mutable std::unordered_map<uint64_t, std::shared_ptr<const Node>> nodes_;
};

// ---------------------------------------------------------------------------------
// The header of a data block's section (bedGraph = 1, variableStep = 2, fixedStep = 3).
struct DataSection {
  uint32_t chrom = 0, start = 0, end = 0, step = 0, span = 0;
  uint8_t type = 0;
  uint16_t item_count = 0;
};
constexpr size_t kDataSectionBytes = 24;
constexpr size_t kZoomRecordBytes = 32;

enum class BlockKind : uint8_t { kData, kZoom };

// A block as inflated (or read, when the file is uncompressed).
struct InflatedBlock {
  std::vector<uint8_t> bytes;
  DataSection section;  // data blocks only
  // Starts and ends never decrease from item to item (true of every writer we know):
  // then a query finds its items by binary search instead of a scan.
  bool sorted = false;
};

// Least-recently-used inflated blocks, bounded in bytes. Shared by all threads.
class BlockCache {
 public:
  explicit BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  std::shared_ptr<const InflatedBlock> find(uint64_t key) const;
  void insert(uint64_t key, std::shared_ptr<const InflatedBlock> block) const;

 private:
  using Entry = std::pair<uint64_t, std::shared_ptr<const InflatedBlock>>;
  const size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::list<Entry> recency_;  // front: most recently used
  mutable std::unordered_map<uint64_t, std::list<Entry>::iterator> by_key_;
  mutable size_t bytes_ = 0;
};

// ---------------------------------------------------------------------------------
// A region checked against the file: chromosome id and 32-bit bounds.
struct ChromSpan {
  uint32_t chrom = 0;
  uint32_t start = 0;
  uint32_t end = 0;
};

}  // namespace epibook::io

namespace epibook {

struct BigWigReader::Impl {
  std::unique_ptr<ByteSource> source;
  BigWigHeader header;
  std::vector<BigWigChrom> chroms;  // in id order
  std::unordered_map<std::string, size_t> chrom_by_name;
  std::vector<BigWigZoomLevel> zoom_levels;
  std::unique_ptr<io::RTreeIndex> data_index;
  std::vector<std::unique_ptr<io::RTreeIndex>> zoom_indexes;
  std::unique_ptr<io::BlockCache> cache;

  const std::string& name() const { return source->name(); }

  // Checks the region against the file (chromosome present, start <= end <= length,
  // and not empty unless `allow_empty`).
  Result<io::ChromSpan> locate(const Region& region, bool allow_empty) const;

  // The block at `ref`, inflated and checked, from the cache when it is there.
  Result<std::shared_ptr<const io::InflatedBlock>> block(const io::BlockRef& ref, io::BlockKind kind) const;

  // All stored intervals on span.chrom passing libBigWig's test (end > start of range and
  // start < end of range), in file order, unclipped.
  Status collect_intervals(const io::ChromSpan& span, std::vector<BigWigInterval>& out) const;
};

}  // namespace epibook
