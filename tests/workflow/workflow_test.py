#!/usr/bin/env python3
"""The Snakemake workflow (workflows/) end to end on its toy config, as `make test` runs it.

Checks what the workflow computed against something independent of it: the joined
shards against one `epibook` run over the whole genome (sharding must change no byte),
the comparison table against the run directories it summarises and the sweep it was
asked for, the learned scores against their shuffled-label floors, a run retrained on
2 threads against the same run on 1, and the SLURM profile by a dry run and by a
real submission through a stand-in `sbatch` that records what it was asked for.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNAKEFILE = os.path.join(REPO, "workflows", "Snakefile")
CONFIG = os.path.join(REPO, "workflows", "config", "toy.yaml")
PROFILES = os.path.join(REPO, "workflows", "profiles")
EPIBOOK = None  # set in main()


def snakemake(workdir, *args, targets=(), env=None):
    command = ["snakemake", *targets, "-s", SNAKEFILE, "--configfile", CONFIG, "-d", workdir,
               "--config", f"epibook={EPIBOOK}", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read_text(path):
    with open(path) as f:
        return f.read()


def load_yaml_sweep():
    # The config is YAML; Snakemake's own dependency reads it (no second parser).
    import yaml
    with open(CONFIG) as f:
        return yaml.safe_load(f)


class ToyWorkflow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("snakemake") is None:
            raise AssertionError("snakemake is not installed: run scripts/setup-deps (Debian package snakemake)")
        cls.tmp = tempfile.mkdtemp(prefix="epibook-workflow-")
        cls.work = os.path.join(cls.tmp, "toy")
        cls.config = load_yaml_sweep()
        snakemake(cls.work, "--profile", os.path.join(PROFILES, "local"), "--cores", "2", "--quiet")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def cells(self):
        return [f"celltype{chr(ord('A') + i)}" for i in range(self.config["source"]["simulate"]["cell_types"])]

    def test_joined_dataset_equals_one_run_over_the_genome(self):
        for cell in self.cells():
            whole = os.path.join(self.tmp, f"whole-{cell}")
            subprocess.run([EPIBOOK, "dataset", "--genome", self.path("data/sim/genome.fa"),
                            "--tracks", self.path(f"data/sim/{cell}.bw"), "--windows", self.path(f"regions/{cell}.bed"),
                            "-o", whole, "-q", *self.config["dataset"]["args"].split()], check=True)
            for name in ["inputs.npy", "targets.npy", "split.npy"]:
                a = np.load(os.path.join(whole, name))
                b = np.load(self.path(f"datasets/{cell}/all", name))
                self.assertEqual((a.dtype, a.shape), (b.dtype, b.shape), f"{cell}: {name}")
                self.assertEqual(a.tobytes(), b.tobytes(), f"{cell}: joined {name} differs from one run")
            with open(os.path.join(whole, "windows.bed")) as a, open(self.path(f"datasets/{cell}/all/windows.bed")) as b:
                self.assertEqual(a.read(), b.read(), f"{cell}: joined windows.bed differs from one run")
            joined = read_json(self.path(f"datasets/{cell}/all/manifest.json"))
            one = read_json(os.path.join(whole, "manifest.json"))
            self.assertEqual(joined["rows_per_split"], one["rows_per_split"])
            self.assertEqual(len(joined["shards"]), len(self.config["chromosomes"]))

    def test_joined_prep_equals_one_run_over_the_genome(self):
        fai = [line.split("\t")[:2] for line in read_text(self.path("data/sim/genome.fa.fai")).splitlines()]
        regions = [f"{name}:0-{length}" for name, length in fai]
        for cell in self.cells():
            whole = os.path.join(self.tmp, f"prep-{cell}")
            subprocess.run([EPIBOOK, "prep", "--bigwig", self.path(f"data/sim/{cell}.bw"), "--regions", *regions,
                            "-o", whole, "-q", *self.config["prep"]["args"].split()], check=True)
            for name in ["targets.npy", "labels.npy", "bin_labels.npy", "split.npy"]:
                a = np.load(os.path.join(whole, name))
                b = np.load(self.path(f"prep/{cell}/all", name))
                self.assertEqual((a.dtype, a.shape), (b.dtype, b.shape), f"{cell}: {name}")
                self.assertEqual(a.tobytes(), b.tobytes(), f"{cell}: joined {name} differs from one run")

    def test_table_lists_every_run_of_the_sweep_with_its_own_numbers(self):
        sweep = self.config["sweep"]
        with open(self.path("results/runs.tsv")) as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        expected = {(cell, float(lr), int(seed)) for cell in self.cells()
                    for lr in sweep["learning_rates"] for seed in sweep["seeds"]}
        got = {(r["cell"], float(r["learning_rate"]), int(r["seed"])) for r in rows}
        self.assertEqual(got, expected)
        for r in rows:
            scores = read_json(self.path(r["run"], "eval.json"))
            self.assertAlmostEqual(float(r["auroc"]), scores["metrics"]["auroc"]["value"], places=5)
            manifest = read_json(self.path(r["run"], "manifest.json"))
            self.assertEqual(manifest["config"]["schedule"]["learning_rate"], float(r["learning_rate"]))
            self.assertEqual(manifest["config"]["train"]["epochs"], sweep["config"]["train"]["epochs"])
            epochs = [json.loads(line) for line in read_text(self.path(r["run"], "metrics.jsonl")).splitlines()]
            self.assertEqual(int(r["epochs"]), len(epochs))

    def test_the_planted_motif_is_learned_beyond_the_floor(self):
        with open(self.path("results/runs.tsv")) as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for cell in self.cells():
            mine = [r for r in rows if r["cell"] == cell]
            best = max(mine, key=lambda r: float(r["auroc"]))
            floor = float(best["auroc_floor_mean"]) + 4 * float(best["auroc_floor_sd"])
            self.assertGreater(float(best["auroc"]), floor, f"{cell}: the best run does not beat its floor")
            self.assertGreater(float(best["auroc"]), 0.75, f"{cell}: the CTCF-like motif should be learned")

    def test_the_page_states_the_numbers_the_sweep_gives(self):
        # web/pages/scale.md has a table of the toy sweep's test AUROC; each cell must be
        # what this run computed, to the 3 decimals shown.
        page = read_text(os.path.join(REPO, "web", "pages", "scale.md"))
        with open(self.path("results/runs.tsv")) as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        table = [line.split("|")[1:-1] for line in page.splitlines() if line.startswith("| celltype")]
        self.assertEqual(len(table), 4, "the page's sweep table has 4 rows")
        for cells in table:
            cell, lr, seeds, mean_sd, floor = (c.strip().replace("*", "") for c in cells)
            mine = sorted((r for r in rows if r["cell"] == cell and float(r["learning_rate"]) == float(lr)),
                          key=lambda r: int(r["seed"]))
            aurocs = [float(r["auroc"]) for r in mine]
            self.assertEqual(seeds, ", ".join(f"{v:.3f}" for v in aurocs), f"{cell} lr {lr}")
            self.assertEqual(mean_sd, f"{np.mean(aurocs):.3f} ± {np.std(aurocs, ddof=1):.3f}", f"{cell} lr {lr}")
            self.assertEqual(floor, f"{np.mean([float(r['auroc_floor_mean']) for r in mine]):.3f}")

    def test_a_run_retrained_on_two_threads_gives_the_same_curve(self):
        name = sorted(n for n in os.listdir(self.path("runs/celltypeA")) if n.endswith(".toml"))[0]
        config = self.path("runs/celltypeA", name)
        run_dir = config[:-len(".toml")]
        again = os.path.join(self.tmp, "two-threads")
        subprocess.run([EPIBOOK, "train", "-c", config, "-o", again, "--threads", "2", "-q"], check=True)
        self.assertEqual(read_text(os.path.join(run_dir, "metrics.jsonl")),
                         read_text(os.path.join(again, "metrics.jsonl")))

    def test_audits_ran_for_every_cell_type(self):
        for cell in self.cells():
            for kind in ["windows", "prep"]:
                report = read_json(self.path(f"audit/{cell}.{kind}.json"))
                self.assertIn("checks", report)
                self.assertGreater(report["windows"], 0)


class SlurmProfile(unittest.TestCase):
    def test_dry_run_plans_every_job(self):
        with tempfile.TemporaryDirectory(prefix="epibook-slurm-dry-") as work:
            result = snakemake(work, "--profile", os.path.join(PROFILES, "slurm"), "-n", "--quiet")
            text = result.stdout + result.stderr
            sweep = load_yaml_sweep()["sweep"]
            runs = len(sweep["learning_rates"]) * len(sweep["seeds"]) * 2
            for rule, count in [("simulate", 1), ("train", runs), ("evaluate", runs), ("compare", 1),
                                ("dataset_shard", 6), ("prep_shard", 6)]:
                lines = [line.split() for line in text.splitlines()]
                counts = {parts[0]: int(parts[1]) for parts in lines if len(parts) >= 2 and parts[1].isdigit()}
                self.assertEqual(counts.get(rule), count, f"{rule} jobs planned:\n{text}")

    def test_jobs_reach_sbatch_with_their_resources(self):
        with tempfile.TemporaryDirectory(prefix="epibook-slurm-") as tmp:
            bin_dir = os.path.join(tmp, "bin")
            os.makedirs(bin_dir)
            calls = os.path.join(tmp, "sbatch-calls.txt")
            # A stand-in for SLURM's sbatch: records its arguments, runs the job script
            # here, and answers with a job id as `sbatch --parsable` does.
            with open(os.path.join(bin_dir, "sbatch"), "w") as f:
                f.write(f"#!/bin/sh\necho \"$@\" >> {calls}\nfor a; do script=$a; done\n"
                        "sh \"$script\" > /dev/null 2>&1\necho $$\n")
            os.chmod(os.path.join(bin_dir, "sbatch"), 0o755)
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
            work = os.path.join(tmp, "work")
            snakemake(work, "--profile", os.path.join(PROFILES, "slurm"), "--quiet",
                      targets=["audit/celltypeA.windows.json"], env=env)
            self.assertTrue(os.path.exists(os.path.join(work, "audit/celltypeA.windows.json")))
            submitted = read_text(calls).splitlines()
            by_rule = {next(a.split("=", 1)[1] for a in line.split() if a.startswith("--job-name=")): line
                       for line in submitted}
            self.assertEqual(set(by_rule), {"epibook.simulate", "epibook.regions", "epibook.audit_windows"})
            self.assertIn("--mem=2000M", by_rule["epibook.regions"])
            self.assertIn("--time=60", by_rule["epibook.simulate"])
            self.assertIn("--cpus-per-task=1", by_rule["epibook.audit_windows"])
            self.assertIn("--partition=normal", by_rule["epibook.simulate"])


def main():
    global EPIBOOK
    parser = argparse.ArgumentParser()
    parser.add_argument("--epibook", required=True, help="the built CLI")
    args, rest = parser.parse_known_args()
    EPIBOOK = os.path.abspath(args.epibook)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
