// Reading bigWig files (see epibook/bigwig.h): the header, the chromosome B+ tree, the
// R-tree indexes and the data blocks, turned into per-base values and intervals. The
// first stage of the data flow: everything downstream starts from these floats.
// Sections: R-tree | block cache | opening a file | blocks and items | queries
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "epibook/bigwig.h"
#include "epibook/region.h"
#include "io/bigwig_index.h"
#include "io/inflate.h"

namespace epibook {
namespace io {
namespace {

std::string at_byte(const std::string& name, uint64_t offset) { return name + ": byte " + with_thousands(offset) + ": "; }

// Guards against corrupt indexes that loop or fan out without end.
constexpr int kMaxTreeDepth = 32;
constexpr size_t kMaxNodesPerQuery = 1 << 20;
// No writer makes blocks near this size; a header or index claiming more is corrupt, and
// trusting it would allocate gigabytes.
constexpr uint64_t kMaxBlockBytes = uint64_t{256} << 20;

}  // namespace

// ---------------------------------------------------------------------------------
// R-tree

RTreeIndex::RTreeIndex(const ByteSource& source, uint64_t offset, std::string label)
    : source_(source), offset_(offset), label_(std::move(label)) {}

Status RTreeIndex::read_header() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (header_read_) return header_status_;
  header_read_ = true;
  uint8_t bytes[48];
  header_status_ = read_part(source_, offset_, sizeof bytes, bytes, label_);
  if (header_status_.is_ok() && load<uint32_t>(bytes) != kRTreeMagic) {
    header_status_ = corrupt(at_byte(source_.name(), offset_) + label_ + " does not start with the R-tree magic number");
  }
  return header_status_;
}

Result<std::shared_ptr<const RTreeIndex::Node>> RTreeIndex::node_at(uint64_t offset) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = nodes_.find(offset);
    if (found != nodes_.end()) return found->second;
  }
  uint8_t head[4];
  EPIBOOK_RETURN_IF_ERROR(read_part(source_, offset, sizeof head, head, label_ + " node"));
  auto node = std::make_shared<Node>();
  node->leaf = head[0] != 0;
  const uint16_t count = load<uint16_t>(head + 2);
  const size_t item_bytes = node->leaf ? 32 : 24;
  std::vector<uint8_t> bytes(count * item_bytes);
  EPIBOOK_RETURN_IF_ERROR(read_part(source_, offset + 4, bytes.size(), bytes.data(), label_ + " node"));
  node->items.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = bytes.data() + i * item_bytes;
    Item& item = node->items[i];
    item.start_chrom = load<uint32_t>(p);
    item.start_base = load<uint32_t>(p + 4);
    item.end_chrom = load<uint32_t>(p + 8);
    item.end_base = load<uint32_t>(p + 12);
    item.offset = load<uint64_t>(p + 16);
    item.size = node->leaf ? load<uint64_t>(p + 24) : 0;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_.emplace(offset, std::move(node)).first->second;
}

Status RTreeIndex::find_blocks(uint32_t chrom, uint32_t start, uint32_t end, std::vector<BlockRef>& out) const {
  EPIBOOK_RETURN_IF_ERROR(read_header());
  EPIBOOK_ASSIGN_OR_RETURN(std::shared_ptr<const Node> root, node_at(offset_ + 48));
  size_t budget = kMaxNodesPerQuery;
  return walk(*root, chrom, start, end, 0, budget, out);
}

Status RTreeIndex::walk(const Node& node, uint32_t chrom, uint32_t start, uint32_t end, int depth, size_t& budget,
                        std::vector<BlockRef>& out) const {
  if (depth > kMaxTreeDepth || budget-- == 0) {
    return corrupt(source_.name() + ": " + label_ + " is deeper or larger than any valid index (a loop?)");
  }
  for (const Item& item : node.items) {
    if (chrom < item.start_chrom) break;  // items are sorted: nothing later can match
    if (chrom > item.end_chrom) continue;
    // An item may span chromosomes: only its first and last chromosome are partly covered.
    bool overlaps = true;
    if (item.start_chrom != item.end_chrom) {
      if (chrom == item.start_chrom) overlaps = item.start_base < end;
      else if (chrom == item.end_chrom) overlaps = item.end_base > start;
    } else {
      overlaps = item.start_base < end && item.end_base > start;
    }
    if (!overlaps) continue;
    if (node.leaf) {
      out.push_back({item.offset, item.size});
      continue;
    }
    EPIBOOK_ASSIGN_OR_RETURN(std::shared_ptr<const Node> child, node_at(item.offset));
    EPIBOOK_RETURN_IF_ERROR(walk(*child, chrom, start, end, depth + 1, budget, out));
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------
// Block cache

std::shared_ptr<const InflatedBlock> BlockCache::find(uint64_t key) const {
  if (capacity_ == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, found->second);
  return found->second->second;
}

void BlockCache::insert(uint64_t key, std::shared_ptr<const InflatedBlock> block) const {
  const size_t size = block->bytes.capacity() + sizeof(InflatedBlock);
  if (size > capacity_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (by_key_.count(key) != 0) return;  // another thread inflated it at the same time
  recency_.emplace_front(key, std::move(block));
  by_key_.emplace(key, recency_.begin());
  bytes_ += size;
  while (bytes_ > capacity_ && !recency_.empty()) {
    const Entry& oldest = recency_.back();
    bytes_ -= oldest.second->bytes.capacity() + sizeof(InflatedBlock);
    by_key_.erase(oldest.first);
    recency_.pop_back();
  }
}

// ---------------------------------------------------------------------------------
// Opening a file

namespace {

Status read_header(const ByteSource& source, BigWigHeader& header) {
  const std::string& name = source.name();
  if (source.size() < 64) {
    return corrupt(name + ": the file is " + with_thousands(source.size()) +
                   " bytes, too short for a bigWig header (64 bytes): not a bigWig file");
  }
  uint8_t bytes[64];
  EPIBOOK_RETURN_IF_ERROR(read_part(source, 0, sizeof bytes, bytes, "header"));
  header.magic = load<uint32_t>(bytes);
  if (header.magic == kBigBedMagic) return unsupported(name + ": this is a bigBed file, not a bigWig file");
  if (header.magic == __builtin_bswap32(kBigWigMagic)) {
    return unsupported(name + ": a big-endian bigWig file; epibook reads little-endian bigWig only");
  }
  if (header.magic != kBigWigMagic) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", header.magic);
    return corrupt(at_byte(name, 0) + "magic number " + hex + " is not bigWig's 0x888FFC26: not a bigWig file");
  }
  header.version = load<uint16_t>(bytes + 4);
  header.zoom_level_count = load<uint16_t>(bytes + 6);
  header.chrom_tree_offset = load<uint64_t>(bytes + 8);
  header.full_data_offset = load<uint64_t>(bytes + 16);
  header.full_index_offset = load<uint64_t>(bytes + 24);
  header.field_count = load<uint16_t>(bytes + 32);
  header.defined_field_count = load<uint16_t>(bytes + 34);
  header.auto_sql_offset = load<uint64_t>(bytes + 36);
  header.total_summary_offset = load<uint64_t>(bytes + 44);
  header.uncompress_buf_size = load<uint32_t>(bytes + 52);
  header.extension_offset = load<uint64_t>(bytes + 56);
  if (header.uncompress_buf_size > kMaxBlockBytes) {
    return corrupt(at_byte(name, 52) + "uncompressed block size " + with_thousands(header.uncompress_buf_size) +
                   " is beyond any valid bigWig");
  }
  struct Pointer {
    uint64_t offset;
    size_t header_byte;
    const char* what;
  };
  for (const Pointer& pointer : {Pointer{header.chrom_tree_offset, 8, "chromosome tree"},
                                 Pointer{header.full_index_offset, 24, "data index"}}) {
    if (pointer.offset < 64 || pointer.offset >= source.size()) {
      return corrupt(at_byte(name, pointer.header_byte) + pointer.what + " offset " + with_thousands(pointer.offset) +
                     " lies outside the file (" + with_thousands(source.size()) + " bytes)");
    }
  }
  if (header.total_summary_offset != 0) {
    uint8_t summary[40];
    EPIBOOK_RETURN_IF_ERROR(read_part(source, header.total_summary_offset, sizeof summary, summary, "total summary"));
    header.summary.bases_covered = load<uint64_t>(summary);
    header.summary.min = load<double>(summary + 8);
    header.summary.max = load<double>(summary + 16);
    header.summary.sum = load<double>(summary + 24);
    header.summary.sum_squares = load<double>(summary + 32);
  }
  return Status::ok();
}

Status read_zoom_levels(const ByteSource& source, uint16_t count, std::vector<BigWigZoomLevel>& levels) {
  std::vector<uint8_t> bytes(size_t{count} * 24);
  EPIBOOK_RETURN_IF_ERROR(read_part(source, 64, bytes.size(), bytes.data(), "zoom level headers"));
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = bytes.data() + i * 24;
    levels.push_back({load<uint32_t>(p), load<uint64_t>(p + 8), load<uint64_t>(p + 16)});
  }
  return Status::ok();
}

struct ChromTreeShape {
  uint32_t key_size = 0;
  uint64_t item_count = 0;
  mutable size_t nodes_left = kMaxNodesPerQuery;  // against trees that revisit nodes
};

Status read_chrom_node(const ByteSource& source, uint64_t offset, const ChromTreeShape& shape, int depth,
                       std::vector<BigWigChrom>& chroms) {
  const std::string& name = source.name();
  if (depth > kMaxTreeDepth || shape.nodes_left-- == 0 || chroms.size() > shape.item_count) {
    return corrupt(at_byte(name, offset) + "chromosome tree is larger than its header says (a loop?)");
  }
  uint8_t head[4];
  EPIBOOK_RETURN_IF_ERROR(read_part(source, offset, sizeof head, head, "chromosome tree node"));
  const bool leaf = head[0] != 0;
  const uint16_t count = load<uint16_t>(head + 2);
  const size_t item_bytes = shape.key_size + 8;
  if (offset + 4 + uint64_t{count} * item_bytes > source.size()) {
    return corrupt(at_byte(name, offset) + "chromosome tree node of " + std::to_string(count) +
                   " items runs past the end of the file: truncated file or bad offset");
  }
  std::vector<uint8_t> bytes(count * item_bytes);
  EPIBOOK_RETURN_IF_ERROR(read_part(source, offset + 4, bytes.size(), bytes.data(), "chromosome tree node"));
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = bytes.data() + i * item_bytes;
    if (leaf) {
      const char* key = reinterpret_cast<const char*>(p);
      BigWigChrom chrom;
      chrom.name.assign(key, strnlen(key, shape.key_size));
      // A name with a control byte is refused as every text reader refuses it (region.h).
      if (const std::string problem = sequence_name_problem(chrom.name); !problem.empty()) {
        return corrupt(at_byte(name, offset + 4 + i * item_bytes) + "chromosome tree: " + problem);
      }
      chrom.id = load<uint32_t>(p + shape.key_size);
      chrom.length = load<uint32_t>(p + shape.key_size + 4);
      chroms.push_back(std::move(chrom));
    } else {
      EPIBOOK_RETURN_IF_ERROR(read_chrom_node(source, load<uint64_t>(p + shape.key_size), shape, depth + 1, chroms));
    }
  }
  return Status::ok();
}

Status read_chrom_tree(const ByteSource& source, uint64_t offset, std::vector<BigWigChrom>& chroms) {
  const std::string& name = source.name();
  uint8_t bytes[32];
  EPIBOOK_RETURN_IF_ERROR(read_part(source, offset, sizeof bytes, bytes, "chromosome tree header"));
  if (load<uint32_t>(bytes) != kChromTreeMagic) {
    return corrupt(at_byte(name, offset) + "chromosome tree does not start with the B+ tree magic number");
  }
  ChromTreeShape shape;
  shape.key_size = load<uint32_t>(bytes + 8);
  shape.item_count = load<uint64_t>(bytes + 16);
  const uint32_t value_size = load<uint32_t>(bytes + 12);
  const uint64_t item_count = shape.item_count;
  if (shape.key_size == 0 || shape.key_size > 1024 || value_size != 8) {
    return corrupt(at_byte(name, offset) + "chromosome tree has key size " + std::to_string(shape.key_size) +
                   " and value size " + std::to_string(value_size) + " (expected 1-1024 and 8)");
  }
  if (item_count > source.size() / (shape.key_size + 8)) {
    return corrupt(at_byte(name, offset) + "chromosome tree claims " + with_thousands(item_count) +
                   " chromosomes, more than the file can hold");
  }
  EPIBOOK_RETURN_IF_ERROR(read_chrom_node(source, offset + 32, shape, 0, chroms));
  if (chroms.size() != item_count) {
    return corrupt(at_byte(name, offset) + "chromosome tree lists " + with_thousands(item_count) +
                   " chromosomes but holds " + with_thousands(chroms.size()));
  }
  std::sort(chroms.begin(), chroms.end(), [](const BigWigChrom& a, const BigWigChrom& b) { return a.id < b.id; });
  return Status::ok();
}

}  // namespace
}  // namespace io

// ---------------------------------------------------------------------------------
// Blocks and items

namespace {

const char* kind_name(io::BlockKind kind) { return kind == io::BlockKind::kData ? "data block" : "zoom block"; }

size_t item_bytes(uint8_t type) {
  switch (type) {
    case 1: return 12;
    case 2: return 8;
    case 3: return 4;
    default: return 0;
  }
}

// Item j of a data block as libBigWig decodes it (32-bit arithmetic, wrapping included).
struct Item {
  uint32_t start, end;
  float value;
};

inline Item item_at(const io::InflatedBlock& block, size_t j) {
  const io::DataSection& s = block.section;
  const uint8_t* items = block.bytes.data() + io::kDataSectionBytes;
  switch (s.type) {
    case 1: {
      const uint8_t* p = items + j * 12;
      return {io::load<uint32_t>(p), io::load<uint32_t>(p + 4), io::load<float>(p + 8)};
    }
    case 2: {
      const uint8_t* p = items + j * 8;
      const uint32_t start = io::load<uint32_t>(p);
      return {start, start + s.span, io::load<float>(p + 4)};
    }
    default: {
      const uint32_t start = s.start + static_cast<uint32_t>(j) * s.step;
      return {start, start + s.span, io::load<float>(items + j * 4)};
    }
  }
}

bool items_sorted(const io::InflatedBlock& block) {
  Item previous{0, 0, 0};
  for (size_t j = 0; j < block.section.item_count; ++j) {
    const Item item = item_at(block, j);
    if (item.start < previous.start || item.end < previous.end) return false;
    previous = item;
  }
  return true;
}

// Calls visit(item) for each item of the block with end > start and start < end of the
// range (libBigWig's test, so an empty range still sees the items that straddle it).
template <typename Visit>
void visit_items(const io::InflatedBlock& block, uint32_t start, uint32_t end, Visit&& visit) {
  const size_t count = block.section.item_count;
  if (!block.sorted) {
    for (size_t j = 0; j < count; ++j) {
      const Item item = item_at(block, j);
      if (item.end <= start || item.start >= end) continue;
      visit(item);
    }
    return;
  }
  // Ends never decrease: the items ending at or before `start` are a prefix.
  size_t low = 0, high = count;
  while (low < high) {
    const size_t middle = (low + high) / 2;
    if (item_at(block, middle).end <= start) low = middle + 1;
    else high = middle;
  }
  for (size_t j = low; j < count; ++j) {
    const Item item = item_at(block, j);
    if (item.start >= end) break;  // starts never decrease either
    visit(item);
  }
}

// Writes the block's values over [start, end) into out[0 .. end - start).
void write_values(const io::InflatedBlock& block, const io::ChromSpan& span, float* out) {
  if (block.section.chrom != span.chrom) return;
  visit_items(block, span.start, span.end, [&](const Item& item) {
    const uint32_t from = std::max(item.start, span.start);
    const uint32_t to = std::min(item.end, span.end);
    for (uint32_t base = from; base < to; ++base) out[base - span.start] = item.value;
  });
}

}  // namespace

Result<io::ChromSpan> BigWigReader::Impl::locate(const Region& region, bool allow_empty) const {
  // Messages are built only on failure: this runs once per query.
  auto where = [&] { return name() + ": " + format_region(region) + ": "; };
  auto found = chrom_by_name.find(region.chrom);
  if (found == chrom_by_name.end()) return not_found(where() + "chromosome " + region.chrom + " is not in the file");
  const BigWigChrom& chrom = chroms[found->second];
  if (region.end < region.start) return invalid_argument(where() + "end is before start");
  if (region.end > chrom.length) {
    return invalid_argument(where() + "runs past the end of " + chrom.name + " (" + with_thousands(chrom.length) + " bp)");
  }
  if (region.end == region.start && !allow_empty) return invalid_argument(where() + "the region is empty");
  return io::ChromSpan{chrom.id, static_cast<uint32_t>(region.start), static_cast<uint32_t>(region.end)};
}

Result<std::shared_ptr<const io::InflatedBlock>> BigWigReader::Impl::block(const io::BlockRef& ref,
                                                                          io::BlockKind kind) const {
  const uint64_t key = ref.offset * 2 + (kind == io::BlockKind::kZoom ? 1 : 0);
  if (auto cached = cache->find(key)) return cached;

  const std::string where = io::at_byte(name(), ref.offset);
  if (ref.size > io::kMaxBlockBytes) {
    return corrupt(where + "index gives a block of " + with_thousands(ref.size) + " bytes, beyond any valid bigWig");
  }
  if (ref.offset > source->size() || ref.size > source->size() - ref.offset) {
    return io::read_part(*source, ref.offset, ref.size, nullptr, kind_name(kind));  // the out-of-file message
  }
  auto block = std::make_shared<io::InflatedBlock>();
  if (header.uncompress_buf_size == 0) {
    block->bytes.resize(ref.size);
    EPIBOOK_RETURN_IF_ERROR(io::read_part(*source, ref.offset, ref.size, block->bytes.data(), kind_name(kind)));
  } else {
    thread_local std::vector<uint8_t> compressed;
    compressed.resize(ref.size);
    EPIBOOK_RETURN_IF_ERROR(io::read_part(*source, ref.offset, ref.size, compressed.data(), kind_name(kind)));
    block->bytes.resize(header.uncompress_buf_size);
    auto inflated = io::inflate_zlib(compressed, block->bytes);
    if (!inflated.is_ok()) return inflated.status().with_context(where.substr(0, where.size() - 2) + ": " + kind_name(kind));
    block->bytes.resize(*inflated);
  }

  if (kind == io::BlockKind::kData) {
    const std::vector<uint8_t>& bytes = block->bytes;
    if (bytes.size() < io::kDataSectionBytes) {
      return corrupt(where + "data block of " + std::to_string(bytes.size()) + " bytes is shorter than its 24-byte header");
    }
    io::DataSection& s = block->section;
    const uint8_t* p = bytes.data();
    s.chrom = io::load<uint32_t>(p);
    s.start = io::load<uint32_t>(p + 4);
    s.end = io::load<uint32_t>(p + 8);
    s.step = io::load<uint32_t>(p + 12);
    s.span = io::load<uint32_t>(p + 16);
    s.type = p[20];
    s.item_count = io::load<uint16_t>(p + 22);
    const size_t per_item = item_bytes(s.type);
    if (per_item == 0) {
      return corrupt(where + "data block has section type " + std::to_string(s.type) +
                     " (expected 1 bedGraph, 2 variableStep or 3 fixedStep)");
    }
    if (io::kDataSectionBytes + size_t{s.item_count} * per_item > bytes.size()) {
      return corrupt(where + "data block claims " + std::to_string(s.item_count) + " items but holds only " +
                     std::to_string((bytes.size() - io::kDataSectionBytes) / per_item));
    }
    block->sorted = items_sorted(*block);
  }
  cache->insert(key, block);
  return std::shared_ptr<const io::InflatedBlock>(std::move(block));
}

Status BigWigReader::Impl::collect_intervals(const io::ChromSpan& span, std::vector<BigWigInterval>& out) const {
  std::vector<io::BlockRef> refs;
  EPIBOOK_RETURN_IF_ERROR(data_index->find_blocks(span.chrom, span.start, span.end, refs));
  for (const io::BlockRef& ref : refs) {
    EPIBOOK_ASSIGN_OR_RETURN(std::shared_ptr<const io::InflatedBlock> data, block(ref, io::BlockKind::kData));
    if (data->section.chrom != span.chrom) continue;
    visit_items(*data, span.start, span.end, [&](const Item& item) { out.push_back({item.start, item.end, item.value}); });
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------
// Opening and queries

BigWigReader::BigWigReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BigWigReader::BigWigReader(BigWigReader&&) noexcept = default;
BigWigReader& BigWigReader::operator=(BigWigReader&&) noexcept = default;
BigWigReader::~BigWigReader() = default;

Result<BigWigReader> BigWigReader::open(const std::string& path, const BigWigReadOptions& options) {
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, open_file_source(path));
  return open(std::move(source), options);
}

Result<BigWigReader> BigWigReader::open(std::unique_ptr<ByteSource> source, const BigWigReadOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->source = std::move(source);
  const ByteSource& src = *impl->source;
  EPIBOOK_RETURN_IF_ERROR(io::read_header(src, impl->header));
  EPIBOOK_RETURN_IF_ERROR(io::read_zoom_levels(src, impl->header.zoom_level_count, impl->zoom_levels));
  EPIBOOK_RETURN_IF_ERROR(io::read_chrom_tree(src, impl->header.chrom_tree_offset, impl->chroms));
  for (size_t i = 0; i < impl->chroms.size(); ++i) impl->chrom_by_name.emplace(impl->chroms[i].name, i);
  impl->data_index = std::make_unique<io::RTreeIndex>(src, impl->header.full_index_offset, "data index");
  for (size_t i = 0; i < impl->zoom_levels.size(); ++i) {
    impl->zoom_indexes.push_back(std::make_unique<io::RTreeIndex>(src, impl->zoom_levels[i].index_offset,
                                                                  "zoom level " + std::to_string(i) + " index"));
  }
  impl->cache = std::make_unique<io::BlockCache>(options.block_cache_bytes);
  return BigWigReader(std::move(impl));
}

const std::string& BigWigReader::name() const { return impl_->name(); }
const BigWigHeader& BigWigReader::header() const { return impl_->header; }
const std::vector<BigWigChrom>& BigWigReader::chroms() const { return impl_->chroms; }
const std::vector<BigWigZoomLevel>& BigWigReader::zoom_levels() const { return impl_->zoom_levels; }

std::optional<uint32_t> BigWigReader::chrom_length(std::string_view chrom) const {
  auto found = impl_->chrom_by_name.find(std::string(chrom));
  if (found == impl_->chrom_by_name.end()) return std::nullopt;
  return impl_->chroms[found->second].length;
}

Result<std::vector<float>> BigWigReader::values(const Region& region) const {
  EPIBOOK_ASSIGN_OR_RETURN(io::ChromSpan span, impl_->locate(region, true));
  std::vector<float> out(span.end - span.start);
  EPIBOOK_RETURN_IF_ERROR(values_into(region, out));
  return out;
}

Status BigWigReader::check_region(const Region& region) const {
  return impl_->locate(region, true).status();
}

Status BigWigReader::values_into(const Region& region, std::span<float> out) const {
  EPIBOOK_ASSIGN_OR_RETURN(io::ChromSpan span, impl_->locate(region, true));
  if (out.size() != span.end - span.start) {
    return invalid_argument(name() + ": " + format_region(region) + ": output holds " + with_thousands(out.size()) +
                            " values, the region has " + with_thousands(span.end - span.start) + " bases");
  }
  std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());
  if (out.empty()) return Status::ok();
  std::vector<io::BlockRef> refs;
  EPIBOOK_RETURN_IF_ERROR(impl_->data_index->find_blocks(span.chrom, span.start, span.end, refs));
  for (const io::BlockRef& ref : refs) {
    EPIBOOK_ASSIGN_OR_RETURN(std::shared_ptr<const io::InflatedBlock> data, impl_->block(ref, io::BlockKind::kData));
    write_values(*data, span, out.data());
  }
  return Status::ok();
}

Result<std::vector<BigWigInterval>> BigWigReader::intervals(const Region& region) const {
  EPIBOOK_ASSIGN_OR_RETURN(io::ChromSpan span, impl_->locate(region, true));
  std::vector<BigWigInterval> out;
  if (span.start == span.end) return out;
  EPIBOOK_RETURN_IF_ERROR(impl_->collect_intervals(span, out));
  return out;
}

Status BigWigReader::values_batch(std::span<const Region> regions, std::span<float> out) const {
  std::vector<io::ChromSpan> spans;
  std::vector<size_t> offsets;
  spans.reserve(regions.size());
  offsets.reserve(regions.size());
  size_t total = 0;
  for (const Region& region : regions) {
    EPIBOOK_ASSIGN_OR_RETURN(io::ChromSpan span, impl_->locate(region, true));
    spans.push_back(span);
    offsets.push_back(total);
    total += span.end - span.start;
  }
  if (out.size() != total) {
    return invalid_argument(name() + ": output holds " + with_thousands(out.size()) + " values, the " +
                            with_thousands(regions.size()) + " regions have " + with_thousands(total) + " bases");
  }
  std::fill(out.begin(), out.end(), std::numeric_limits<float>::quiet_NaN());

  // (block, region) pairs sorted by block: each block is fetched once, and each region
  // still sees its blocks in file order, as a single query would.
  struct Use {
    io::BlockRef ref;
    size_t region;
  };
  std::vector<Use> uses;
  std::vector<io::BlockRef> refs;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].start == spans[i].end) continue;
    refs.clear();
    EPIBOOK_RETURN_IF_ERROR(impl_->data_index->find_blocks(spans[i].chrom, spans[i].start, spans[i].end, refs));
    for (const io::BlockRef& ref : refs) uses.push_back({ref, i});
  }
  std::stable_sort(uses.begin(), uses.end(), [](const Use& a, const Use& b) { return a.ref.offset < b.ref.offset; });
  std::shared_ptr<const io::InflatedBlock> data;
  for (size_t u = 0; u < uses.size(); ++u) {
    if (u == 0 || uses[u].ref.offset != uses[u - 1].ref.offset) {
      EPIBOOK_ASSIGN_OR_RETURN(data, impl_->block(uses[u].ref, io::BlockKind::kData));
    }
    write_values(*data, spans[uses[u].region], out.data() + offsets[uses[u].region]);
  }
  return Status::ok();
}

}  // namespace epibook
