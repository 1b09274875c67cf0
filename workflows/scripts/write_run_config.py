#!/usr/bin/env python3
"""Writes the TOML config of one run of the sweep: the workflow's template (model,
loss, optimiser, epochs) with this run's data folder, learning rate and seed."""
import argparse
import json
import os


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string is JSON-escaped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="dataset folder, relative to the config")
    parser.add_argument("--learning-rate", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--template", required=True, help="JSON: {table: {key: value}} and top-level keys")
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()

    template = json.loads(args.template)
    tables = {k: dict(v) for k, v in template.items() if isinstance(v, dict)}
    top = {k: v for k, v in template.items() if not isinstance(v, dict)}
    tables.setdefault("data", {})["dir"] = args.data
    tables.setdefault("schedule", {})["learning_rate"] = args.learning_rate
    tables.setdefault("train", {})["seed"] = args.seed

    lines = ["# Written by workflows/scripts/write_run_config.py for one run of the sweep."]
    lines += [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for name, table in tables.items():
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
