// Serialising the chromosome B+ tree and the R-tree of a bigWig (see
// bigwig_write_trees.h). Both trees share one shape: leaves of `block_size` items, each
// level above holding `block_size` children per node, written root first so a reader
// walks forward through the file.
#include "io/bigwig_write_trees.h"

#include <algorithm>

#include "io/bigwig_write_output.h"

namespace epibook::bigwig_write {
namespace {

constexpr uint32_t kChromTreeMagic = 0x78CA8C91;
constexpr uint32_t kRTreeMagic = 0x2468ACE0;

// The node counts of a bulk-loaded tree over `items` leaf items, leaves first, and the
// item count of each node.
struct TreeShape {
  uint64_t items = 0;
  uint64_t block = 0;
  std::vector<uint64_t> nodes;  // nodes[0] = leaves, nodes.back() = 1 (the root)

  TreeShape(uint64_t item_count, uint32_t block_size) : items(item_count), block(block_size) {
    nodes.push_back(std::max<uint64_t>(1, (items + block - 1) / block));
    while (nodes.back() > 1) nodes.push_back((nodes.back() + block - 1) / block);
  }
  // Items in node `j` of `level`: children below it, or leaf items at level 0.
  uint64_t node_items(size_t level, uint64_t j) const {
    const uint64_t below = level == 0 ? items : nodes[level - 1];
    return std::min(block, below - std::min(below, j * block));
  }
  // The leaf items covered by node `j` of `level`: [first, last].
  uint64_t first_item(size_t level, uint64_t j) const {
    uint64_t span = block;
    for (size_t k = 0; k < level; ++k) span *= block;
    return j * span;
  }
  uint64_t last_item(size_t level, uint64_t j) const {
    uint64_t span = block;
    for (size_t k = 0; k < level; ++k) span *= block;
    return std::min((j + 1) * span, items) - 1;
  }
};

// Byte offset of each level's first node, given the size of a full node per level;
// the root level comes first in the file.
std::vector<uint64_t> level_offsets(const TreeShape& shape, uint64_t first_node_offset,
                                    uint64_t leaf_item_size, uint64_t branch_item_size) {
  std::vector<uint64_t> offsets(shape.nodes.size());
  uint64_t offset = first_node_offset;
  for (size_t level = shape.nodes.size(); level-- > 0;) {
    offsets[level] = offset;
    const uint64_t item_size = level == 0 ? leaf_item_size : branch_item_size;
    for (uint64_t j = 0; j < shape.nodes[level]; ++j) offset += 4 + shape.node_items(level, j) * item_size;
  }
  return offsets;
}

void put_node_header(std::string& out, bool leaf, uint64_t count) {
  put_u8(out, leaf ? 1 : 0);
  put_u8(out, 0);
  put_u16(out, static_cast<uint16_t>(count));
}

}  // namespace

std::string r_tree_bytes(std::span<const IndexedBlock> blocks, uint32_t block_size, uint32_t items_per_slot,
                         uint64_t end_file_offset, uint64_t tree_offset) {
  constexpr uint64_t kLeafItem = 32, kBranchItem = 24, kHeader = 48;
  const TreeShape shape(blocks.size(), block_size);
  const std::vector<uint64_t> offsets = level_offsets(shape, tree_offset + kHeader, kLeafItem, kBranchItem);

  std::string out;
  put_u32(out, kRTreeMagic);
  put_u32(out, block_size);
  put_u64(out, blocks.size());
  put_u32(out, blocks.empty() ? 0 : blocks.front().start_chrom);
  put_u32(out, blocks.empty() ? 0 : blocks.front().start_base);
  put_u32(out, blocks.empty() ? 0 : blocks.back().end_chrom);
  put_u32(out, blocks.empty() ? 0 : blocks.back().end_base);
  put_u64(out, end_file_offset);
  put_u32(out, items_per_slot);
  put_u32(out, 0);

  for (size_t level = shape.nodes.size(); level-- > 0;) {
    for (uint64_t j = 0; j < shape.nodes[level]; ++j) {
      const uint64_t count = shape.node_items(level, j);
      put_node_header(out, level == 0, count);
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t child = j * shape.block + i;
        const IndexedBlock& first = blocks[level == 0 ? child : shape.first_item(level - 1, child)];
        const IndexedBlock& last = blocks[level == 0 ? child : shape.last_item(level - 1, child)];
        put_u32(out, first.start_chrom);
        put_u32(out, first.start_base);
        put_u32(out, last.end_chrom);
        put_u32(out, last.end_base);
        if (level == 0) {
          put_u64(out, first.offset);
          put_u64(out, first.size);
        } else {
          // Every node before `child` on the level below is full.
          const uint64_t full_node = 4 + shape.block * (level - 1 == 0 ? kLeafItem : kBranchItem);
          put_u64(out, offsets[level - 1] + child * full_node);
        }
      }
    }
  }
  return out;
}

std::string chrom_tree_bytes(std::vector<ChromTreeEntry> entries, uint32_t block_size, uint64_t tree_offset) {
  std::sort(entries.begin(), entries.end(),
            [](const ChromTreeEntry& a, const ChromTreeEntry& b) { return a.name < b.name; });
  size_t key_size = 1;
  for (const ChromTreeEntry& entry : entries) key_size = std::max(key_size, entry.name.size());
  const uint32_t block = static_cast<uint32_t>(std::clamp<size_t>(entries.size(), 1, block_size));
  const uint64_t item_size = key_size + 8;  // key + (id, length) or key + child offset
  const TreeShape shape(entries.size(), block);
  const std::vector<uint64_t> offsets = level_offsets(shape, tree_offset + 32, item_size, item_size);

  std::string out;
  put_u32(out, kChromTreeMagic);
  put_u32(out, block);
  put_u32(out, static_cast<uint32_t>(key_size));
  put_u32(out, 8);
  put_u64(out, entries.size());
  put_u64(out, 0);
  auto put_key = [&](const std::string& name) {
    out += name;
    out.append(key_size - name.size(), '\0');
  };
  for (size_t level = shape.nodes.size(); level-- > 0;) {
    for (uint64_t j = 0; j < shape.nodes[level]; ++j) {
      const uint64_t count = shape.node_items(level, j);
      put_node_header(out, level == 0, count);
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t child = j * shape.block + i;
        if (level == 0) {
          put_key(entries[child].name);
          put_u32(out, entries[child].id);
          put_u32(out, entries[child].length);
        } else {
          put_key(entries[shape.first_item(level - 1, child)].name);
          put_u64(out, offsets[level - 1] + child * (4 + shape.block * item_size));
        }
      }
    }
  }
  return out;
}

}  // namespace epibook::bigwig_write
