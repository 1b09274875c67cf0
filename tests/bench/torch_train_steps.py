"""PyTorch peer of tests/bench/train_bench.cpp: the same CNN, input and optimiser.

Usage: torch_train_steps.py DIR THREADS STEPS; reads DIR/inputs.npy and labels.npy,
prints training steps per second (after two warm-up steps).
"""
import sys
import time

import numpy as np
import torch


def model():
    layers, channels = [], 4
    for _ in range(4):
        layers += [torch.nn.Conv1d(channels, 64, 9, padding="same"), torch.nn.ReLU(), torch.nn.MaxPool1d(2)]
        channels = 64
    return torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(), torch.nn.Linear(64, 1))


def main(directory, threads, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = model()
    inputs = torch.from_numpy(np.load(f"{directory}/inputs.npy"))
    labels = torch.from_numpy(np.load(f"{directory}/labels.npy"))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(net(inputs), labels)
        loss.backward()
        optimizer.step()

    step()
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    print(steps / (time.perf_counter() - start))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
