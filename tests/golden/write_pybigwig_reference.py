"""pyBigWig's view of bigWig files written by epibook's writer, for
tests/golden/bigwig_write_test.cpp.

Usage (run with /usr/bin/python3, which sees Debian's pyBigWig):
  write_pybigwig_reference.py dump BW REGIONS
      JSON on stdout: header, chroms (in id order), zoom reductions (read from the file's
      zoom headers, which pyBigWig does not expose), and per region the values (regions
      up to 20,000 bp), the intervals and the exact and zoom-level stats.
  write_pybigwig_reference.py write ITEMS SIZES OUT_BW
      Writes ITEMS (bedGraph lines, in file order) with pyBigWig's own writer, chromosomes
      in the order of SIZES; prints {"zoom_reductions": [...]}.
  write_pybigwig_reference.py compare OURS THEIRS REGIONS
      pyBigWig's zoom-level stats on both files, bin by bin, as JSON, with per zoom
      level the records both files hold alike; a bin is "comparable" when every zoom
      record it touches, in either file, is one of those (see identical_records).

REGIONS: "chrom start end bins" per line. NaN (pyBigWig's None) is written as null.
"""
import bisect
import json
import math
import struct
import sys
import zlib

import pyBigWig

STAT_TYPES = ["mean", "min", "max", "std", "coverage", "sum"]
MAX_VALUES_SPAN = 20000


def clean(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def read_regions(path):
    regions = []
    with open(path) as f:
        for line in f:
            chrom, start, end, bins = line.split()
            regions.append((chrom, int(start), int(end), int(bins)))
    return regions


def zoom_headers(data):
    """(reduction, index offset) per zoom level, from the header at offset 64."""
    count = struct.unpack_from("<H", data, 6)[0]
    return [struct.unpack_from("<IIQQ", data, 64 + 24 * i) for i in range(count)]


def rtree_leaves(data, offset):
    """The (start chrom, start, end chrom, end, offset, size) of every block under a node."""
    is_leaf, _, count = struct.unpack_from("<BBH", data, offset)
    offset += 4
    leaves = []
    for _ in range(count):
        if is_leaf:
            leaves.append(struct.unpack_from("<IIIIQQ", data, offset))
            offset += 32
        else:
            child = struct.unpack_from("<IIIIQ", data, offset)[4]
            leaves.extend(rtree_leaves(data, child))
            offset += 24
    return leaves


def zoom_blocks(path):
    """Per zoom level: a list of blocks, each a list of (chrom id, start, end, count, min, max, sum, sumsq)."""
    data = open(path, "rb").read()
    compressed = struct.unpack_from("<I", data, 52)[0] > 0
    levels = []
    for reduction, _, _, index_offset in zoom_headers(data):
        blocks = []
        for leaf in rtree_leaves(data, index_offset + 48):
            raw = data[leaf[4]:leaf[4] + leaf[5]]
            if compressed:
                raw = zlib.decompress(raw)
            blocks.append([struct.unpack_from("<IIIIffff", raw, k) for k in range(0, len(raw), 32)])
        levels.append((reduction, blocks))
    return levels


def identical_records(ours_path, theirs_path):
    """Per zoom level: the records both files hold alike, keyed (chrom id, start, end).

    libBigWig's writer (pyBigWig's) closes the last record of each zoom block after one
    item and never stores that record's sum and sum of squares (they stay 0); the next
    block's first record then starts mid-window, which shifts the records after it
    until a gap in the data lets them line up again. Everywhere else both writers lay
    out the same records, and those are the ones whose answers can be compared.
    Returns [(ours record count, {key: record})] per level of `theirs`.
    """
    ours, theirs = zoom_blocks(ours_path), zoom_blocks(theirs_path)
    levels = []
    for (_, our_blocks), (_, their_blocks) in zip(ours, theirs):
        their_records = {r[:3]: r for block in their_blocks for r in block}
        our_records = [r for block in our_blocks for r in block]
        alike = {}
        for r in our_records:
            t = their_records.get(r[:3])
            if t is not None and t[3:6] == r[3:6] and all(
                    abs(t[k] - r[k]) <= 1e-5 * max(1.0, abs(r[k])) for k in (6, 7)):
                alike[r[:3]] = r
        levels.append((len(our_records), alike, by_chrom(our_records), by_chrom(their_records.values())))
    return levels


def by_chrom(records):
    """{chrom id: (starts, records)}, records in file order (sorted, not overlapping)."""
    table = {}
    for r in records:
        starts, rows = table.setdefault(r[0], ([], []))
        starts.append(r[1])
        rows.append(r)
    return table


def records_overlapping(table, chrom_id, lo, hi):
    starts, rows = table.get(chrom_id, ([], []))
    first = max(0, bisect.bisect_right(starts, lo) - 1)
    last = bisect.bisect_left(starts, hi)
    return [r for r in rows[first:last] if r[2] > lo]


def chosen_level(reductions, start, end, bins):
    """The zoom level libBigWig answers from (bwStats' rule), or None for the raw data."""
    per_bin = int(int((end - start) / bins) / 2)
    best, best_diff = None, None
    for i, reduction in enumerate(reductions):
        diff = per_bin - reduction
        if diff >= 0 and (best_diff is None or diff < best_diff):
            best, best_diff = i, diff
    return best


def bin_edges(start, end, bins):
    edges, pos = [], start
    for i in range(bins):
        stop = start + int((end - start) * (i + 1) / bins)
        edges.append((pos, stop))
        pos = stop
    return edges


def dump(bw_path, regions_path):
    bw = pyBigWig.open(bw_path)
    header = bw.header()
    data = open(bw_path, "rb").read(4096)
    out = {
        "header": header,
        "chroms": [[name, length] for name, length in bw.chroms().items()],
        "zoom_reductions": [z[0] for z in zoom_headers(data)],
        "regions": [],
    }
    for chrom, start, end, bins in read_regions(regions_path):
        region = {"chrom": chrom, "start": start, "end": end, "bins": bins}
        if end - start <= MAX_VALUES_SPAN:
            region["values"] = [clean(v) for v in bw.values(chrom, start, end)]
        region["intervals"] = [list(i) for i in (bw.intervals(chrom, start, end) or ())]
        region["stats"] = {}
        for exact in (True, False):
            for stat in STAT_TYPES:
                key = stat + ("_exact" if exact else "_zoom")
                region["stats"][key] = [clean(v) for v in bw.stats(chrom, start, end, type=stat, nBins=bins, exact=exact)]
        out["regions"].append(region)
    json.dump(out, sys.stdout)


def write(items_path, sizes_path, out_path):
    sizes = [line.split() for line in open(sizes_path) if line.strip()]
    bw = pyBigWig.open(out_path, "w")
    bw.addHeader([(name, int(length)) for name, length in sizes], maxZooms=10)
    by_chrom = {}
    order = []
    for line in open(items_path):
        chrom, start, end, value = line.split()
        if chrom not in by_chrom:
            by_chrom[chrom] = ([], [], [])
            order.append(chrom)
        by_chrom[chrom][0].append(int(start))
        by_chrom[chrom][1].append(int(end))
        by_chrom[chrom][2].append(float(value))
    for chrom in order:
        starts, ends, values = by_chrom[chrom]
        bw.addEntries([chrom] * len(starts), starts, ends=ends, values=values)
    bw.close()
    data = open(out_path, "rb").read(4096)
    json.dump({"zoom_reductions": [z[0] for z in zoom_headers(data)]}, sys.stdout)


def compare(ours_path, theirs_path, regions_path):
    ours, theirs = pyBigWig.open(ours_path), pyBigWig.open(theirs_path)
    ids = {name: i for i, name in enumerate(theirs.chroms().keys())}
    levels = identical_records(ours_path, theirs_path)
    reductions = [z[0] for z in zoom_headers(open(theirs_path, "rb").read(4096))]
    rows = []
    for chrom, start, end, bins in read_regions(regions_path):
        level = chosen_level(reductions, start, end, bins)
        comparable = []
        for lo, hi in bin_edges(start, end, bins):
            if level is None:
                comparable.append(True)
                continue
            _, alike, our_records, their_records = levels[level]
            near = records_overlapping(our_records, ids[chrom], lo, hi) + \
                records_overlapping(their_records, ids[chrom], lo, hi)
            comparable.append(all(r[:3] in alike for r in near))
        for stat in STAT_TYPES:
            rows.append({
                "chrom": chrom, "start": start, "end": end, "bins": bins, "type": stat,
                "level": level, "comparable": comparable,
                "ours": [clean(v) for v in ours.stats(chrom, start, end, type=stat, nBins=bins)],
                "theirs": [clean(v) for v in theirs.stats(chrom, start, end, type=stat, nBins=bins)],
            })
    json.dump({"levels": [{"records": n, "alike": len(alike)} for n, alike, _, _ in levels], "rows": rows}, sys.stdout)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif command == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("unknown command " + command)
