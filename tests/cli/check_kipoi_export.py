#!/usr/bin/env python3
"""Checks a folder written by `epibook export` against the model it describes, the way
Kipoi would use it but without Kipoi: parses model.yaml and dataloader.yaml, builds the
model class and the dataloader they name (defined_as, args), runs the dataloader on its
example arguments and the model on what it returns, and checks
  - the dataloader's inputs equal test/inputs.npy, with the shape both YAML files give;
  - the model's outputs have the shape schema.targets gives, and equal test/expected.npy
    (the outputs epibook computed) to test.precision_decimal digits;
  - with --predictions (a .tsv of `epibook predict`) and --transform, the transformed
    outputs equal what `epibook predict` wrote for the same rows (manifest.json's
    example_rows), to 1e-5 relative.
Prints one line per check; exits 1 naming the first that fails.

    check_kipoi_export.py EXPORT_DIR [--predictions pred.tsv --transform sigmoid]
"""
import argparse
import ast
import importlib.util
import json
import os
import sys

import numpy as np
import yaml


def shape_of(text):
    """Kipoi's shape text, "(4, 200)" or "(1,)", as a tuple."""
    value = ast.literal_eval(str(text))
    return tuple(value) if isinstance(value, tuple) else (value,)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fail(message):
    print("FAILED:", message)
    sys.exit(1)


TRANSFORMS = {"none": lambda x: x, "exp": np.exp, "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--predictions")
    parser.add_argument("--transform", choices=sorted(TRANSFORMS), default="none")
    args = parser.parse_args()
    folder = args.folder
    sys.path.insert(0, folder)
    with open(os.path.join(folder, "model.yaml")) as handle:
        model_yaml = yaml.safe_load(handle)
    with open(os.path.join(folder, "dataloader.yaml")) as handle:
        loader_yaml = yaml.safe_load(handle)

    module_name, class_name = model_yaml["defined_as"].rsplit(".", 1)
    model_class = getattr(load_module(os.path.join(folder, module_name + ".py"), module_name), class_name)
    model = model_class(**{key: os.path.join(folder, value) for key, value in model_yaml["args"].items()})

    loader_file, loader_class = loader_yaml["defined_as"].split("::")
    loader_module = load_module(os.path.join(folder, loader_file), "dataloader")
    kwargs = {}
    for name, spec in loader_yaml["args"].items():
        if "example" in spec:
            kwargs[name] = os.path.join(folder, spec["example"])
        elif "default" in spec:
            kwargs[name] = spec["default"]
    dataset = getattr(loader_module, loader_class)(**kwargs)
    inputs = loader_module.load_all(dataset)

    input_shape = shape_of(model_yaml["schema"]["inputs"]["shape"])
    if shape_of(loader_yaml["output_schema"]["inputs"]["shape"]) != input_shape:
        fail("dataloader.yaml's input shape differs from model.yaml's")
    if inputs.shape[1:] != input_shape:
        fail(f"the dataloader returns {inputs.shape[1:]}, model.yaml says {input_shape}")
    test_inputs = np.load(os.path.join(folder, "test", "inputs.npy"))
    if not np.array_equal(inputs, test_inputs):
        fail("the dataloader's inputs differ from test/inputs.npy")
    print("inputs", input_shape, "rows", len(inputs), "ok")

    outputs = model.predict_on_batch(inputs)
    target_shape = shape_of(model_yaml["schema"]["targets"]["shape"])
    if outputs.shape[1:] != target_shape:
        fail(f"the model returns {outputs.shape[1:]}, model.yaml says {target_shape}")
    labels = model_yaml["schema"]["targets"].get("column_labels")
    if labels is not None and len(labels) != target_shape[0]:
        fail(f"{len(labels)} column_labels for {target_shape[0]} outputs")
    print("outputs", target_shape, "ok")

    expected = np.load(os.path.join(folder, model_yaml["test"]["expect"]))
    decimal = int(model_yaml["test"]["precision_decimal"])
    np.testing.assert_almost_equal(outputs, expected, decimal=decimal)
    print("test example agrees to", decimal, "decimals; largest |torch - epibook|",
          f"{float(np.abs(outputs - expected).max()):.3g}")

    if args.predictions:
        with open(os.path.join(folder, "manifest.json")) as handle:
            rows = json.load(handle)["example_rows"]
        with open(args.predictions) as handle:
            lines = handle.read().splitlines()
        written = np.array([[float(v) for v in lines[row].split("\t")[3:]] for row in rows])
        ours = TRANSFORMS[args.transform](outputs.astype(np.float64)).reshape(len(rows), -1)
        np.testing.assert_allclose(ours, written, rtol=1e-5, atol=1e-6)
        print("epibook predict agrees for rows", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
