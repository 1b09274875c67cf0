"""pyBigWig's side of tests/bench/bigwig_values_bench.cpp.

  pybigwig_values.py make OUT.bw
      Writes the benchmark's bigWig with pyBigWig: 25-bp bins of a ChIP-like signal
      (background plus peaks) over three chromosomes, about 40% of bases covered,
      fixed seed; several MB, as pyBigWig writes it (32 KB blocks, zoom levels).
  pybigwig_values.py time FILE.bw WINDOWS.tsv VALUES.f32
      Reads every window (chrom, start, end) with values(..., numpy=True) in one loop,
      timed inside Python around the loop only, prints "seconds <s>", then writes all
      values, window after window, as raw float32 to VALUES.f32 for the agreement check.
"""
import sys
import time

import numpy as np
import pyBigWig

CHROMS = [("chr1", 24_000_000), ("chr2", 20_000_000), ("chr3", 16_000_000)]
BIN = 25


def make(path):
    rng = np.random.RandomState(20240601)
    bw = pyBigWig.open(path, "w")
    bw.addHeader(CHROMS)
    for (chrom, length) in CHROMS:
        bins = length // BIN
        # Covered stretches of 2-40 kb alternate with gaps, about 40% covered overall.
        covered = np.zeros(bins, dtype=bool)
        position = 0
        while position < bins:
            run = rng.randint(80, 1600)
            if rng.rand() < 0.4:
                covered[position:position + run] = True
            position += run
        starts = np.nonzero(covered)[0].astype(np.int64) * BIN
        background = rng.gamma(2.0, 0.6, size=starts.size)
        peaks = (rng.rand(starts.size) < 0.03) * rng.gamma(3.0, 8.0, size=starts.size)
        values = np.round(background + peaks, 2).astype(np.float64)
        bw.addEntries([chrom] * starts.size, starts.tolist(), ends=(starts + BIN).tolist(), values=values.tolist())
    bw.close()


def time_windows(path, windows_path, values_path):
    windows = []
    with open(windows_path) as handle:
        for line in handle:
            chrom, start, end = line.split("\t")
            windows.append((chrom, int(start), int(end)))
    bw = pyBigWig.open(path)
    out = [None] * len(windows)
    began = time.perf_counter()
    for i, (chrom, start, end) in enumerate(windows):
        out[i] = bw.values(chrom, start, end, numpy=True)
    seconds = time.perf_counter() - began
    print("seconds %.6f" % seconds)
    np.concatenate(out).astype(np.float32).tofile(values_path)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        time_windows(sys.argv[2], sys.argv[3], sys.argv[4])
