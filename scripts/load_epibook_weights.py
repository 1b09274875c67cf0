#!/usr/bin/env python3
"""Load weights exported by epibook (an .npz with PyTorch state_dict names) into an
equivalent torch.nn.Sequential, without epibook: shows that the export is a plain
numpy archive, and lets the tests check epibook's forward pass against PyTorch's.

    load_epibook_weights.py model.npz                        # build, load, print the model
    load_epibook_weights.py model.npz --input x.npy --output y.npy [--mode train|eval]

The archive holds one float32 array per parameter and buffer ("0.weight",
"3.running_mean"), int64 scalars for BatchNorm's num_batches_tracked, and
"epibook_architecture": the model's layer list as JSON bytes (uint8).
"""
import argparse
import json
import sys

import numpy as np
import torch
from torch import nn


class Residual(nn.Module):
    """epibook's Residual: body(x) + x, or body(x) + projection(x) (a 1x1 Conv1d)."""

    def __init__(self, body, projection=None):
        super().__init__()
        self.body = body
        if projection is not None:
            self.projection = projection
        self.has_projection = projection is not None

    def forward(self, x):
        shortcut = self.projection(x) if self.has_projection else x
        return self.body(x) + shortcut


def conv1d(spec):
    padding = spec["padding"]
    if padding == "valid":
        padding = 0
    return nn.Conv1d(spec["in_channels"], spec["out_channels"], spec["kernel_size"], stride=spec["stride"],
                     padding=padding, dilation=spec["dilation"], bias=spec["bias"])


def build(spec):
    """The torch module for one epibook layer description."""
    kind = spec["kind"]
    if kind == "Sequential":
        return nn.Sequential(*[build(layer) for layer in spec["layers"]])
    if kind == "Residual":
        projection = spec.get("projection")
        if projection is not None:
            projection = nn.Conv1d(projection["in_channels"], projection["out_channels"], 1)
        return Residual(build(spec["body"]), projection)
    if kind == "Conv1d":
        return conv1d(spec)
    if kind == "Linear":
        return nn.Linear(spec["in_features"], spec["out_features"], bias=spec["bias"])
    if kind == "BatchNorm1d":
        return nn.BatchNorm1d(spec["num_features"], eps=spec["eps"], momentum=spec["momentum"])
    if kind == "MaxPool1d":
        return nn.MaxPool1d(spec["kernel_size"], stride=spec["stride"])
    if kind == "AvgPool1d":
        return nn.AvgPool1d(spec["kernel_size"], stride=spec["stride"])
    if kind == "GlobalAvgPool1d":
        return nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten())
    if kind == "GELU":
        return nn.GELU(approximate=spec["approximate"])
    if kind == "Dropout":
        return nn.Dropout(spec["p"])
    simple = {"ReLU": nn.ReLU, "Softplus": nn.Softplus, "Sigmoid": nn.Sigmoid, "Flatten": nn.Flatten}
    if kind in simple:
        return simple[kind]()
    raise ValueError(f"unknown epibook layer kind {kind!r}")


def load(path):
    archive = np.load(path)
    spec = json.loads(archive["epibook_architecture"].tobytes().decode("utf-8"))
    model = build(spec)
    state = {name: torch.from_numpy(np.array(archive[name])) for name in archive.files
             if name != "epibook_architecture"}
    model.load_state_dict(state, strict=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights")
    parser.add_argument("--input", help=".npy input batch (float32)")
    parser.add_argument("--output", help=".npy file for the model's output")
    parser.add_argument("--mode", choices=["train", "eval"], default="eval",
                        help="BatchNorm with batch statistics (train) or running ones (eval)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load(args.weights)
    if args.input is None:
        print(model)
        print(sum(p.numel() for p in model.parameters()), "parameters")
        return 0
    model.train(args.mode == "train")
    with torch.no_grad():
        output = model(torch.from_numpy(np.load(args.input)))
    if args.output:
        np.save(args.output, output.numpy().astype(np.float32))
    print("output shape", tuple(output.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main())
