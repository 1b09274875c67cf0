#!/usr/bin/env python3
"""The Python module's loader feeding a PyTorch training loop, against the loader a
PyTorch user writes: a Dataset reading pyBigWig and pysam, batched by DataLoader.

Same data as tests/bench/loader_bench.cpp (a 35 Mb genome and eight bigWig tracks,
written once by tests/bench/loader_dataloader.py), the same 4,096 random windows of
1 kb, batches of 64, the same small CNN trained on each (one thread of PyTorch), with
1 and 2 DataLoader workers. Prints samples/s, the ratio, the load average, and an
order-free checksum of the targets to show that both loaders read the same values.
Run by `make bench`: python/bench/torch_loader_bench.py BUILD_DIR
"""
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "bench"))
import loader_dataloader as peer  # noqa: E402  (the pyBigWig Dataset of the loader benchmark)

WINDOWS, LENGTH, BATCH, BIN = 4096, 1000, 64, 25


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv1d(4, 32, 15, padding=7), torch.nn.ReLU(), torch.nn.MaxPool1d(BIN),
                               torch.nn.Conv1d(32, peer.TRACKS, 5, padding=2))


def train(batches):
    """Trains on every batch; returns samples/s from the first batch asked to the last step."""
    net = model()
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    checksum, samples = 0, 0
    began = time.perf_counter()
    for sequence, targets in batches:
        targets = torch.nan_to_num(targets)
        binned = targets.reshape(targets.shape[0], targets.shape[1], -1, BIN).mean(dim=3)
        loss = torch.nn.functional.mse_loss(net(sequence), binned)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        checksum += float(targets.double().sum())
        samples += sequence.shape[0]
    return samples / (time.perf_counter() - began), samples, checksum


def random_windows(rng):
    out = []
    for _ in range(WINDOWS):
        chrom, length = peer.CHROMS[rng.randint(len(peer.CHROMS))]
        start = int(rng.randint(0, length - LENGTH))
        out.append((chrom, start, start + LENGTH))
    return out


def epibook_batches(data_dir, windows, workers):
    from epibook.torch_data import WindowDataset
    data = WindowDataset(windows, tracks=[f"{data_dir}/track{t}.bw" for t in range(peer.TRACKS)],
                         fasta=f"{data_dir}/genome.fa", batch_size=BATCH, bin=1, threads=1, seed=1)
    loader = torch.utils.data.DataLoader(data, batch_size=None, num_workers=workers)
    return ((b["sequence"], b["targets"]) for b in loader)


def pybigwig_batches(data_dir, windows, workers):
    loader = torch.utils.data.DataLoader(peer.WindowDataset(data_dir, windows), batch_size=BATCH, shuffle=False,
                                         num_workers=workers)
    return iter(loader)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "native")
    sys.path.insert(0, os.path.join(build, "python"))
    data_dir = os.path.join(build, "tests", "bench_data", "loader")  # shared with loader_bench
    os.makedirs(data_dir, exist_ok=True)
    if not os.path.exists(f"{data_dir}/track{peer.TRACKS - 1}.bw"):
        print(f"torch_loader_bench: writing the genome and {peer.TRACKS} tracks into {data_dir} (once)", file=sys.stderr)
        peer.make(data_dir)
    torch.set_num_threads(1)
    windows = random_windows(np.random.RandomState(5))
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(figures mislead above 2); {WINDOWS} windows of {LENGTH} bp, {peer.TRACKS} tracks, batch {BATCH}, "
          "one PyTorch thread training a 2-layer CNN")
    for workers in (1, 2):
        ours, n1, sum1 = train(epibook_batches(data_dir, windows, workers))
        theirs, n2, sum2 = train(pybigwig_batches(data_dir, windows, workers))
        same = "same values" if n1 == n2 and abs(sum1 - sum2) <= 1e-6 * abs(sum2) else "VALUES DIFFER"
        print(f"{workers} worker(s): epibook {ours:,.0f} samples/s, pyBigWig + pysam DataLoader {theirs:,.0f} "
              f"samples/s: {ours / theirs:.2f}x ({same}: checksum {sum1:.6g} / {sum2:.6g})")
    print("for scale: bigwig-loader's published figure is about 2,050 samples/s feeding a GPU; "
          "these are one CPU core training a small model")


if __name__ == "__main__":
    main()
