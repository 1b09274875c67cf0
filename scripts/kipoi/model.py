"""The Kipoi model class of a folder written by `epibook export`: model.yaml names it
(defined_as: model.EpibookModel, args: weights: model.npz). It rebuilds the epibook
model as a torch.nn.Sequential from the .npz (load_epibook_weights.py, beside it) and
runs it in eval mode. Works with Kipoi installed (a kipoi.model.BaseModel) or without.

    from model import EpibookModel
    outputs = EpibookModel("model.npz").predict_on_batch(inputs)   # numpy in, numpy out
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_epibook_weights import load  # noqa: E402  (the loader sits beside this file)

try:
    from kipoi.model import BaseModel
except ImportError:  # no Kipoi: the class stands on its own
    BaseModel = object


class EpibookModel(BaseModel):
    """An exported epibook model: predict_on_batch takes the dataloader's inputs
    ([batch, ...schema.inputs.shape], float32) and returns the raw outputs
    ([batch, ...schema.targets.shape]); model.yaml's targets doc says what turns them
    into rates or probabilities."""

    def __init__(self, weights):
        self.model = load(weights)
        self.model.eval()

    def predict_on_batch(self, x):
        batch = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        with torch.no_grad():
            return self.model(batch).numpy()
