// Private to the bigWig writer: the two trees of a bigWig file, serialised. The
// chromosome B+ tree maps names to ids and lengths; the R-tree (UCSC's "cirTree") maps
// (chromosome, base) ranges to the file blocks that hold them, for data and for each
// zoom level. Both are written bulk-loaded, top level first, nodes full but the last.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace epibook::bigwig_write {

// One block as the R-tree indexes it: the range it covers and where its bytes are.
struct IndexedBlock {
  uint32_t start_chrom = 0;
  uint32_t start_base = 0;
  uint32_t end_chrom = 0;
  uint32_t end_base = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The R-tree over `blocks` (sorted by position), to be placed at `tree_offset`.
// `end_file_offset` is the end of the indexed data; `items_per_slot` is recorded in the
// header as the items per block.
std::string r_tree_bytes(std::span<const IndexedBlock> blocks, uint32_t block_size, uint32_t items_per_slot,
                         uint64_t end_file_offset, uint64_t tree_offset);

struct ChromTreeEntry {
  std::string name;
  uint32_t id = 0;
  uint32_t length = 0;
};

// The chromosome B+ tree, keys sorted by name (byte order), placed at `tree_offset`.
// Its size depends only on the names and the block size, not on the ids, so space can
// be reserved before the ids are known.
std::string chrom_tree_bytes(std::vector<ChromTreeEntry> entries, uint32_t block_size, uint64_t tree_offset);

}  // namespace epibook::bigwig_write
