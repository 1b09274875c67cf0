"""Golden cases for epibook's bigWig reader: writes randomized bigWig files with pyBigWig
and records pyBigWig's answers about them, for tests/golden/bigwig_read_test.cpp.

Usage: /usr/bin/python3 pybigwig_cases.py OUT_DIR
Writes OUT_DIR/*.bw and OUT_DIR/answers.json:
  {"files": [{"path", "zoom_levels", "queries": [{"chrom", "start", "end",
     "values": [..] or absent, "intervals": [[start, end, value], ..],
     "stats": [{"type", "exact", "bins", "values": [..]}]}]}]}
NaN (pyBigWig's None) is written as null, infinities as the strings "inf" / "-inf".

Files vary in seed, chromosome layout, section types (bedGraph, variableStep,
fixedStep, mixed within a chromosome), gaps, zoom levels (addHeader(maxZooms=0) gives
none) and compression (one file is rewritten with uncompressed blocks).
"""
import json
import math
import os
import random
import sys

import numpy as np
import pyBigWig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uncompressed_bigwig import rewrite_uncompressed  # noqa: E402

STAT_TYPES = ["mean", "min", "max", "std", "coverage", "sum"]


def random_value(rng):
    kind = rng.random()
    if kind < 0.1:
        return 0.0
    if kind < 0.3:
        return float(rng.randint(-5, 20))
    return rng.uniform(-3.0, 40.0)


def write_chromosome(bw, rng, chrom, length, section_types):
    """Adds sections of the given types, separated by gaps, until the chromosome ends."""
    position = rng.randint(0, 3000)
    while position < length - 10:
        kind = rng.choice(section_types)
        if kind == "bedGraph":
            starts, ends, values = [], [], []
            for _ in range(rng.randint(1, 400)):
                start = position + (0 if rng.random() < 0.6 else rng.randint(1, 200))
                end = start + rng.randint(1, 300)
                if end > length:
                    break
                starts.append(start)
                ends.append(end)
                values.append(random_value(rng))
                position = end
            if starts:
                bw.addEntries([chrom] * len(starts), starts, ends=ends, values=values)
        elif kind == "variableStep":
            span = rng.randint(1, 50)
            starts, values = [], []
            for _ in range(rng.randint(1, 300)):
                start = position + rng.randint(0, 100)
                if start + span > length:
                    break
                starts.append(start)
                values.append(random_value(rng))
                position = start + span
            if starts:
                bw.addEntries(chrom, starts, values=values, span=span)
        else:
            span = rng.randint(1, 40)
            step = span + rng.randint(0, 40)
            count = rng.randint(1, 300)
            count = min(count, (length - position - span) // step)
            if count > 0:
                values = [random_value(rng) for _ in range(count)]
                bw.addEntries(chrom, position, values=values, span=span, step=step)
                position += count * step  # pyBigWig wants the next entry at or after this
        position += rng.randint(0, 5000) if rng.random() < 0.5 else rng.randint(0, 50)


def write_file(path, seed, max_zooms, section_types_by_chrom, lengths=(30000, 250000)):
    rng = random.Random(seed)
    chroms = [(name, rng.randint(*lengths)) for name in section_types_by_chrom]
    chroms.append(("chrEmpty", 20000))  # in the header, without data
    bw = pyBigWig.open(path, "w")
    bw.addHeader(chroms, maxZooms=max_zooms)
    for (name, length) in chroms:
        if name in section_types_by_chrom:
            write_chromosome(bw, rng, name, length, section_types_by_chrom[name])
    bw.close()
    return chroms


def random_regions(rng, chroms, count):
    regions = []
    for _ in range(count):
        chrom, length = rng.choice(chroms)
        shape = rng.random()
        if shape < 0.45:
            size = rng.randint(1, 2500)
        elif shape < 0.75:
            size = rng.randint(2500, 60000)
        elif shape < 0.85:
            size = length
        else:
            size = rng.randint(1, 40)
        size = min(size, length)
        start = rng.randint(0, length - size)
        if rng.random() < 0.08:
            start = length - size  # against the chromosome end
        regions.append((chrom, start, start + size))
    return regions


def encode(number):
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return None
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def answers_for(bw, rng, regions):
    queries = []
    for (chrom, start, end) in regions:
        query = {"chrom": chrom, "start": start, "end": end}
        if end - start <= 5000:
            values = bw.values(chrom, start, end, numpy=True)
            query["values"] = [encode(float(v)) for v in values]
        intervals = bw.intervals(chrom, start, end) or ()
        query["intervals"] = [[s, e, float(np.float32(v))] for (s, e, v) in intervals]
        stats = []
        length = end - start
        bin_choices = [1, rng.randint(2, 25)]
        if length < 60:
            bin_choices.append(length + rng.randint(1, 20))  # more bins than bases: empty bins
        for bins in bin_choices:
            for kind in STAT_TYPES:
                for exact in (False, True):
                    got = bw.stats(chrom, start, end, type=kind, nBins=bins, exact=exact)
                    stats.append({"type": kind, "exact": exact, "bins": bins, "values": [encode(v) for v in got]})
        query["stats"] = stats
        queries.append(query)
    return queries


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    every = ["bedGraph", "variableStep", "fixedStep"]
    layouts = [
        ("mixed_zoom.bw", 101, 10, {"chr1": every, "chr2": ["bedGraph"], "chr10": every}),
        ("mixed_no_zoom.bw", 202, 0, {"chrA": every, "chrB": ["variableStep"]}),
        ("fixed_zoom.bw", 303, 10, {"chr2L": ["fixedStep"], "chr2R": ["variableStep"], "chrX": ["bedGraph"]}),
        ("dense_zoom.bw", 404, 4, {"chr1": ["bedGraph"], "chr3": every}),
    ]
    files = []
    for (name, seed, zooms, layout) in layouts:
        path = os.path.join(out_dir, name)
        # The dense file is long enough for several zoom levels.
        lengths = (1500000, 3000000) if name.startswith("dense") else (30000, 250000)
        chroms = write_file(path, seed, zooms, layout, lengths)
        files.append((path, seed, chroms))
    uncompressed = os.path.join(out_dir, "mixed_zoom_uncompressed.bw")
    rewrite_uncompressed(files[0][0], uncompressed)
    files.append((uncompressed, 505, files[0][2]))

    out = {"files": []}
    for (path, seed, chroms) in files:
        rng = random.Random(seed * 7 + 1)
        bw = pyBigWig.open(path)
        regions = random_regions(rng, chroms, 120)
        out["files"].append({"path": path, "zoom_levels": bw.header()["nLevels"],
                             "queries": answers_for(bw, rng, regions)})
        bw.close()
    with open(os.path.join(out_dir, "answers.json"), "w") as handle:
        json.dump(out, handle, allow_nan=False)


if __name__ == "__main__":
    main(sys.argv[1])
