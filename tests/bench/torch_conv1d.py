"""PyTorch's side of conv_bench: one Conv1d(64, 64, 9, padding='same') forward and
backward (input, weight and bias gradients) on a [64, 64, 1000] batch; prints the best
milliseconds of REPEATS runs. Usage: torch_conv1d.py THREADS REPEATS"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
conv = torch.nn.Conv1d(64, 64, 9, padding="same")
x = torch.rand(64, 64, 1000, requires_grad=True)
upstream = torch.rand(64, 64, 1000)
best = float("inf")
for _ in range(int(sys.argv[2]) + 1):
    start = time.perf_counter()
    conv.zero_grad()
    x.grad = None
    conv(x).backward(upstream)
    best = min(best, time.perf_counter() - start)
print(f"{best * 1e3:.3f}")
