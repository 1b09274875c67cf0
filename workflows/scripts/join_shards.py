#!/usr/bin/env python3
"""Joins the per-chromosome shards of `epibook prep` or `epibook dataset` into one folder.

The workflow reads each chromosome in its own job; this puts the rows back in
chromosome order, so the result has the same arrays, bytes for bytes, as one run over
the whole genome (tests/workflow checks that). Arrays are joined along rows; the
manifests are kept side by side with the totals recomputed.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

ARRAYS = {
    "prep": ["targets.npy", "labels.npy", "bin_labels.npy", "split.npy"],
    "dataset": ["inputs.npy", "targets.npy", "split.npy"],
}
SPLITS = {0: "train", 1: "validation", 2: "test"}


def fail(message):
    print(f"join_shards: {message}", file=sys.stderr)
    sys.exit(1)


def read_bed_windows(path):
    with open(path) as f:
        return [tuple(line.split("\t")[:3]) for line in f if line.strip() and not line.startswith(("#", "track"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(ARRAYS), required=True)
    parser.add_argument("--expect-windows", help="BED of every window: each must be in exactly one shard, in order")
    parser.add_argument("-o", "--out", required=True)
    parser.add_argument("shards", nargs="+")
    args = parser.parse_args()

    for shard in args.shards:
        for name in ARRAYS[args.kind] + ["windows.bed", "manifest.json"]:
            if not os.path.exists(os.path.join(shard, name)):
                fail(f"{shard}: {name} is missing (did that shard's job finish?)")

    joined = {}
    for name in ARRAYS[args.kind]:
        parts = [np.load(os.path.join(shard, name), mmap_mode="r") for shard in args.shards]
        tails = {p.shape[1:] for p in parts if p.shape[0] > 0}
        if len(tails) > 1:
            fail(f"{name}: shards disagree on the shape of a row: {sorted(tails)}")
        joined[name] = np.concatenate(parts, axis=0)
    rows = {name: a.shape[0] for name, a in joined.items()}
    if len(set(rows.values())) != 1:
        fail(f"row counts differ between arrays: {rows}")

    bed_lines = []
    for shard in args.shards:
        with open(os.path.join(shard, "windows.bed")) as f:
            bed_lines.extend(line for line in f if line.strip())
    if args.expect_windows:
        expected = read_bed_windows(args.expect_windows)
        got = [tuple(line.split("\t")[:3]) for line in bed_lines]
        if len(got) > len(expected):
            fail(f"{args.expect_windows}: {len(got)} rows in the shards but only {len(expected)} windows")
        # `missing = drop` may leave rows out; what is there must keep the BED's order.
        position = {w: i for i, w in enumerate(expected)}
        order = [position.get(w, -1) for w in got]
        if -1 in order:
            fail(f"{args.expect_windows}: a shard has a window it does not list: {got[order.index(-1)]}")
        if order != sorted(order):
            fail(f"{args.expect_windows}: the shards' windows are not in its order (chromosomes listed "
                 "in the config in another order than in the BED?)")

    manifests = []
    for shard in args.shards:
        with open(os.path.join(shard, "manifest.json")) as f:
            manifests.append(json.load(f))
    split = joined["split.npy"]
    manifest = {
        "tool": "workflows/scripts/join_shards.py",
        "kind": args.kind,
        "rows": int(split.shape[0]),
        "rows_per_split": {SPLITS[k]: int((split == k).sum()) for k in SPLITS},
        "shards": [{"dir": os.path.relpath(s, args.out), "manifest": m} for s, m in zip(args.shards, manifests)],
    }

    # Written into a temporary folder and renamed: the output is whole or absent.
    parent = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".join-", dir=parent)
    for name, array in joined.items():
        np.save(os.path.join(tmp, name), np.ascontiguousarray(array))
    with open(os.path.join(tmp, "windows.bed"), "w") as f:
        f.writelines(bed_lines)
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.rename(tmp, args.out)
    print(f"joined {len(args.shards)} shards: {manifest['rows']} rows {manifest['rows_per_split']}", file=sys.stderr)


if __name__ == "__main__":
    main()
