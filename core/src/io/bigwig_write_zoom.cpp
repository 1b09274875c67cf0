// Building one zoom level of a bigWig (see bigwig_write_zoom.h). A record opens at the
// first base of data it will hold and takes the items of the next `reduction` bases
// of the same chromosome; its end is the end of the last data it holds. This is how
// libBigWig lays zoom records out, so pyBigWig's approximate stats() weigh partly
// overlapped records the same way on our files as on its own.
#include "io/bigwig_write_zoom.h"

#include <algorithm>

#include "io/bigwig_write_output.h"

namespace epibook::bigwig_write {

ZoomLevelBuilder::ZoomLevelBuilder(uint32_t reduction, uint32_t items_per_slot, bool compress)
    : reduction_(reduction), items_per_slot_(items_per_slot), compress_(compress) {}

Status ZoomLevelBuilder::add(uint32_t chrom, uint32_t start, uint32_t end, float value) {
  while (start < end) {
    const uint64_t window_end = uint64_t{record_.start} + reduction_;
    if (!open_ || record_.chrom != chrom || start >= window_end) {
      if (open_) EPIBOOK_RETURN_IF_ERROR(close_record());
      record_ = Record{chrom, start, start, 0, value, value, 0, 0};
      open_ = true;
      continue;
    }
    const uint32_t piece_end = static_cast<uint32_t>(std::min<uint64_t>(end, window_end));
    const double bases = piece_end - start;
    record_.end = piece_end;
    record_.covered += piece_end - start;
    record_.min = std::min(record_.min, value);
    record_.max = std::max(record_.max, value);
    record_.sum += bases * value;
    record_.sum_squares += bases * static_cast<double>(value) * value;
    start = piece_end;
  }
  return Status::ok();
}

Status ZoomLevelBuilder::close_record() {
  open_ = false;
  if (slot_records_ == 0) {
    slot_start_chrom_ = record_.chrom;
    slot_start_base_ = record_.start;
  }
  slot_end_chrom_ = record_.chrom;
  slot_end_base_ = record_.end;
  put_u32(slot_, record_.chrom);
  put_u32(slot_, record_.start);
  put_u32(slot_, record_.end);
  put_u32(slot_, record_.covered);
  put_f32(slot_, record_.min);
  put_f32(slot_, record_.max);
  put_f32(slot_, static_cast<float>(record_.sum));
  put_f32(slot_, static_cast<float>(record_.sum_squares));
  ++record_count_;
  if (++slot_records_ == items_per_slot_) return close_block();
  return Status::ok();
}

Status ZoomLevelBuilder::close_block() {
  if (slot_records_ == 0) return Status::ok();
  largest_raw_block_ = std::max(largest_raw_block_, slot_.size());
  const std::string* bytes = &slot_;
  if (compress_) {
    EPIBOOK_RETURN_IF_ERROR(compress_block(slot_, compressed_));
    bytes = &compressed_;
  }
  index_.push_back(IndexedBlock{slot_start_chrom_, slot_start_base_, slot_end_chrom_, slot_end_base_,
                                blocks_.size(), bytes->size()});
  blocks_ += *bytes;
  slot_.clear();
  slot_records_ = 0;
  return Status::ok();
}

Status ZoomLevelBuilder::finish() {
  if (open_) EPIBOOK_RETURN_IF_ERROR(close_record());
  return close_block();
}

}  // namespace epibook::bigwig_write
