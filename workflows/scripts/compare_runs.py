#!/usr/bin/env python3
"""Merges the sweep into one comparison table: a row per run directory with its
settings and its last epoch (as `epibook runs --json` read them from manifest.json and
metrics.jsonl: one reader of the run format, the one the book's dashboard is checked
against) and its test scores with their shuffled-label floors (eval.json), as TSV for
people and JSON for tools."""
import argparse
import json
import os
import sys


def fail(message):
    print(f"compare_runs: {message}", file=sys.stderr)
    sys.exit(1)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail(f"{path}: {e}")


def run_row(eval_path, runs):
    run_dir = os.path.dirname(eval_path)
    run = runs.get(os.path.normpath(run_dir))
    if run is None:
        fail(f"{run_dir}: not among the runs `epibook runs --json` listed")
    if run["epochs"] == 0:
        fail(f"{run_dir}/metrics.jsonl: no epoch was written")
    scores = load_json(eval_path)
    settings = run["settings"]
    row = {
        "run": run_dir,
        "cell": os.path.basename(os.path.dirname(run_dir)),
        "learning_rate": settings["schedule.learning_rate"],
        "seed": run["seed"],
        "loss": settings.get("loss.name", ""),
        "epochs": run["epochs"],
        "steps": run["steps"],
        "stopped_early": run["stopped_early"],
        "train_loss": run["final"]["train_loss"],
        "validation_loss": run["final"]["validation_loss"],
        "split": scores["split"],
        "rows": scores["rows"],
        "test_loss": scores["loss"]["value"],
    }
    for name, metric in scores["metrics"].items():
        row[name] = metric["value"]
        if "floor" in metric:
            row[f"{name}_floor_mean"] = metric["floor"]["mean"]
            row[f"{name}_floor_sd"] = metric["floor"]["sd"]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tsv", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--runs", required=True, help="what `epibook runs --json RUN_DIR...` printed for the sweep")
    parser.add_argument("evals", nargs="+", help="runs/<cell>/<run>/eval.json")
    args = parser.parse_args()

    runs = {os.path.normpath(r["path"]): r for r in load_json(args.runs)["runs"]}
    rows = [run_row(p, runs) for p in args.evals]
    columns = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with open(args.tsv, "w") as f:
        f.write("\t".join(columns) + "\n")
        for row in rows:
            cells = []
            for c in columns:
                v = row.get(c, "")
                cells.append(f"{v:.6g}" if isinstance(v, float) else str(v))
            f.write("\t".join(cells) + "\n")
    with open(args.json, "w") as f:
        json.dump({"runs": rows}, f, indent=2)
        f.write("\n")
    print(f"compared {len(rows)} runs", file=sys.stderr)


if __name__ == "__main__":
    main()
