"""Independent checks of the assets scripts/make-assets builds (real slices cut from
Debian packages, the simulated toy set and MACS2's peaks on it), run by
tests/golden/assets_make_test.cpp with Debian's python3 (pyBigWig).
Each check prints one line "name: ok" or "name: FAIL <why>"; the C++ test reads them.

usage: assets_reference.py ASSETS_DIR WIG FASTA BED_DIR
"""
import math
import os
import sys

import pyBigWig


def wig_values(path):
    """Per-base values of a variableStep / fixedStep wig, keyed by (chrom, 0-based start)."""
    values = {}
    chrom, mode, span, step, at = None, None, 1, 1, 0
    with open(path) as wig:
        for line in wig:
            words = line.split()
            if not words or words[0] in ("track", "browser") or words[0].startswith("#"):
                continue
            if words[0] in ("variableStep", "fixedStep"):
                mode = words[0]
                fields = dict(w.split("=", 1) for w in words[1:])
                chrom = fields["chrom"]
                span = int(fields.get("span", 1))
                step = int(fields.get("step", 1))
                at = int(fields.get("start", 1)) - 1
                continue
            if mode == "variableStep":
                start, value = int(words[0]) - 1, float(words[1])
            else:
                start, value = at, float(words[0])
                at += step
            for base in range(start, start + span):
                values[(chrom, base)] = value
    return values


def fasta_sequence(path, name):
    bases, inside = [], False
    with open(path) as fasta:
        for line in fasta:
            if line.startswith(">"):
                if inside:
                    break
                inside = line[1:].split()[0] == name
                continue
            if inside:
                bases.append(line.strip())
    return "".join(bases)


def check_bigwig(assets, wig_path, fasta_path):
    expected = wig_values(wig_path)
    bw = pyBigWig.open(os.path.join(assets, "dm3-chr2R-rnaseq.bw"))
    length = len(fasta_sequence(fasta_path, "chr2R"))
    if bw.chroms() != {"chr2R": length}:
        return "chroms %s, expected chr2R of %d" % (bw.chroms(), length)
    got = bw.values("chr2R", 7000000, 8000000)
    wrong = 0
    for offset, value in enumerate(got):
        want = expected.get(("chr2R", 7000000 + offset))
        if (want is None) != math.isnan(value) or (want is not None and want != value):
            wrong += 1
    outside = sum(1 for (c, b) in expected if not 7000000 <= b < 8000000)
    if wrong or outside:
        return "%d of 1,000,000 bases differ, %d wig bases outside 7-8 Mb" % (wrong, outside)
    return None


def check_fasta(assets, fasta_path):
    chr2r = fasta_sequence(fasta_path, "chr2R")
    slice_bases = fasta_sequence(os.path.join(assets, "dm3-chr2R-7-8Mb.fa"), "chr2R_7000000_8000000")
    if slice_bases != chr2r[7000000:8000000]:
        return "slice differs from chr2R[7000000:8000000] (%d bases)" % len(slice_bases)
    return None


def check_insulators(assets, bed_dir):
    labels = {"CTCF": "CTCF", "BEAF": "BEAF-32", "SuHw": "Su(Hw)", "Cp190": "CP190"}
    expected = []
    for stem, label in labels.items():
        with open(os.path.join(bed_dir, stem + "_Kc_Bushey_2009.bed")) as bed:
            for line in bed:
                f = line.split()
                if f and f[0] == "chr2R":
                    expected.append(("chr2R", int(f[1]), int(f[2]), label))
    expected.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    with open(os.path.join(assets, "dm3-insulators.bed")) as bed:
        got = [(f[0], int(f[1]), int(f[2]), f[3]) for f in (line.rstrip("\n").split("\t") for line in bed)]
    if got != expected:
        return "%d rows, expected %d (or order / names differ)" % (len(got), len(expected))
    return None


def read_bed(path):
    with open(path) as bed:
        return [(f[0], int(f[1]), int(f[2])) for f in (line.split() for line in bed) if f]


def check_simulated_tracks(assets):
    lengths = {}
    with open(os.path.join(assets, "sim-toy", "genome.fa.fai")) as fai:
        for line in fai:
            name, length = line.split("\t")[:2]
            lengths[name] = int(length)
    tracks = sorted(f for f in os.listdir(os.path.join(assets, "sim-toy")) if f.endswith(".bw"))
    if len(tracks) < 2:
        return "only %d tracks" % len(tracks)
    for track in tracks:
        bw = pyBigWig.open(os.path.join(assets, "sim-toy", track))
        if bw.chroms() != lengths:
            return "%s: chroms %s, genome.fa.fai has %s" % (track, bw.chroms(), lengths)
        if not bw.header()["sumData"] > 0:
            return "%s holds no signal" % track
    return None


def overlaps(region, regions):
    return any(c == region[0] and s < region[2] and region[1] < e for c, s, e in regions)


def check_macs2(assets):
    macs = os.path.join(assets, "chipseq-sim", "macs2_peaks.narrowPeak")
    if not os.path.exists(macs):
        return "no macs2_peaks.narrowPeak (is Debian's macs installed?)"
    called = read_bed(macs)
    truth = read_bed(os.path.join(assets, "chipseq-sim", "truth_peaks.bed"))
    recall = sum(overlaps(t, called) for t in truth) / len(truth)
    precision = sum(overlaps(c, truth) for c in called) / max(1, len(called))
    if recall < 0.7 or precision < 0.7:
        return "MACS2 recall %.2f, precision %.2f of the planted peaks" % (recall, precision)
    return None


def check_manifest(assets):
    import json
    with open(os.path.join(assets, "manifest.json")) as f:
        listed = {entry["file"] for entry in json.load(f)["assets"]}
    present = set()
    for folder, _, files in os.walk(assets):
        for name in files:
            present.add(os.path.relpath(os.path.join(folder, name), assets))
    present.discard("manifest.json")
    if listed != present:
        return "unlisted %s, listed but missing %s" % (sorted(present - listed), sorted(listed - present))
    return None


def main():
    assets, wig_path, fasta_path, bed_dir = sys.argv[1:5]
    checks = [
        ("bigwig_equals_wig", lambda: check_bigwig(assets, wig_path, fasta_path)),
        ("fasta_slice_equals_source", lambda: check_fasta(assets, fasta_path)),
        ("insulators_equal_sources", lambda: check_insulators(assets, bed_dir)),
        ("simulated_tracks_match_genome", lambda: check_simulated_tracks(assets)),
        ("macs2_finds_planted_peaks", lambda: check_macs2(assets)),
        ("manifest_lists_every_file", lambda: check_manifest(assets)),
    ]
    for name, check in checks:
        problem = check()
        print("%s: %s" % (name, "ok" if problem is None else "FAIL " + problem))


if __name__ == "__main__":
    main()
