"""PyTorch twin of tests/golden/torch_training_test.cpp.

Builds the same small CNN as epibook's model description (model.json), loads
epibook's initial weights (init/<name>.npy, PyTorch state_dict names), replays the
same batches (batch_rows.npy) with the same loss and optimiser, and prints the loss
of every step as JSON. Run with Debian's python3 (torch 1.13, CPU).
"""
import json
import sys

import numpy as np
import torch


class GlobalAvgPool1d(torch.nn.Module):
    """epibook's GlobalAvgPool1d: the mean over the length axis, [N, C, L] -> [N, C]."""

    def forward(self, x):
        return x.mean(dim=2)


def build_layer(d):
    kind = d["kind"]
    if kind == "Conv1d":
        padding = d.get("padding", 0)
        return torch.nn.Conv1d(d["in_channels"], d["out_channels"], d["kernel_size"], stride=d.get("stride", 1),
                               dilation=d.get("dilation", 1), padding=padding, bias=d.get("bias", True))
    if kind == "ReLU":
        return torch.nn.ReLU()
    if kind == "MaxPool1d":
        return torch.nn.MaxPool1d(d["kernel_size"], stride=d.get("stride"))
    if kind == "GlobalAvgPool1d":
        return GlobalAvgPool1d()
    if kind == "Linear":
        return torch.nn.Linear(d["in_features"], d["out_features"], bias=d.get("bias", True))
    raise ValueError(f"no PyTorch twin for layer kind {kind}")


def main(directory, optimizer_name, learning_rate):
    torch.set_num_threads(1)
    description = json.load(open(f"{directory}/model.json"))
    model = torch.nn.Sequential(*[build_layer(d) for d in description["layers"]])
    state = {name: torch.from_numpy(np.load(f"{directory}/init/{name}.npy")) for name in model.state_dict()}
    model.load_state_dict(state)
    inputs = torch.from_numpy(np.load(f"{directory}/inputs.npy"))
    targets = torch.from_numpy(np.load(f"{directory}/targets.npy"))
    batch_rows = torch.from_numpy(np.load(f"{directory}/batch_rows.npy").astype(np.int64))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.5]))
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    losses = []
    for rows in batch_rows:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs[rows]), targets[rows])
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    print(json.dumps(losses))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
