// The bigWig writer (see epibook/bigwig_writer.h). Layout written, in file order:
// header | zoom headers | total summary | chromosome tree | data sections | data
// R-tree | per zoom level: records, R-tree | magic. Data sections stream to the output
// as items arrive; finish() reads them back once to build every zoom level, then
// patches the placeholders at the front.
//
// Sections: layout constants | item checks | sections | finish | public API
#include "epibook/bigwig_writer.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "io/bigwig_write_output.h"
#include "io/bigwig_write_trees.h"
#include "io/bigwig_write_zoom.h"

namespace epibook {

using bigwig_write::IndexedBlock;
using bigwig_write::OutputTarget;
using bigwig_write::ZoomLevelBuilder;

namespace {

// ---------------------------------------------------------------------------------
constexpr uint32_t kBigWigMagic = 0x888FFC26;
constexpr uint16_t kBigWigVersion = 4;
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kZoomHeaderSize = 24;
constexpr uint64_t kSummarySize = 40;
constexpr uint64_t kSectionHeaderSize = 24;
constexpr uint32_t kMostZoomLevels = 32;

enum class SectionType : uint8_t { kBedGraph = 1, kVariableStep = 2, kFixedStep = 3 };

struct ChromState {
  std::string name;
  uint32_t length = 0;
  int64_t id = -1;  // assigned when its first item arrives
  bool finished = false;
};

std::string region_text(const std::string& chrom, uint64_t start, uint64_t end) {
  return format_region(Region{chrom, start, end});
}

}  // namespace

Status validate(const BigWigWriteOptions& options) {
  if (options.items_per_slot < 1 || options.items_per_slot > 65535) {
    return invalid_argument("items per slot must be 1 to 65,535, not " + with_thousands(options.items_per_slot));
  }
  if (options.block_size < 2 || options.block_size > 65535) {
    return invalid_argument("block size must be 2 to 65,535, not " + with_thousands(options.block_size));
  }
  if (options.max_zoom_levels > kMostZoomLevels) {
    return invalid_argument("at most " + std::to_string(kMostZoomLevels) + " zoom levels, not " +
                            std::to_string(options.max_zoom_levels));
  }
  return Status::ok();
}

std::vector<uint32_t> bigwig_zoom_reductions(uint64_t bases_covered, uint64_t item_count, uint32_t longest_chrom,
                                             uint32_t max_levels) {
  std::vector<uint32_t> reductions;
  if (item_count == 0 || max_levels == 0 || longest_chrom == 0) return reductions;
  const uint64_t quadruple_mean = 4 * (bases_covered / item_count);
  if (quadruple_mean > (uint64_t{0xFFFFFFFF} >> 2)) return reductions;
  uint64_t reduction = std::max<uint64_t>(10, 4 * quadruple_mean);
  reduction = std::min<uint64_t>(reduction, longest_chrom);
  while (reductions.size() < max_levels && reduction <= longest_chrom) {
    reductions.push_back(static_cast<uint32_t>(reduction));
    reduction *= 4;
  }
  return reductions;
}

// ---------------------------------------------------------------------------------
struct BigWigWriter::Impl {
  BigWigWriteOptions options;
  std::unique_ptr<OutputTarget> out;
  bigwig_write::MemoryTarget* memory = nullptr;  // set when `out` is in memory

  std::vector<ChromState> chroms;
  std::map<std::string, size_t, std::less<>> chrom_index;
  uint32_t longest_chrom = 0;
  uint32_t next_id = 0;

  uint64_t summary_offset = 0;
  uint64_t chrom_tree_offset = 0;
  uint64_t chrom_tree_size = 0;
  uint64_t data_offset = 0;

  // The chromosome whose items are arriving, and its last item.
  size_t current = SIZE_MAX;
  bool has_previous = false;
  uint32_t previous_start = 0;
  uint32_t previous_end = 0;

  // The section being filled (all on `current`).
  SectionType type = SectionType::kBedGraph;
  uint32_t section_step = 0;
  uint32_t section_span = 0;
  std::vector<uint32_t> starts;
  std::vector<uint32_t> ends;  // bedGraph only
  std::vector<float> values;

  std::vector<IndexedBlock> blocks;
  std::vector<uint32_t> raw_block_sizes;
  size_t largest_raw_block = 0;
  std::string raw;
  std::string compressed;

  uint64_t items = 0;
  uint64_t bases = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
  double sum_squares = 0;

  bool failed = false;
  bool finished = false;

  Status setup(const std::vector<BigWigChrom>& chrom_list);
  Status usable() const;
  Status fail(Status status) {
    failed = true;
    return status;
  }

  // -------------------------------------------------------------------------------
  // Item checks
  Result<size_t> find_chrom(std::string_view name) {
    if (current != SIZE_MAX && chroms[current].name == name) return current;
    auto it = chrom_index.find(name);
    if (it == chrom_index.end()) {
      return not_found("chromosome " + std::string(name) + " is not among the " + with_thousands(chroms.size()) +
                       " chromosomes given (check the chromosome sizes)");
    }
    return it->second;
  }

  Status enter_chrom(size_t index) {
    if (index == current) return Status::ok();
    if (chroms[index].finished) {
      return invalid_argument(chroms[index].name + " comes back after " + chroms[current].name +
                              ": each chromosome's items must be together (sort -k1,1 -k2,2n)");
    }
    EPIBOOK_RETURN_IF_ERROR(flush_section());
    if (current != SIZE_MAX) chroms[current].finished = true;
    current = index;
    chroms[index].id = next_id++;
    has_previous = false;
    return Status::ok();
  }

  Status check_item(size_t index, uint64_t start, uint64_t end, float value) {
    const ChromState& chrom = chroms[index];
    if (end <= start) {
      return invalid_argument(region_text(chrom.name, start, end) +
                              (end == start ? ": empty interval" : ": end is before start"));
    }
    if (end > chrom.length) {
      return invalid_argument(region_text(chrom.name, start, end) + " runs past the end of " + chrom.name + " (" +
                              with_thousands(chrom.length) + " bp)");
    }
    if (std::isnan(value)) return invalid_argument(region_text(chrom.name, start, end) + ": value is NaN");
    if (std::isinf(value)) {
      return invalid_argument(region_text(chrom.name, start, end) + ": value is infinite (bigWig holds finite numbers)");
    }
    EPIBOOK_RETURN_IF_ERROR(enter_chrom(index));
    if (has_previous && start < previous_end) {
      const std::string here = region_text(chrom.name, start, end);
      const std::string before = region_text(chrom.name, previous_start, previous_end);
      if (end <= previous_start) {
        return invalid_argument(here + " comes before the previous interval " + before +
                                ": the input must be sorted by start (sort -k1,1 -k2,2n)");
      }
      return invalid_argument(here + " overlaps the previous interval " + before);
    }
    has_previous = true;
    previous_start = static_cast<uint32_t>(start);
    previous_end = static_cast<uint32_t>(end);
    ++items;
    bases += end - start;
    min = std::min<double>(min, value);
    max = std::max<double>(max, value);
    sum += static_cast<double>(end - start) * value;
    sum_squares += static_cast<double>(end - start) * value * value;
    return Status::ok();
  }

  // -------------------------------------------------------------------------------
  // Sections
  // Starts a new section unless the pending one can take one more item of this kind.
  Status make_room(SectionType kind, uint32_t step, uint32_t span, uint32_t start) {
    bool continues = !values.empty() && type == kind && values.size() < options.items_per_slot;
    if (continues && kind == SectionType::kVariableStep) continues = section_span == span;
    if (continues && kind == SectionType::kFixedStep) {
      continues = section_step == step && section_span == span &&
                  uint64_t{starts.front()} + uint64_t{step} * values.size() == start;
    }
    if (continues) return Status::ok();
    EPIBOOK_RETURN_IF_ERROR(flush_section());
    type = kind;
    section_step = step;
    section_span = span;
    return Status::ok();
  }

  Status flush_section() {
    if (values.empty()) return Status::ok();
    const uint32_t id = static_cast<uint32_t>(chroms[current].id);
    const uint32_t count = static_cast<uint32_t>(values.size());
    uint32_t start = starts.front();
    uint32_t end = 0;
    switch (type) {
      case SectionType::kBedGraph: end = ends.back(); break;
      case SectionType::kVariableStep: end = starts.back() + section_span; break;
      case SectionType::kFixedStep: end = start + (count - 1) * section_step + section_span; break;
    }
    raw.clear();
    bigwig_write::put_u32(raw, id);
    bigwig_write::put_u32(raw, start);
    bigwig_write::put_u32(raw, end);
    bigwig_write::put_u32(raw, type == SectionType::kFixedStep ? section_step : 0);
    bigwig_write::put_u32(raw, type == SectionType::kBedGraph ? 0 : section_span);
    bigwig_write::put_u8(raw, static_cast<uint8_t>(type));
    bigwig_write::put_u8(raw, 0);
    bigwig_write::put_u16(raw, static_cast<uint16_t>(count));
    for (uint32_t i = 0; i < count; ++i) {
      if (type != SectionType::kFixedStep) bigwig_write::put_u32(raw, starts[i]);
      if (type == SectionType::kBedGraph) bigwig_write::put_u32(raw, ends[i]);
      bigwig_write::put_f32(raw, values[i]);
    }
    const std::string* bytes = &raw;
    if (options.compress) {
      EPIBOOK_RETURN_IF_ERROR(bigwig_write::compress_block(raw, compressed));
      bytes = &compressed;
    }
    blocks.push_back(IndexedBlock{id, start, id, end, out->size(), bytes->size()});
    raw_block_sizes.push_back(static_cast<uint32_t>(raw.size()));
    largest_raw_block = std::max(largest_raw_block, raw.size());
    EPIBOOK_RETURN_IF_ERROR(out->append(*bytes));
    starts.clear();
    ends.clear();
    values.clear();
    return Status::ok();
  }

  Status add_intervals(std::string_view chrom, std::span<const BigWigInterval> intervals) {
    EPIBOOK_ASSIGN_OR_RETURN(const size_t index, find_chrom(chrom));
    for (const BigWigInterval& interval : intervals) {
      EPIBOOK_RETURN_IF_ERROR(check_item(index, interval.start, interval.end, interval.value));
      EPIBOOK_RETURN_IF_ERROR(make_room(SectionType::kBedGraph, 0, 0, interval.start));
      starts.push_back(interval.start);
      ends.push_back(interval.end);
      values.push_back(interval.value);
    }
    return Status::ok();
  }

  Status add_variable_step(std::string_view chrom, uint32_t span, std::span<const uint32_t> item_starts,
                           std::span<const float> item_values) {
    if (item_starts.size() != item_values.size()) {
      return invalid_argument("variableStep: " + with_thousands(item_starts.size()) + " starts but " +
                              with_thousands(item_values.size()) + " values");
    }
    if (span == 0) return invalid_argument("variableStep on " + std::string(chrom) + ": span must be at least 1");
    EPIBOOK_ASSIGN_OR_RETURN(const size_t index, find_chrom(chrom));
    for (size_t i = 0; i < item_starts.size(); ++i) {
      EPIBOOK_RETURN_IF_ERROR(check_item(index, item_starts[i], uint64_t{item_starts[i]} + span, item_values[i]));
      EPIBOOK_RETURN_IF_ERROR(make_room(SectionType::kVariableStep, 0, span, item_starts[i]));
      starts.push_back(item_starts[i]);
      values.push_back(item_values[i]);
    }
    return Status::ok();
  }

  Status add_fixed_step(std::string_view chrom, uint32_t start, uint32_t step, uint32_t span,
                        std::span<const float> item_values) {
    if (step == 0 || span == 0) {
      return invalid_argument("fixedStep on " + std::string(chrom) + ": step and span must be at least 1");
    }
    EPIBOOK_ASSIGN_OR_RETURN(const size_t index, find_chrom(chrom));
    for (size_t i = 0; i < item_values.size(); ++i) {
      const uint64_t item_start = uint64_t{start} + uint64_t{step} * i;
      if (item_start > std::numeric_limits<uint32_t>::max()) {
        return invalid_argument(region_text(std::string(chrom), item_start, item_start + span) + " runs past the end of " +
                                std::string(chrom));
      }
      EPIBOOK_RETURN_IF_ERROR(check_item(index, item_start, item_start + span, item_values[i]));
      EPIBOOK_RETURN_IF_ERROR(make_room(SectionType::kFixedStep, step, span, static_cast<uint32_t>(item_start)));
      starts.push_back(static_cast<uint32_t>(item_start));
      values.push_back(item_values[i]);
    }
    return Status::ok();
  }

  // -------------------------------------------------------------------------------
  // Finish
  // Feeds every stored item, in file order, to the zoom level builders.
  Status summarise_blocks(std::vector<ZoomLevelBuilder>& levels) {
    std::string stored;
    std::string section;
    for (size_t b = 0; b < blocks.size(); ++b) {
      EPIBOOK_RETURN_IF_ERROR(out->read(blocks[b].offset, blocks[b].size, stored));
      if (options.compress) {
        section.resize(raw_block_sizes[b]);
        uLongf size = raw_block_sizes[b];
        if (uncompress(reinterpret_cast<Bytef*>(section.data()), &size, reinterpret_cast<const Bytef*>(stored.data()),
                       static_cast<uLong>(stored.size())) != Z_OK ||
            size != raw_block_sizes[b]) {
          return io_error(out->name() + ": a data block read back differs from what was written");
        }
      } else {
        section.swap(stored);
      }
      EPIBOOK_RETURN_IF_ERROR(summarise_section(section, levels));
    }
    for (ZoomLevelBuilder& level : levels) EPIBOOK_RETURN_IF_ERROR(level.finish());
    return Status::ok();
  }

  Status summarise_section(const std::string& section, std::vector<ZoomLevelBuilder>& levels) {
    using bigwig_write::get_f32;
    using bigwig_write::get_u32;
    if (section.size() < kSectionHeaderSize) return io_error(out->name() + ": a data block read back is too short");
    const char* p = section.data();
    const uint32_t chrom = get_u32(p);
    const uint32_t section_start = get_u32(p + 4);
    const uint32_t step = get_u32(p + 12);
    const uint32_t span = get_u32(p + 16);
    const auto kind = static_cast<SectionType>(static_cast<uint8_t>(p[20]));
    const uint16_t count = bigwig_write::get_u16(p + 22);
    const size_t item_size = kind == SectionType::kBedGraph ? 12 : kind == SectionType::kVariableStep ? 8 : 4;
    if (section.size() != kSectionHeaderSize + item_size * count) {
      return io_error(out->name() + ": a data block read back has the wrong size");
    }
    const char* item = p + kSectionHeaderSize;
    for (uint32_t i = 0; i < count; ++i, item += item_size) {
      uint32_t start = 0, end = 0;
      float value = 0;
      switch (kind) {
        case SectionType::kBedGraph:
          start = get_u32(item), end = get_u32(item + 4), value = get_f32(item + 8);
          break;
        case SectionType::kVariableStep:
          start = get_u32(item), end = start + span, value = get_f32(item + 4);
          break;
        case SectionType::kFixedStep:
          start = section_start + i * step, end = start + span, value = get_f32(item);
          break;
      }
      for (ZoomLevelBuilder& level : levels) EPIBOOK_RETURN_IF_ERROR(level.add(chrom, start, end, value));
    }
    return Status::ok();
  }

  struct WrittenZoomLevel {
    uint32_t reduction = 0;
    uint64_t data_offset = 0;
    uint64_t index_offset = 0;
  };

  Result<std::vector<WrittenZoomLevel>> write_zoom_levels() {
    std::vector<WrittenZoomLevel> written;
    const std::vector<uint32_t> reductions =
        bigwig_zoom_reductions(bases, items, longest_chrom, options.max_zoom_levels);
    if (reductions.empty()) return written;
    std::vector<ZoomLevelBuilder> levels;
    for (uint32_t reduction : reductions) levels.emplace_back(reduction, options.items_per_slot, options.compress);
    EPIBOOK_RETURN_IF_ERROR(summarise_blocks(levels));

    for (size_t k = 0; k < levels.size(); ++k) {
      // A level that summarises into no fewer records than the finer one adds nothing.
      if (k > 0 && levels[k].record_count() >= levels[k - 1].record_count()) break;
      WrittenZoomLevel level{levels[k].reduction(), out->size(), 0};
      std::string count;
      bigwig_write::put_u32(count, static_cast<uint32_t>(std::min<uint64_t>(levels[k].record_count(), 0xFFFFFFFF)));
      EPIBOOK_RETURN_IF_ERROR(out->append(count));
      EPIBOOK_RETURN_IF_ERROR(out->append(levels[k].blocks()));
      std::vector<IndexedBlock> index = levels[k].index();
      for (IndexedBlock& block : index) block.offset += level.data_offset + 4;
      level.index_offset = out->size();
      EPIBOOK_RETURN_IF_ERROR(out->append(bigwig_write::r_tree_bytes(index, options.block_size, options.items_per_slot,
                                                                     level.index_offset, level.index_offset)));
      largest_raw_block = std::max(largest_raw_block, levels[k].largest_raw_block());
      written.push_back(level);
    }
    return written;
  }

  std::string chrom_tree() const {
    std::vector<bigwig_write::ChromTreeEntry> entries;
    entries.reserve(chroms.size());
    for (size_t i = 0; i < chroms.size(); ++i) {
      entries.push_back({chroms[i].name, static_cast<uint32_t>(chroms[i].id < 0 ? i : chroms[i].id), chroms[i].length});
    }
    return bigwig_write::chrom_tree_bytes(std::move(entries), options.block_size, chrom_tree_offset);
  }

  Status finish_file() {
    EPIBOOK_RETURN_IF_ERROR(usable());
    finished = true;
    EPIBOOK_RETURN_IF_ERROR(flush_section());
    for (ChromState& chrom : chroms) {
      if (chrom.id < 0) chrom.id = next_id++;
    }
    std::string field;
    bigwig_write::put_u64(field, blocks.size());
    EPIBOOK_RETURN_IF_ERROR(out->overwrite(data_offset, field));

    const uint64_t index_offset = out->size();
    EPIBOOK_RETURN_IF_ERROR(out->append(
        bigwig_write::r_tree_bytes(blocks, options.block_size, options.items_per_slot, index_offset, index_offset)));
    EPIBOOK_ASSIGN_OR_RETURN(const std::vector<WrittenZoomLevel> zooms, write_zoom_levels());

    const std::string tree = chrom_tree();
    if (tree.size() != chrom_tree_size) return io_error(out->name() + ": internal error: chromosome tree changed size");
    EPIBOOK_RETURN_IF_ERROR(out->overwrite(chrom_tree_offset, tree));

    std::string summary;
    bigwig_write::put_u64(summary, bases);
    bigwig_write::put_f64(summary, items == 0 ? 0.0 : min);
    bigwig_write::put_f64(summary, items == 0 ? 0.0 : max);
    bigwig_write::put_f64(summary, sum);
    bigwig_write::put_f64(summary, sum_squares);
    EPIBOOK_RETURN_IF_ERROR(out->overwrite(summary_offset, summary));

    std::string zoom_headers;
    for (const WrittenZoomLevel& level : zooms) {
      bigwig_write::put_u32(zoom_headers, level.reduction);
      bigwig_write::put_u32(zoom_headers, 0);
      bigwig_write::put_u64(zoom_headers, level.data_offset);
      bigwig_write::put_u64(zoom_headers, level.index_offset);
    }
    EPIBOOK_RETURN_IF_ERROR(out->overwrite(kHeaderSize, zoom_headers));

    std::string header;
    bigwig_write::put_u32(header, kBigWigMagic);
    bigwig_write::put_u16(header, kBigWigVersion);
    bigwig_write::put_u16(header, static_cast<uint16_t>(zooms.size()));
    bigwig_write::put_u64(header, chrom_tree_offset);
    bigwig_write::put_u64(header, data_offset);
    bigwig_write::put_u64(header, index_offset);
    bigwig_write::put_u16(header, 0);  // field count (bigBed only)
    bigwig_write::put_u16(header, 0);  // defined field count
    bigwig_write::put_u64(header, 0);  // autoSql offset
    bigwig_write::put_u64(header, summary_offset);
    bigwig_write::put_u32(header, options.compress ? static_cast<uint32_t>(largest_raw_block) : 0);
    bigwig_write::put_u64(header, 0);  // extension offset
    EPIBOOK_RETURN_IF_ERROR(out->overwrite(0, header));

    // Readers (UCSC's among them) check the magic at both ends of the file.
    std::string magic;
    bigwig_write::put_u32(magic, kBigWigMagic);
    EPIBOOK_RETURN_IF_ERROR(out->append(magic));
    return out->commit();
  }
};

Status BigWigWriter::Impl::setup(const std::vector<BigWigChrom>& chrom_list) {
  EPIBOOK_RETURN_IF_ERROR(validate(options));
  if (chrom_list.empty()) return invalid_argument("a bigWig needs at least one chromosome");
  for (const BigWigChrom& chrom : chrom_list) {
    if (chrom.name.empty()) return invalid_argument("a chromosome has an empty name");
    if (!chrom_index.emplace(chrom.name, chroms.size()).second) {
      return invalid_argument("chromosome " + chrom.name + " is listed twice");
    }
    chroms.push_back(ChromState{chrom.name, chrom.length});
    longest_chrom = std::max(longest_chrom, chrom.length);
  }
  summary_offset = kHeaderSize + kZoomHeaderSize * options.max_zoom_levels;
  chrom_tree_offset = summary_offset + kSummarySize;
  const std::string tree = chrom_tree();
  chrom_tree_size = tree.size();
  data_offset = chrom_tree_offset + chrom_tree_size;
  // Placeholders for the header, zoom headers and summary; the tree is rewritten with
  // the final ids; then the data section's block count.
  EPIBOOK_RETURN_IF_ERROR(out->append(std::string(chrom_tree_offset, '\0')));
  EPIBOOK_RETURN_IF_ERROR(out->append(tree));
  return out->append(std::string(8, '\0'));
}

Status BigWigWriter::Impl::usable() const {
  if (finished) return invalid_argument(out->name() + ": the bigWig is already finished");
  if (failed) return invalid_argument(out->name() + ": an earlier error stopped this bigWig");
  return Status::ok();
}

// ---------------------------------------------------------------------------------
BigWigWriter::BigWigWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BigWigWriter::BigWigWriter(BigWigWriter&&) noexcept = default;
BigWigWriter& BigWigWriter::operator=(BigWigWriter&&) noexcept = default;
BigWigWriter::~BigWigWriter() {
  if (impl_ && impl_->out) impl_->out->abandon();
}

Result<BigWigWriter> BigWigWriter::create(const std::string& path, const std::vector<BigWigChrom>& chroms,
                                          const BigWigWriteOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  EPIBOOK_RETURN_IF_ERROR(validate(options).with_context(path));
  EPIBOOK_ASSIGN_OR_RETURN(impl->out, bigwig_write::open_temporary_file_target(path));
  Status status = impl->setup(chroms);
  if (!status.is_ok()) {
    impl->out->abandon();
    return status.with_context(path);
  }
  return BigWigWriter(std::move(impl));
}

Result<BigWigWriter> BigWigWriter::create_in_memory(const std::vector<BigWigChrom>& chroms,
                                                    const BigWigWriteOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto memory = std::make_unique<bigwig_write::MemoryTarget>();
  impl->memory = memory.get();
  impl->out = std::move(memory);
  EPIBOOK_RETURN_IF_ERROR(impl->setup(chroms));
  return BigWigWriter(std::move(impl));
}

Status BigWigWriter::add_intervals(std::string_view chrom, std::span<const BigWigInterval> intervals) {
  EPIBOOK_RETURN_IF_ERROR(impl_->usable());
  Status status = impl_->add_intervals(chrom, intervals);
  return status.is_ok() ? status : impl_->fail(status);
}

Status BigWigWriter::add_variable_step(std::string_view chrom, uint32_t span, std::span<const uint32_t> starts,
                                       std::span<const float> values) {
  EPIBOOK_RETURN_IF_ERROR(impl_->usable());
  Status status = impl_->add_variable_step(chrom, span, starts, values);
  return status.is_ok() ? status : impl_->fail(status);
}

Status BigWigWriter::add_fixed_step(std::string_view chrom, uint32_t start, uint32_t step, uint32_t span,
                                    std::span<const float> values) {
  EPIBOOK_RETURN_IF_ERROR(impl_->usable());
  Status status = impl_->add_fixed_step(chrom, start, step, span, values);
  return status.is_ok() ? status : impl_->fail(status);
}

Status BigWigWriter::finish() {
  if (impl_->memory != nullptr) return invalid_argument("an in-memory bigWig is finished with finish_to_bytes()");
  Status status = impl_->finish_file();
  if (!status.is_ok()) {
    impl_->out->abandon();
    return impl_->fail(status);
  }
  return status;
}

Result<std::string> BigWigWriter::finish_to_bytes() {
  if (impl_->memory == nullptr) return invalid_argument(impl_->out->name() + ": a bigWig file is finished with finish()");
  Status status = impl_->finish_file();
  if (!status.is_ok()) return impl_->fail(status);
  return impl_->memory->take_bytes();
}

uint64_t BigWigWriter::items_written() const { return impl_->items; }
uint64_t BigWigWriter::bases_covered() const { return impl_->bases; }

// ---------------------------------------------------------------------------------
namespace {
Status add_all(BigWigWriter& writer, const std::vector<ChromIntervals>& signal) {
  for (const ChromIntervals& chrom : signal) EPIBOOK_RETURN_IF_ERROR(writer.add_intervals(chrom.chrom, chrom.intervals));
  return Status::ok();
}
}  // namespace

Status write_bigwig(const std::string& path, const std::vector<BigWigChrom>& chroms,
                    const std::vector<ChromIntervals>& signal, const BigWigWriteOptions& options) {
  EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create(path, chroms, options));
  EPIBOOK_RETURN_IF_ERROR(add_all(writer, signal).with_context(path));
  return writer.finish();
}

Result<std::string> bigwig_bytes(const std::vector<BigWigChrom>& chroms, const std::vector<ChromIntervals>& signal,
                                 const BigWigWriteOptions& options) {
  EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create_in_memory(chroms, options));
  EPIBOOK_RETURN_IF_ERROR(add_all(writer, signal));
  return writer.finish_to_bytes();
}

}  // namespace epibook
