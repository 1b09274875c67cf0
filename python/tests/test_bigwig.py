"""epibook.BigWig against pyBigWig on the same files: values, stats, intervals,
chromosomes, values_batch; arrays handed over without a copy; errors as exceptions
that carry the file, the place and the problem."""
import glob
import os
import random

import numpy as np
import pyBigWig
import pytest

import epibook

STATS = ["mean", "max", "min", "coverage", "std", "sum"]


def bigwig_files(fixtures_dir, sim):
    return sorted(glob.glob(os.path.join(fixtures_dir, "bigwig", "*.bw"))) + [str(sim / "celltypeA.bw")]


def random_regions(chroms, count, seed, max_length=5000):
    rng = random.Random(seed)
    names = sorted(chroms)
    out = []
    for _ in range(count):
        chrom = rng.choice(names)
        length = rng.randint(1, min(max_length, chroms[chrom]))
        start = rng.randint(0, chroms[chrom] - length)
        out.append((chrom, start, start + length))
    return out


def test_chroms_values_stats_and_intervals_equal_pybigwig(fixtures_dir, sim):
    for path in bigwig_files(fixtures_dir, sim):
        ours, theirs = epibook.BigWig(path), pyBigWig.open(path)
        assert ours.chroms() == theirs.chroms(), path
        for chrom, start, end in random_regions(theirs.chroms(), 40, seed=len(path)):
            expected = np.array(theirs.values(chrom, start, end), dtype=np.float32)
            got = ours.values(chrom, start, end)
            assert got.dtype == np.float32 and got.shape == expected.shape
            np.testing.assert_array_equal(got, expected, err_msg=f"{path} {chrom}:{start}-{end}")
            assert ours.intervals(chrom, start, end) == list(theirs.intervals(chrom, start, end) or [])
            for stat in STATS:
                for bins, exact in [(1, True), (1, False), (7, False), (3, True)]:
                    if end - start < bins:
                        continue
                    a = ours.stats(chrom, start, end, type=stat, nBins=bins, exact=exact)
                    b = theirs.stats(chrom, start, end, type=stat, nBins=bins, exact=exact)
                    assert [x is None for x in a] == [x is None for x in b], (path, stat, bins, exact)
                    np.testing.assert_allclose([x for x in a if x is not None], [x for x in b if x is not None],
                                               rtol=1e-12, err_msg=f"{path} {stat} {chrom}:{start}-{end}")
        theirs.close()


def test_values_batch_is_each_region_in_order_without_a_copy(sim):
    path = str(sim / "celltypeB.bw")
    ours, theirs = epibook.BigWig(path), pyBigWig.open(path)
    regions = [(c, s, s + 1000) for c, s, _ in random_regions(theirs.chroms(), 200, seed=3, max_length=1000)
               if s + 1000 <= theirs.chroms()[c]]
    batch = ours.values_batch(regions)
    assert batch.shape == (len(regions), 1000) and batch.dtype == np.float32
    for row, (chrom, start, end) in zip(batch, regions):
        np.testing.assert_array_equal(row, np.array(theirs.values(chrom, start, end), dtype=np.float32))
    # The array does not own a copy: its memory is the buffer C++ wrote, kept alive by its base.
    assert not batch.flags["OWNDATA"] and batch.base is not None
    strings = ours.values_batch([f"{c}:{s}-{e}" for c, s, e in regions[:5]])
    np.testing.assert_array_equal(strings, batch[:5])


def test_errors_are_exceptions_naming_the_file_the_place_and_the_problem(fixtures_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.bw"):
        epibook.BigWig(str(tmp_path / "no-such.bw"))
    broken = tmp_path / "broken.bw"
    broken.write_bytes(b"this is not a bigWig file at all, just some text" * 10)
    with pytest.raises(ValueError, match="broken.bw"):
        epibook.BigWig(str(broken))
    bw = epibook.BigWig(os.path.join(fixtures_dir, "bigwig", "small.bw"))
    chrom, length = next(iter(bw.chroms().items()))
    with pytest.raises((KeyError, ValueError), match="chrNope"):
        bw.values("chrNope", 0, 10)
    with pytest.raises(ValueError, match=f"{chrom}"):
        bw.values(chrom, length - 5, length + 5)
    with pytest.raises(ValueError, match="end must be after the start"):
        bw.values(chrom, 10, 10)
    with pytest.raises(ValueError, match="one length"):
        bw.values_batch([(chrom, 0, 10), (chrom, 0, 20)])
    with pytest.raises(ValueError, match="median"):
        bw.stats(chrom, 0, 10, type="median")
