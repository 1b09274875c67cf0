"""Writes the small bigWig fixtures of tests/unit/bigwig_reader_test.cpp (run once, the
outputs are committed; the unit tests also run in WebAssembly, where there is no Python).

  small.bw               pyBigWig, zoom levels, compressed: the entries listed below
  small_uncompressed.bw  the same data with uncompressed blocks (uncompressed_bigwig.py)
  small_no_zoom.bw       the same data without zoom levels (addHeader(maxZooms=0))

The unit tests state what these entries imply (values, intervals, statistics), so keep
the two in step. Run: /usr/bin/python3 tests/data/bigwig/make_fixtures.py
"""
import os
import sys

import pyBigWig

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "golden"))
from uncompressed_bigwig import rewrite_uncompressed  # noqa: E402

CHROMS = [("chr1", 200000), ("chr2", 50000), ("chrM", 1000)]  # chrM has no data


def write(path, max_zooms):
    bw = pyBigWig.open(path, "w")
    bw.addHeader(CHROMS, maxZooms=max_zooms)
    # bedGraph: chr1 [100,200)=1.5 [200,250)=-2 [400,1000)=0.25
    bw.addEntries(["chr1", "chr1", "chr1"], [100, 200, 400], ends=[200, 250, 1000], values=[1.5, -2.0, 0.25])
    # variableStep, span 10: chr1 [2000,2010)=3 [2050,2060)=4
    bw.addEntries("chr1", [2000, 2050], values=[3.0, 4.0], span=10)
    # fixedStep, start 5000, step 100, span 20: [5000,5020)=1 [5100,5120)=2 [5200,5220)=3
    bw.addEntries("chr1", 5000, values=[1.0, 2.0, 3.0], span=20, step=100)
    # chr2: bedGraph [0,50000)=7 over the whole chromosome
    bw.addEntries(["chr2"], [0], ends=[50000], values=[7.0])
    bw.close()


if __name__ == "__main__":
    write(os.path.join(HERE, "small.bw"), 10)
    write(os.path.join(HERE, "small_no_zoom.bw"), 0)
    rewrite_uncompressed(os.path.join(HERE, "small.bw"), os.path.join(HERE, "small_uncompressed.bw"))
