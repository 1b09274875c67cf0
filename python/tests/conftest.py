"""Shared fixtures: the repository's bigWig fixtures and a simulated genome with
tracks, made once per session by the built CLI (the same one `make test` built)."""
import os
import subprocess

import pytest

DATA = os.environ.get("EPIBOOK_TEST_DATA_DIR",
                      os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data"))
CLI = os.environ.get("EPIBOOK_CLI", os.path.join(os.path.dirname(__file__), "..", "..",
                                                 "build", "native", "cli", "epibook"))


@pytest.fixture(scope="session")
def fixtures_dir():
    return DATA


@pytest.fixture(scope="session")
def cli():
    return CLI


@pytest.fixture(scope="session")
def motif_windows(tmp_path_factory):
    """Chapter 1's first-model genome (2 Mb, CTCF-like motifs at 400 sites per Mb) and
    its windows: 200 bp on the planted peaks, 3 GC-matched negatives per peak, split in
    50 kb blocks. Returns (genome.fa, windows.bed)."""
    out = tmp_path_factory.mktemp("motifs")
    motif = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "motifs", "ctcf_like.txt")
    subprocess.run([CLI, "simulate", "--preset", "toy", "-o", str(out), "--cell-types", "1",
                    "--chromosome-lengths", "800000,700000,500000", "--motif", motif, "--motif-density", "400",
                    "--reads", "0", "--chip-reads", "0", "-q"], check=True)
    subprocess.run([CLI, "regions", "--genome", str(out / "genome.fa"), "--peaks", str(out / "celltypeA.narrowPeak"),
                    "--width", "200", "--negatives", "3", "--split", "hash", "--hash-block", "50000",
                    "--fractions", "0.6,0.2,0.2", "--seed", "1", "-o", str(out / "windows.bed"), "-q"], check=True)
    return out / "genome.fa", out / "windows.bed"


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    """A 1 Mb simulated genome: genome.fa, celltypeA/B/C .bw and .narrowPeak."""
    out = tmp_path_factory.mktemp("sim")
    subprocess.run([CLI, "simulate", "--preset", "toy", "-o", str(out), "--reads", "0", "--chip-reads", "0", "-q"],
                   check=True)
    return out
