"""The loader's batches rebuilt with pyBigWig, pysam and plain Python, for
tests/golden/loader_pybigwig_test.cpp.

  loader_reference.py make DIR
      Writes DIR/genome.fa (+ .fai by pysam: two chromosomes with N runs and soft-masked
      lower case) and DIR/track0.bw .. track2.bw with pyBigWig (25 bp steps of varied
      values with gaps, 32 KB blocks as pyBigWig writes them).
  loader_reference.py check DIR BIN
      Reads DIR/windows.tsv (chrom, start, end, reversed: the windows of the loader's
      batches as read, in order), DIR/sequence.npy [N, 4, L] and DIR/targets.npy
      [N, T, L/BIN] that epibook wrote, rebuilds each window independently (values from
      pyBigWig, arcsinh per base with math.asinh, mean of the non-NaN values of each bin
      summed left to right in double, reversed when the window was flipped; one-hot of
      pysam's bases, 0.25 for anything not A/C/G/T, complemented and reversed when
      flipped) and prints "windows N mismatches M", then the first few mismatches.
"""
import math
import sys

import numpy as np
import pyBigWig
import pysam

CHROMS = [("chrA", 60_000), ("chrB", 41_234)]
TRACKS = 3


def make(directory):
    rng = np.random.RandomState(7)
    with open(directory + "/genome.fa", "w") as out:
        for chrom, length in CHROMS:
            bases = list(np.array(list("ACGT"))[rng.randint(0, 4, size=length)])
            for start in rng.randint(0, length - 300, size=6):
                bases[start:start + 120] = ["N"] * 120
            for start in rng.randint(0, length - 800, size=6):
                bases[start:start + 500] = [b.lower() for b in bases[start:start + 500]]
            text = "".join(bases)
            out.write(">%s\n" % chrom)
            out.write("\n".join(text[i:i + 70] for i in range(0, length, 70)) + "\n")
    pysam.faidx(directory + "/genome.fa")
    for t in range(TRACKS):
        bw = pyBigWig.open("%s/track%d.bw" % (directory, t), "w")
        bw.addHeader(CHROMS)
        for chrom, length in CHROMS:
            starts = np.arange(0, length - 25, 25, dtype=np.int64)
            starts = starts[rng.rand(starts.size) > 0.15]  # gaps: bases without data
            values = np.round(rng.gamma(2.0, 1.5, size=starts.size) * (1 + 30 * (rng.rand(starts.size) < 0.05)), 3)
            bw.addEntries([chrom] * starts.size, starts.tolist(), ends=(starts + 25).tolist(), values=values.tolist())
        bw.close()


COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


def one_hot(bases, reversed_):
    bases = bases.upper()
    if reversed_:
        bases = "".join(COMPLEMENT.get(b, b) for b in reversed(bases))
    out = np.zeros((4, len(bases)), dtype=np.float32)
    for j, base in enumerate(bases):
        channel = "ACGT".find(base)
        if channel < 0:
            out[:, j] = 0.25
        else:
            out[channel, j] = 1.0
    return out


def binned_arcsinh(values, bin_size, reversed_):
    out = []
    for first in range(0, len(values), bin_size):
        total, count = 0.0, 0
        for v in values[first:first + bin_size]:
            if not math.isnan(v):
                total += float(np.float32(math.asinh(float(v))))
                count += 1
        out.append(np.float32(total / count) if count else np.float32("nan"))
    if reversed_:
        out.reverse()
    return np.array(out, dtype=np.float32)


def check(directory, bin_size):
    fasta = pysam.FastaFile(directory + "/genome.fa")
    tracks = [pyBigWig.open("%s/track%d.bw" % (directory, t)) for t in range(TRACKS)]
    sequence = np.load(directory + "/sequence.npy")
    targets = np.load(directory + "/targets.npy")
    mismatches = []
    windows = 0
    with open(directory + "/windows.tsv") as handle:
        for i, line in enumerate(handle):
            chrom, start, end, flipped = line.split()
            start, end, flipped = int(start), int(end), flipped == "1"
            windows += 1
            if not np.array_equal(one_hot(fasta.fetch(chrom, start, end), flipped), sequence[i]):
                mismatches.append("window %d %s:%d-%d: one-hot differs" % (i, chrom, start, end))
            for t, bw in enumerate(tracks):
                expected = binned_arcsinh(bw.values(chrom, start, end), bin_size, flipped)
                if not np.array_equal(expected, targets[i, t], equal_nan=True):
                    mismatches.append("window %d %s:%d-%d track %d: %s vs %s" %
                                      (i, chrom, start, end, t, expected[:4], targets[i, t, :4]))
    print("windows %d mismatches %d" % (windows, len(mismatches)))
    for m in mismatches[:5]:
        print(m)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], int(sys.argv[3]))
