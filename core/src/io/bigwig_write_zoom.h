// Private to the bigWig writer: one zoom level being built. Each zoom record summarises
// up to `reduction` bases of one chromosome (covered bases, min, max, sum, sum of
// squares), so a browser or pyBigWig.stats() can answer a wide window from a few
// records instead of all the items.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "epibook/status.h"
#include "io/bigwig_write_trees.h"

namespace epibook::bigwig_write {

class ZoomLevelBuilder {
 public:
  ZoomLevelBuilder(uint32_t reduction, uint32_t items_per_slot, bool compress);

  // Adds one item; items arrive in file order (chromosome id, then start).
  Status add(uint32_t chrom, uint32_t start, uint32_t end, float value);
  // Closes the open record and the last block.
  Status finish();

  uint32_t reduction() const { return reduction_; }
  uint64_t record_count() const { return record_count_; }
  // The level's blocks end to end; index() offsets are relative to its first byte.
  const std::string& blocks() const { return blocks_; }
  const std::vector<IndexedBlock>& index() const { return index_; }
  size_t largest_raw_block() const { return largest_raw_block_; }

 private:
  struct Record {
    uint32_t chrom = 0, start = 0, end = 0, covered = 0;
    float min = 0, max = 0;
    double sum = 0, sum_squares = 0;  // summed in double, stored as float
  };
  Status close_record();
  Status close_block();

  uint32_t reduction_;
  uint32_t items_per_slot_;
  bool compress_;
  bool open_ = false;
  Record record_;
  std::string slot_;  // raw records of the block being filled
  uint32_t slot_records_ = 0;
  uint32_t slot_start_chrom_ = 0, slot_start_base_ = 0;
  uint32_t slot_end_chrom_ = 0, slot_end_base_ = 0;
  std::string blocks_;
  std::string compressed_;
  std::vector<IndexedBlock> index_;
  uint64_t record_count_ = 0;
  size_t largest_raw_block_ = 0;
};

}  // namespace epibook::bigwig_write
