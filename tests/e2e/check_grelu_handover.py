#!/usr/bin/env python3
"""Chapter 9's peer check: PyTorch, given only the folder the grelu-workflow lab exported
(model.npz and its loader script), recomputes what the lab computed in the page:
  - the example rows' logits (the lab's state and test/expected.npy);
  - the test split's AUROC and AUPRC, from the genome and the windows file;
  - the in-silico mutagenesis of the lab's window (every base changed to each other base);
  - the design step: the consensus written into every test background window.
Prints one JSON object with PyTorch's numbers and the largest differences from the lab's.

    check_grelu_handover.py EXPORT_DIR STATE.json ASSETS_DIR
"""
import json
import sys

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

BASES = "ACGT"


def one_hot(bases):
    codes = np.frombuffer(bases.encode(), dtype=np.uint8)
    x = np.zeros((4, len(bases)), dtype=np.float32)
    for row, base in enumerate(BASES.encode()):
        x[row] = codes == base
    x[:, x.sum(axis=0) == 0] = 0.25
    return x


def read_genome(path):
    genome, name = {}, None
    for line in open(path):
        if line.startswith(">"):
            name = line[1:].split()[0]
            genome[name] = []
        else:
            genome[name].append(line.strip().upper())
    return {chrom: "".join(parts) for chrom, parts in genome.items()}


def main():
    folder, state_file, assets = sys.argv[1:4]
    sys.path.insert(0, folder)
    import load_epibook_weights  # the loader script the export carries

    torch.set_num_threads(1)
    model = load_epibook_weights.load(f"{folder}/model.npz")
    model.eval()
    state = json.load(open(state_file))

    def logits(x):
        with torch.no_grad():
            return model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()[:, 0]

    out = {}
    example = logits(np.load(f"{folder}/test/inputs.npy"))
    expected = np.load(f"{folder}/test/expected.npy").reshape(-1)
    out["example_vs_lab"] = float(np.abs(example - np.array(state["export"]["example_outputs"])).max())
    out["example_vs_expected"] = float(np.abs(example - expected).max())

    genome = read_genome(f"{assets}/first-model/sim/genome.fa")
    windows = [line.split() for line in open(f"{assets}/first-model/sim-windows.bed")]
    test = [w for w in windows if w[3] == "test"]
    x = np.stack([one_hot(genome[w[0]][int(w[1]):int(w[2])]) for w in test])
    labels = np.array([int(w[4]) for w in test])
    scores = logits(x)
    out["test_rows"] = len(test)
    out["auroc"] = float(roc_auc_score(labels, scores))
    out["auprc"] = float(average_precision_score(labels, scores))

    ism = state["interpretation"]
    reference = one_hot(ism["sequence"])
    length = reference.shape[1]
    mutants, places = [], []
    for position in range(length):
        for base in range(4):
            if reference[base, position] != 1:
                mutant = reference.copy()
                mutant[:, position] = 0
                mutant[base, position] = 1
                mutants.append(mutant)
                places.append((base, position))
    delta = np.zeros((4, length))
    for (base, position), value in zip(places, logits(np.stack(mutants)) - logits(reference[None])[0]):
        delta[base, position] = value
    out["ism_logit_vs_lab"] = float(abs(logits(reference[None])[0] - ism["logit"]))
    out["ism_delta_vs_lab"] = float(np.abs(delta.reshape(-1) - np.array(ism["delta"])).max())
    importance = np.abs(delta).max(axis=0)
    out["ism_top_position"] = int(importance.argmax())

    design = state["design"]
    background = np.stack([one_hot(genome[w[0]][int(w[1]):int(w[2])]) for w in test if w[4] == "0"])
    designed = background.copy()
    motif = one_hot(design["motif"])
    designed[:, :, design["offset"]:design["offset"] + motif.shape[1]] = motif
    before = 1 / (1 + np.exp(-logits(background)))
    after = 1 / (1 + np.exp(-logits(designed)))
    out["design_windows"] = len(background)
    out["mean_before"] = float(before.mean())
    out["mean_after"] = float(after.mean())
    out["above_half_after"] = float((after > 0.5).mean())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
