#!/usr/bin/python3
# Tutorial 1's pipeline written again with numpy and pyBigWig, as a notebook would: the
# golden test holds `epibook prep` to it (targets within 1e-6, labels and split exact).
# Also writes the realistic MACS2-like test track. Run with Debian's /usr/bin/python3.
#
#   prep_reference.py make-bigwig OUT.bw
#   prep_reference.py prepare --bigwig F --regions R... --out DIR [options as epibook prep]
import argparse
import os
import sys

import numpy as np
import pyBigWig

MASK64 = (1 << 64) - 1


# --- the split hash: FNV-1a 64 over the key's bytes, then SplitMix64's finaliser -------
def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def stable_hash(text, seed):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h ^= byte
        h = (h * 0x100000001B3) & MASK64
    return mix64(h ^ mix64(seed))


def split_of(chrom, start, end, args):
    if args.split == "chrom":
        if chrom in args.test_chroms:
            return 2
        if chrom in args.val_chroms:
            return 1
        return 0
    if args.hash_block > 0:
        block = start // args.hash_block * args.hash_block
        key = "%s:%d-%d" % (chrom, block, block + args.hash_block)
    else:
        key = "%s:%d-%d" % (chrom, start, end)
    unit = (stable_hash(key, args.seed) >> 11) * 2.0 ** -53
    train, validation, _ = args.fractions
    if unit < train:
        return 0
    if unit < train + validation:
        return 1
    return 2


# --- the test track ---------------------------------------------------------------------
def make_bigwig(path):
    """-log10(p) in 25 bp bins, as MACS2 and ENCODE write it: a noisy background, peaks
    of several widths (narrow TF-like, broad histone-like), a few extreme p-values, gaps
    without data, and chromosome lengths that end inside a 25 bp bin."""
    rng = np.random.RandomState(20241125)
    chroms = [("chr2L", 250007), ("chr2R", 180020), ("chr3L", 120513)]
    bw = pyBigWig.open(path, "w")
    bw.addHeader(chroms, maxZooms=0)
    for chrom, length in chroms:
        bins = (length + 24) // 25
        signal = rng.exponential(0.35, bins)
        centre = 0
        while True:
            centre += int(rng.randint(40, 400))
            if centre >= bins:
                break
            width = rng.choice([2.0, 6.0, 40.0])  # in 25 bp bins: 50 bp, 150 bp, 1 kb
            height = rng.lognormal(1.5, 0.9)
            k = np.arange(bins)
            signal += height * np.exp(-0.5 * ((k - centre) / width) ** 2)
        extreme = rng.randint(0, bins, 5)
        signal[extreme] = rng.uniform(150, 320, 5)
        has_data = np.ones(bins, dtype=bool)
        for _ in range(6):
            gap = int(rng.randint(0, bins - 60))
            has_data[gap:gap + int(rng.randint(3, 60))] = False
        starts = np.arange(bins)[has_data] * 25
        ends = np.minimum(starts + 25, length)
        values = signal[has_data].astype(np.float32)
        bw.addEntries([chrom] * len(starts), [int(s) for s in starts], ends=[int(e) for e in ends],
                      values=[float(v) for v in values])
    bw.close()


# --- the pipeline -------------------------------------------------------------------------
def parse_regions(arguments):
    regions = []
    for argument in arguments:
        if ":" in argument and not os.path.isfile(argument):
            chrom, span = argument.rsplit(":", 1)
            start, end = span.replace(",", "").split("-")
            regions.append((chrom, int(start), int(end)))
            continue
        with open(argument) as bed:
            for line in bed:
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.split("\t")
                regions.append((fields[0], int(fields[1]), int(fields[2])))
    return regions


def tile(regions, width, stride, tail):
    windows = []
    for chrom, start, end in regions:
        if end - start < width:
            continue
        s = start
        last_end = start
        while s + width <= end:
            windows.append((chrom, s, s + width))
            last_end = s + width
            s += stride
        if tail == "align-end" and last_end < end:
            windows.append((chrom, end - width, end))
    return windows


def transform(values, name):
    """In float64, stored as float32, as epibook does."""
    x = values.astype(np.float64)
    if name == "arcsinh":
        x = np.arcsinh(x)
    elif name == "log1p":
        x = np.log1p(x)
    return x.astype(np.float32)


def nanmean_rows(matrix):
    """Mean of each row's non-NaN values, NaN for rows without any (no warnings)."""
    m = matrix.astype(np.float64)
    ok = ~np.isnan(m)
    count = ok.sum(axis=1)
    total = np.where(ok, m, 0.0).sum(axis=1)
    out = np.full(m.shape[0], np.nan)
    out[count > 0] = total[count > 0] / count[count > 0]
    return out.astype(np.float32)


def window_bins(bw, chrom, start, end, args):
    """The window's output bins and its values at input resolution."""
    a, b = args.input_bin, args.bin
    if a <= 1:
        fine = transform(np.array(bw.values(chrom, start, end, numpy=True), dtype=np.float32), args.transform)
        return nanmean_rows(fine.reshape(-1, b)), fine
    # Input bins on the genome's grid of multiples of a, cut at the chromosome's end.
    chrom_length = bw.chroms(chrom)
    first = start // a * a
    last = min(-(-end // a) * a, chrom_length)
    per_base = np.array(bw.values(chrom, first, last, numpy=True), dtype=np.float32)
    padded = np.full(-(-len(per_base) // a) * a, np.nan, dtype=np.float32)
    padded[:len(per_base)] = per_base
    coarse = transform(nanmean_rows(padded.reshape(-1, a)), args.transform)
    # Re-binning by overlap, done differently from epibook on purpose: each input bin's
    # value is spread over its bases, then every output bin averages its own bases.
    spread = np.repeat(coarse, a)[:len(per_base)]
    mine = spread[start - first:end - first]
    return nanmean_rows(mine.reshape(-1, b)), coarse


def window_label(bins, fine, args):
    ok = ~np.isnan(bins)
    if not ok.any():
        return -1
    above = bins[ok].astype(np.float64) >= args.threshold
    rule = args.label_rule
    if rule == "any":
        return int(above.any())
    if rule.startswith("fraction:"):
        return int(above.sum() >= float(rule.split(":")[1]) * ok.sum())
    if rule == "mean":
        return int(bins[ok].astype(np.float64).mean() >= args.threshold)
    if rule == "max":
        f = fine[~np.isnan(fine)].astype(np.float64)
        return int((f >= args.threshold).any())
    raise SystemExit("unknown label rule " + rule)


def prepare(args):
    bw = pyBigWig.open(args.bigwig)
    windows = tile(parse_regions(args.regions), args.window, args.stride, args.window_tail)
    n, nb = len(windows), args.window // args.bin
    targets = np.zeros((n, nb), dtype=np.float32)
    labels = np.zeros(n, dtype=np.int8)
    split = np.zeros(n, dtype=np.int8)
    for i, (chrom, start, end) in enumerate(windows):
        bins, fine = window_bins(bw, chrom, start, end, args)
        targets[i] = bins
        labels[i] = window_label(bins, fine, args)
        split[i] = split_of(chrom, start, end, args)
    bin_labels = np.where(np.isnan(targets), -1, (targets.astype(np.float64) >= args.threshold)).astype(np.int8)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "targets.npy"), targets)
    np.save(os.path.join(args.out, "labels.npy"), labels)
    np.save(os.path.join(args.out, "bin_labels.npy"), bin_labels)
    np.save(os.path.join(args.out, "split.npy"), split)
    names = ["train", "validation", "test"]
    with open(os.path.join(args.out, "windows.bed"), "w") as bed:
        for (chrom, start, end), s in zip(windows, split):
            bed.write("%s\t%d\t%d\t%s\n" % (chrom, start, end, names[s]))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-bigwig")
    make.add_argument("out")
    p = sub.add_parser("prepare")
    p.add_argument("--bigwig", required=True)
    p.add_argument("--regions", nargs="+", required=True)
    p.add_argument("--out", required=True)
    # The defaults are Tutorial 1's values, the tutorial1 preset of epibook.
    p.add_argument("--preset", choices=["tutorial1"], default="tutorial1")
    p.add_argument("--window", type=int, default=1024)
    p.add_argument("--stride", type=int, default=None)
    p.add_argument("--window-tail", default="drop")
    p.add_argument("--bin", type=int, default=32)
    p.add_argument("--input-bin", type=int, default=25)
    p.add_argument("--transform", default="arcsinh")
    p.add_argument("--threshold", type=float, default=float(np.arcsinh(2.0)))
    p.add_argument("--label-rule", default="any")
    p.add_argument("--split", default="hash")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fractions", default="0.8,0.1,0.1")
    p.add_argument("--hash-block", type=int, default=20000)  # the preset's 20 kb blocks
    p.add_argument("--val-chroms", default="")
    p.add_argument("--test-chroms", default="")
    args = parser.parse_args()
    if args.command == "make-bigwig":
        make_bigwig(args.out)
        return
    args.stride = args.stride or args.window
    args.fractions = [float(f) for f in args.fractions.split(",")]
    args.val_chroms = [c for c in args.val_chroms.split(",") if c]
    args.test_chroms = [c for c in args.test_chroms.split(",") if c]
    prepare(args)


if __name__ == "__main__":
    sys.exit(main())
