#!/usr/bin/python3
# `epibook dataset` written again as a notebook would, with pysam (FASTA), pyBigWig and
# numpy: one-hot A, C, G, T per window, per-base transform, bin means of the bases with
# data, rows with a bin without data dropped. The CLI test holds the arrays epibook
# wrote to it: inputs and split exact, targets within 1e-6 relative. Debian's python3.
#
#   dataset_reference.py --genome FA --tracks A.bw B.bw --windows BED --bin N
#                        --transform none|arcsinh|log1p --dir DIR_WRITTEN_BY_EPIBOOK
import argparse
import sys

import numpy as np
import pyBigWig
import pysam

SPLITS = {"train": 0, "validation": 1, "val": 1, "valid": 1, "test": 2}


def one_hot(bases):
    out = np.zeros((4, len(bases)), dtype=np.float32)
    for j, base in enumerate(bases.upper()):
        channel = "ACGT".find(base)
        if channel >= 0:
            out[channel, j] = 1.0
    return out


def transformed(values, transform):
    values = np.asarray(values, dtype=np.float64)
    if transform == "arcsinh":
        values = np.arcsinh(values)
    elif transform == "log1p":
        values = np.log1p(values)
    return values.astype(np.float32).astype(np.float64)


def bin_means(values, bin_size):
    bins = values.reshape(-1, bin_size)
    with np.errstate(invalid="ignore"):
        counts = np.sum(~np.isnan(bins), axis=1)
        sums = np.nansum(bins, axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--genome", required=True)
    parser.add_argument("--tracks", nargs="+", required=True)
    parser.add_argument("--windows", required=True)
    parser.add_argument("--bin", type=int, default=0)
    parser.add_argument("--transform", default="none")
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()

    fasta = pysam.FastaFile(args.genome)
    tracks = [pyBigWig.open(path) for path in args.tracks]
    inputs, targets, split = [], [], []
    for line in open(args.windows):
        if not line.strip() or line.startswith("#"):
            continue
        chrom, start, end, split_name = line.rstrip("\n").split("\t")[:4]
        start, end = int(start), int(end)
        bin_size = args.bin if args.bin > 0 else end - start
        rows = [bin_means(transformed(t.values(chrom, start, end), args.transform), bin_size) for t in tracks]
        row = np.stack(rows)
        if np.isnan(row).any():
            continue  # a bin without data drops the row
        inputs.append(one_hot(fasta.fetch(chrom, start, end)))
        targets.append(row if row.shape[1] > 1 else row[:, 0])
        split.append(SPLITS[split_name])

    got_inputs = np.load(args.dir + "/inputs.npy")
    got_targets = np.load(args.dir + "/targets.npy")
    got_split = np.load(args.dir + "/split.npy")
    inputs, targets, split = np.stack(inputs), np.stack(targets), np.array(split, dtype=np.int8)
    problems = []
    if got_inputs.shape != inputs.shape or not np.array_equal(got_inputs, inputs):
        problems.append("inputs differ: %s vs %s" % (got_inputs.shape, inputs.shape))
    if got_split.dtype != np.int8 or not np.array_equal(got_split, split):
        problems.append("split differs")
    if got_targets.shape != targets.shape:
        problems.append("targets shape %s vs %s" % (got_targets.shape, targets.shape))
    elif not np.allclose(got_targets, targets, rtol=1e-6, atol=1e-7):
        problems.append("targets differ by up to %g" % np.max(np.abs(got_targets - targets)))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("rows %d inputs %s targets %s" % (len(split), inputs.shape, targets.shape))


if __name__ == "__main__":
    main()
