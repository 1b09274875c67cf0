"""Rewrites a bigWig file with its data and zoom blocks stored uncompressed.

pyBigWig (libBigWig) always compresses, yet the format allows uncompressed blocks
(uncompressBufSize = 0) and UCSC tools write them with -unc. The golden tests and the
unit-test fixtures use this to check that epibook reads both kinds, with pyBigWig and
libBigWig reading the rewritten file as the reference.

The metadata before the data section (header, zoom headers, total summary, chromosome
tree) is copied as is; the data and every zoom level are written again, each with an
R-tree index of a single leaf, and the header's offsets are patched to match.
"""
import struct
import sys
import zlib

RTREE_MAGIC = 0x2468ACE0


def read_leaves(data, index_offset):
    """Leaf items (chrom/base bounds, offset, size) of an R-tree, in file order."""
    magic, = struct.unpack_from("<I", data, index_offset)
    assert magic == RTREE_MAGIC, "not an R-tree at %d" % index_offset
    leaves = []

    def walk(offset):
        is_leaf, _, count = struct.unpack_from("<BBH", data, offset)
        at = offset + 4
        for _ in range(count):
            if is_leaf:
                leaves.append(struct.unpack_from("<IIIIQQ", data, at))
                at += 32
            else:
                child, = struct.unpack_from("<Q", data, at + 16)
                walk(child)
                at += 24

    walk(index_offset + 48)
    return leaves


def single_leaf_index(items, file_offset_after):
    """An R-tree whose root is one leaf holding every block."""
    if items:
        bounds = (items[0][0], items[0][1], items[-1][2], items[-1][3])
    else:
        bounds = (0, 0, 0, 0)
    out = struct.pack("<IIQIIIIQII", RTREE_MAGIC, max(len(items), 1), len(items), *bounds,
                      file_offset_after, 1, 0)
    out += struct.pack("<BBH", 1, 0, len(items))
    for item in items:
        out += struct.pack("<IIIIQQ", *item)
    return out


def rewrite_uncompressed(source_path, target_path):
    data = open(source_path, "rb").read()
    (magic, version, zoom_count, chrom_tree, full_data, full_index, _fields, _defined, _autosql,
     _summary, buf_size, _ext) = struct.unpack_from("<IHHQQQHHQQIQ", data, 0)
    assert magic == 0x888FFC26 and buf_size > 0, "expects a compressed bigWig"
    zooms = [struct.unpack_from("<IIQQ", data, 64 + 24 * i) for i in range(zoom_count)]
    out = bytearray(data[:full_data])

    def copy_blocks(leaves, count_format):
        start = len(out)
        out.extend(struct.pack(count_format, len(leaves)))
        items = []
        for (c0, b0, c1, b1, offset, size) in leaves:
            raw = zlib.decompress(data[offset:offset + size])
            items.append((c0, b0, c1, b1, len(out), len(raw)))
            out.extend(raw)
        return start, items

    _, items = copy_blocks(read_leaves(data, full_index), "<Q")
    new_full_index = len(out)
    out.extend(single_leaf_index(items, len(out)))
    new_zooms = []
    for (reduction, reserved, zoom_data, zoom_index) in zooms:
        start, items = copy_blocks(read_leaves(data, zoom_index), "<I")
        index_at = len(out)
        out.extend(single_leaf_index(items, len(out)))
        new_zooms.append((reduction, reserved, start, index_at))
    struct.pack_into("<Q", out, 24, new_full_index)
    struct.pack_into("<I", out, 52, 0)
    for i, zoom in enumerate(new_zooms):
        struct.pack_into("<IIQQ", out, 64 + 24 * i, *zoom)
    open(target_path, "wb").write(bytes(out))


if __name__ == "__main__":
    rewrite_uncompressed(sys.argv[1], sys.argv[2])
