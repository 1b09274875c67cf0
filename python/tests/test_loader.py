"""epibook.Loader and its PyTorch dataset: batches checked against the FASTA and
pyBigWig read independently, the same bits on 1 and 2 threads and through DataLoader
workers, and a PyTorch training loop that learns from them."""
import os
import sys

import numpy as np
import pyBigWig
import pytest
import torch
from sklearn.metrics import roc_auc_score

import epibook
from epibook.torch_data import WindowDataset

# The notebook-style reference of `epibook dataset` (tests/golden) already one-hot encodes.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden"))
from dataset_reference import one_hot  # noqa: E402

WINDOW = 1000


def read_fasta(path):
    seqs, name = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                name = line[1:].split()[0]
                seqs[name] = []
            elif name:
                seqs[name].append(line)
    return {k: "".join(v) for k, v in seqs.items()}


@pytest.fixture(scope="module")
def windows(sim):
    fai = [line.split("\t") for line in open(sim / "genome.fa.fai")]
    return epibook.tile([(name, 0, int(length)) for name, length, *_ in fai], WINDOW)


def make_loader(sim, windows, **kw):
    args = dict(fasta=str(sim / "genome.fa"), tracks=[str(sim / "celltypeA.bw"), str(sim / "celltypeB.bw")],
                batch_size=32, bin=25, seed=7, missing_as_zero=True)
    args.update(kw)
    return epibook.Loader(windows, **args)


def test_batches_hold_the_sequence_and_the_binned_signal_of_their_windows(sim, windows):
    genome = read_fasta(sim / "genome.fa")
    tracks = [pyBigWig.open(str(sim / f"celltype{c}.bw")) for c in "AB"]
    loader = make_loader(sim, windows)
    assert loader.window_count == len(windows) and loader.window_length == WINDOW
    seen = 0
    for batch in loader.epoch(0):
        assert batch["sequence"].shape == (len(batch["regions"]), 4, WINDOW)
        assert batch["targets"].shape == (len(batch["regions"]), 2, WINDOW // 25)
        for i, (chrom, start, end) in enumerate(batch["regions"]):
            np.testing.assert_array_equal(batch["sequence"][i], one_hot(genome[chrom][start:end]))
            for t, bw in enumerate(tracks):
                values = np.nan_to_num(np.array(bw.values(chrom, start, end), dtype=np.float64))
                np.testing.assert_allclose(batch["targets"][i, t], values.reshape(-1, 25).mean(axis=1), rtol=1e-5)
        seen += len(batch["regions"])
        if seen >= 200:
            break
    assert seen >= 200


def test_the_same_seed_gives_the_same_bits_on_any_thread_count_and_by_number(sim, windows):
    one = list(make_loader(sim, windows, threads=1, reverse_complement=True, max_shift=10).epoch(1))
    two = make_loader(sim, windows, threads=2, reverse_complement=True, max_shift=10)
    for a, b in zip(one, two.epoch(1)):
        np.testing.assert_array_equal(a["sequence"], b["sequence"])
        np.testing.assert_array_equal(a["targets"], b["targets"])
        assert a["regions"] == b["regions"]
    by_number = two.batch(1, 3)
    np.testing.assert_array_equal(by_number["targets"], one[3]["targets"])
    assert len(one) == two.batches_in_epoch(1)
    other_seed = next(make_loader(sim, windows, seed=8).epoch(1))
    assert other_seed["regions"] != one[0]["regions"]


def test_dataloader_workers_give_the_batches_of_one_process_in_order(sim, windows):
    data = WindowDataset(windows[:300], tracks=[str(sim / "celltypeA.bw")], fasta=str(sim / "genome.fa"),
                         batch_size=16, bin=50, seed=3, missing_as_zero=True)
    single = list(torch.utils.data.DataLoader(data, batch_size=None, num_workers=0))
    workers = list(torch.utils.data.DataLoader(data, batch_size=None, num_workers=2))
    assert len(single) == len(workers) == len(data)
    for a, b in zip(single, workers):
        assert torch.equal(a["sequence"], b["sequence"]) and torch.equal(a["targets"], b["targets"])


def test_a_pytorch_training_loop_learns_from_the_loader(motif_windows):
    # Peak or background from sequence, on planted CTCF-like motifs: a DeepBind-shaped
    # CNN trained on the training windows must rank the held-out ones far above chance.
    genome, bed = motif_windows
    rows = [line.split("\t") for line in bed.read_text().splitlines()]
    split = {name: [(r[0], int(r[1]), int(r[2])) for r in rows if r[3] == name] for name in ("train", "test")}
    label = {name: [int(r[4]) for r in rows if r[3] == name] for name in ("train", "test")}
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv1d(4, 16, 15), torch.nn.ReLU(), torch.nn.AdaptiveMaxPool1d(1),
                                torch.nn.Flatten(), torch.nn.Linear(16, 1))
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    train = WindowDataset(split["train"], fasta=str(genome), labels=label["train"], batch_size=32, seed=1)
    for epoch in range(8):
        train.set_epoch(epoch)
        for batch in torch.utils.data.DataLoader(train, batch_size=None, num_workers=2):
            logits = model(batch["sequence"]).reshape(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, batch["labels"].float())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    test = epibook.Loader(split["test"], fasta=str(genome), labels=label["test"], batch_size=256)
    scores, truth = [], []
    with torch.no_grad():
        for batch in test.epoch(0):
            scores += model(torch.from_numpy(batch["sequence"])).reshape(-1).tolist()
            truth += batch["labels"].tolist()
    assert sorted(truth) == sorted(label["test"])  # every test window seen once
    auroc = roc_auc_score(truth, scores)
    assert auroc > 0.8, auroc


def test_bad_loader_input_raises_with_the_reason(sim, windows):
    with pytest.raises(ValueError, match="one length|length"):
        epibook.Loader([("chr1", 0, 100), ("chr1", 0, 200)], tracks=[str(sim / "celltypeA.bw")])
    with pytest.raises((KeyError, ValueError), match="chrZ"):
        list(epibook.Loader([("chrZ", 0, 100)], tracks=[str(sim / "celltypeA.bw")]).epoch(0))
    with pytest.raises(ValueError, match="sampling scheme"):
        make_loader(sim, windows, sampler="lottery")
