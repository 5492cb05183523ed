#!/usr/bin/python3
"""A whole `backprop train` recipe in PyTorch, printed as one JSON object: wall time to the end of training, the
epoch history and the test accuracy.

    torch_recipe.py main|best [--threads 1] [--epochs 12]

The recipes are the presets `default` (the README's main job) and `best` (src/Backprop/Experiments/Presets.cs):
- data: MNIST from data/mnist (the same idx files), pixels divided by 255; a stratified 1/12 of the 60,000 training
  images held out for validation (scikit-learn's train_test_split, random_state 0 — the same protocol and sizes as
  ours, a different draw of the 5,000), the 10,000 test images for the final figure;
- network: Linear layers with He-normal weights (std √(2/in)) and zero biases, ReLU, softmax cross-entropy (mean
  over the batch, no L2), float32;
- main: 784-256-10, Adam lr 1e-3, StepLR ×0.3 every 5 epochs, 12 epochs of 100-sample batches;
- best: 784-512-256-10, Adam lr 1e-3 with CosineAnnealingLR over the epochs (stepped per epoch), every training image
  moved by a random whole-pixel (dy, dx) in [−1, 1]² with the edge repeated (scipy.ndimage.shift order 0,
  mode 'nearest', as ours), and an EMA of the weights (decay 0.999, updated after every step, started from the first
  step's weights) that is evaluated and kept;
- every epoch, like `backprop train`: the accuracy on the whole training set (not with --train-accuracy off) and on
  the validation set.
Adam is PyTorch's (ε added after the bias correction; ours is scikit-learn's form, see Adam.cs): a difference of
the optimizer's definition, not of the protocol.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(seed):
    d = os.path.join(ROOT, "data", "mnist")
    x = idx(os.path.join(d, "train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
    y = idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    xt = idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
    yt = idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    xtr, xva, ytr, yva = train_test_split(x, y, test_size=5000, stratify=y, random_state=seed)
    return [torch.from_numpy(np.ascontiguousarray(a)) for a in (xtr, ytr, xva, yva, xt, yt)]


def network(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.normal_(lin.weight, 0.0, (2.0 / a) ** 0.5)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def shift_batch(xb, gen):
    """Each 28x28 image moved by its own (dy, dx) in [−1, 1]², the edge repeated into the vacated border."""
    n = xb.shape[0]
    img = xb.view(n, 28, 28)
    d = torch.randint(-1, 2, (n, 2), generator=gen)
    rows = (torch.arange(28).view(1, 28) - d[:, :1]).clamp(0, 27)          # [n, 28]
    cols = (torch.arange(28).view(1, 28) - d[:, 1:]).clamp(0, 27)
    out = img[torch.arange(n).view(n, 1, 1), rows.view(n, 28, 1), cols.view(n, 1, 28)]
    return out.reshape(n, 784)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe", choices=["main", "best"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--train-accuracy", choices=["all", "off"], default="all",
                    help="off: no per-epoch pass over the training set (as backprop train --train-accuracy off)")
    ap.add_argument("--seed", type=int, default=0, help="seeds the initial weights, the shuffles and the split (as backprop train --seed)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    t_load = time.perf_counter()
    xtr, ytr, xva, yva, xt, yt = load(a.seed)
    load_s = time.perf_counter() - t_load

    best = a.recipe == "best"
    model = network([784, 512, 256, 10] if best else [784, 256, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = (torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs) if best
             else torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.3))
    ema = None
    if best:
        ema = torch.optim.swa_utils.AveragedModel(model, avg_fn=lambda avg, p, n: avg + (1 - 0.999) * (p - avg))
    loss_fn = torch.nn.CrossEntropyLoss()
    n = xtr.shape[0]
    history = []
    t0 = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(n, generator=gen)
        cost = 0.0
        for s in range(0, n, 100):
            idx_b = perm[s:s + 100]
            xb = xtr[idx_b]
            if best:
                xb = shift_batch(xb, gen)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), ytr[idx_b])
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(model)
            cost += float(loss) * idx_b.shape[0]
        sched.step()
        evaluated = ema if ema is not None else model
        history.append({"epoch": epoch, "cost": cost / n, "train": accuracy(evaluated, xtr, ytr) if a.train_accuracy == "all" else None,
                        "valid": accuracy(evaluated, xva, yva), "seconds": time.perf_counter() - t0})
    train_s = time.perf_counter() - t0
    final = ema if ema is not None else model
    print(json.dumps({
        "recipe": a.recipe, "threads": a.threads, "seed": a.seed, "torch": torch.__version__,
        "train_seconds": train_s, "load_seconds": load_s,
        "test_accuracy": accuracy(final, xt, yt), "valid_accuracy": history[-1]["valid"], "history": history,
        "blas": torch.__config__.show().count("OpenBLAS") > 0 and "OpenBLAS" or "other",
    }))


if __name__ == "__main__":
    main()
