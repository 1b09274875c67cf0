"""epibook.audit against the CLI's `epibook audit --json` on the same windows, and a
planted leak that it must flag."""
import json
import subprocess

import epibook


def write_bed(path, rows):
    path.write_text("".join("\t".join(str(x) for x in row) + "\n" for row in rows))


def test_the_report_equals_the_cli_and_flags_a_planted_overlap(sim, cli, tmp_path):
    rows = [("chr1", s, s + 1000, "train", 0) for s in range(0, 60000, 1000)]
    rows += [("chr2", s, s + 1000, "test", 0) for s in range(0, 30000, 1000)]
    rows.append(("chr1", 10500, 11500, "test", 1))  # straddles two training windows
    bed = tmp_path / "windows.bed"
    write_bed(bed, rows)
    report = epibook.audit(str(bed), genome=str(sim / "genome.fa"), bigwig=str(sim / "celltypeA.bw"))
    out = tmp_path / "cli.json"
    subprocess.run([cli, "audit", "--windows", str(bed), "--genome", str(sim / "genome.fa"),
                    "--bigwig", str(sim / "celltypeA.bw"), "--json", str(out), "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    assert report == json.loads(out.read_text())
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["overlap"]["level"] == "FAIL", checks["overlap"]
    assert report["has_leak"] is True
