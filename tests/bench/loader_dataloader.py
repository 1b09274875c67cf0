"""The Python side of tests/bench/loader_bench.cpp: the data and the peer it races.

  loader_dataloader.py make DIR
      Writes the benchmark's inputs with pyBigWig and numpy, fixed seed: genome.fa
      (two chromosomes, 20 + 15 Mb, random bases with N gaps; .fai by pysam) and eight
      tracks track0.bw .. track7.bw, each a ChIP-like signal in 25 bp bins over the
      whole genome with gaps, as pyBigWig writes it (32 KB blocks, zoom levels).
  loader_dataloader.py time DIR WINDOWS.tsv BATCH WORKERS
      Loads every window (chrom, start, end; in the given order) the way a PyTorch user
      would: a torch Dataset whose __getitem__ reads the eight tracks with pyBigWig
      values(numpy=True) and one-hot encodes the bases pysam fetches, batched by a
      torch.utils.data.DataLoader with WORKERS worker processes (0 = in the main
      process). Prints "seconds S samples N checksum C nan M ones K", timed from
      creating the DataLoader's iterator to the last batch.

The checksum is exact and order-free, so epibook's loader can print the same one:
sum of round(100 * value) over all non-NaN targets (the values carry two decimals),
the NaN count, and the number of ones in the one-hot arrays.
"""
import sys
import time

import numpy as np
import pyBigWig
import pysam
import torch
from torch.utils.data import DataLoader, Dataset

CHROMS = [("chr1", 20_000_000), ("chr2", 15_000_000)]
TRACKS = 8
BIN = 25


def write_genome(path, rng):
    with open(path, "w") as out:
        for chrom, length in CHROMS:
            bases = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.randint(0, 4, size=length)].copy()
            for _ in range(20):  # assembly gaps
                start = rng.randint(0, length - 5000)
                bases[start:start + rng.randint(100, 5000)] = ord("N")
            out.write(">%s\n" % chrom)
            text = bases.tobytes().decode()
            out.write("\n".join(text[i:i + 60] for i in range(0, length, 60)))
            out.write("\n")
    pysam.faidx(path)


def write_track(path, rng):
    bw = pyBigWig.open(path, "w")
    bw.addHeader(CHROMS)
    for chrom, length in CHROMS:
        bins = length // BIN
        covered = np.ones(bins, dtype=bool)
        position = 0
        while position < bins:  # gaps of 2-20 kb every 50-500 kb
            position += rng.randint(2000, 20000)
            covered[position:position + rng.randint(80, 800)] = False
        starts = np.nonzero(covered)[0].astype(np.int64) * BIN
        background = rng.gamma(2.0, 0.6, size=starts.size)
        peaks = (rng.rand(starts.size) < 0.03) * rng.gamma(3.0, 8.0, size=starts.size)
        values = np.round(background + peaks, 2).astype(np.float64)
        bw.addEntries([chrom] * starts.size, starts.tolist(), ends=(starts + BIN).tolist(), values=values.tolist())
    bw.close()


def make(directory):
    rng = np.random.RandomState(20240601)
    write_genome(directory + "/genome.fa", rng)
    for t in range(TRACKS):
        write_track("%s/track%d.bw" % (directory, t), rng)


ONE_HOT = np.zeros((256, 4), dtype=np.float32)
for channel, base in enumerate(b"ACGT"):
    ONE_HOT[base, channel] = 1
    ONE_HOT[base + 32, channel] = 1  # lower case


class WindowDataset(Dataset):
    """Windows -> (one-hot [4, L], targets [T, L]); files opened once per worker."""

    def __init__(self, directory, windows):
        self.directory = directory
        self.windows = windows
        self.tracks = None
        self.fasta = None

    def __len__(self):
        return len(self.windows)

    def __getitem__(self, i):
        if self.tracks is None:
            self.tracks = [pyBigWig.open("%s/track%d.bw" % (self.directory, t)) for t in range(TRACKS)]
            self.fasta = pysam.FastaFile(self.directory + "/genome.fa")
        chrom, start, end = self.windows[i]
        targets = np.stack([bw.values(chrom, start, end, numpy=True) for bw in self.tracks]).astype(np.float32)
        bases = np.frombuffer(self.fasta.fetch(chrom, start, end).encode(), dtype=np.uint8)
        return ONE_HOT[bases].T.copy(), targets


def time_loader(directory, windows_path, batch, workers):
    windows = []
    with open(windows_path) as handle:
        for line in handle:
            chrom, start, end = line.split("\t")
            windows.append((chrom, int(start), int(end)))
    torch.set_num_threads(1)
    loader = DataLoader(WindowDataset(directory, windows), batch_size=batch, shuffle=False, num_workers=workers)
    checksum = nan = ones = samples = 0
    began = time.perf_counter()
    for sequence, targets in loader:
        values = targets.numpy().astype(np.float64)
        missing = np.isnan(values)
        nan += int(missing.sum())
        checksum += int(np.rint(values[~missing] * 100).astype(np.int64).sum())
        ones += int(sequence.numpy().sum())
        samples += sequence.shape[0]
    seconds = time.perf_counter() - began
    print("seconds %.6f samples %d checksum %d nan %d ones %d" % (seconds, samples, checksum, nan, ones))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        time_loader(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
