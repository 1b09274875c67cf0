"""scipy / sklearn reference for tests/golden/metrics_reference_test.cpp.

Reads the arrays the test wrote into DIR (predictions, targets, scores, labels,
profiles p and q, all float32 .npy) and prints one JSON object with each metric as
scipy or sklearn computes it, in float64 as epibook does.
"""
import json
import sys

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import (accuracy_score, average_precision_score, mean_squared_error,
                             precision_recall_curve, roc_auc_score)


def load(directory, name):
    return np.load(f"{directory}/{name}.npy").astype(np.float64)


def best_f1(labels, scores):
    precision, recall, _ = precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    return float(np.nanmax(f1))


def main(directory):
    predictions, targets = load(directory, "predictions"), load(directory, "targets")
    scores, labels = load(directory, "scores"), load(directory, "labels").astype(np.int64)
    p, q = load(directory, "p"), load(directory, "q")
    out = {
        "pearson": float(pearsonr(predictions, targets)[0]),
        "spearman": float(spearmanr(predictions, targets)[0]),
        "mse": float(mean_squared_error(targets, predictions)),
        "auroc": float(roc_auc_score(labels, scores)),
        "auprc": float(average_precision_score(labels, scores)),
        "best_f1": best_f1(labels, scores),
        "accuracy": float(accuracy_score(labels, (scores >= 0.5).astype(np.int64))),
        "jsd": [float(jensenshannon(p[i], q[i], base=2)) for i in range(p.shape[0])],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
