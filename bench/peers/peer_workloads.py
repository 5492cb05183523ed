#!/usr/bin/python3
"""The `backprop bench` workloads in PyTorch or NumPy, printed as one JSON object (same shape as ours).

    peer_workloads.py torch  [--repeat N] [--dtype float32|float64] [--workload NAME ...]
    peer_workloads.py numpy  [--repeat N] [--dtype float32|float64] [--workload NAME ...]

Thread settings are the caller's business (run_peers.py sets torch.set_num_threads(1) through --threads
and OPENBLAS_NUM_THREADS=2 for NumPy). Shapes and recipes are those of bench/Workloads/Workloads.cs.
"""
import argparse
import json
import sys
import time

import numpy as np

NAMES = ["W1", "W2-sigmoid", "W2-relu", "W3", "sgemm-2048", "dgemm-2048"]
W2_LAMBDA = 0.01  # ex4 convention per batch of 100: gradient += (λ/m)·W
W2_LR = 0.1


def timed(fn, repeat):
    fn()  # warm-up
    ms = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    n = len(ms)
    median = ms[n // 2] if n % 2 else (ms[n // 2 - 1] + ms[n // 2]) / 2
    return median, ms[0], ms[-1]


def forward_flop(sizes, m):
    return 2.0 * m * sum(a * b for a, b in zip(sizes, sizes[1:])) / 1e9


def training_flop(sizes, m):
    return 3 * forward_flop(sizes, m) - 2.0 * m * sizes[0] * sizes[1] / 1e9


# ---------------------------------------------------------------------------------------------- NumPy

def numpy_workloads(names, dtype, repeat):
    rng = np.random.RandomState(2026)
    dt = np.float32 if dtype == "float32" else np.float64
    out = []

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    for name in names:
        if name == "W1":
            m = 5000
            X = rng.rand(m, 400).astype(dt)
            Y = np.eye(10, dtype=dt)[rng.randint(0, 10, m)]
            W1 = (rng.rand(25, 400) * 0.24 - 0.12).astype(dt); b1 = np.zeros(25, dt)
            W2 = (rng.rand(10, 25) * 0.24 - 0.12).astype(dt); b2 = np.zeros(10, dt)
            lam = 1.0

            def w1():
                A1 = sigmoid(X @ W1.T + b1)
                Z2 = A1 @ W2.T + b2
                A2 = sigmoid(Z2)
                cost = np.sum(np.maximum(Z2, 0) - Y * Z2 + np.log1p(np.exp(-np.abs(Z2)))) / m
                cost += lam / (2 * m) * (np.sum(W1 * W1) + np.sum(W2 * W2))
                d2 = (A2 - Y) / m
                gW2 = d2.T @ A1 + (lam / m) * W2; gb2 = d2.sum(0)
                d1 = (d2 @ W2) * A1 * (1 - A1)
                gW1 = d1.T @ X + (lam / m) * W1; gb1 = d1.sum(0)
                return cost, gW1, gb1, gW2, gb2
            out.append((name, dtype) + timed(w1, repeat) + (training_flop([400, 25, 10], m),))
        elif name in ("W2-sigmoid", "W2-relu"):
            n, batch = 60000, 100
            X = rng.rand(n, 784).astype(dt)
            labels = rng.randint(0, 10, n)
            Y = np.eye(10, dtype=dt)[labels]
            p = {"W1": (rng.rand(100, 784) * 0.1 - 0.05).astype(dt), "b1": np.zeros(100, dt),
                 "W2": (rng.rand(10, 100) * 0.1 - 0.05).astype(dt), "b2": np.zeros(10, dt)}
            relu = name == "W2-relu"
            order_rng = np.random.RandomState(1)
            l2 = W2_LAMBDA / batch

            def epoch():
                order = order_rng.permutation(n)
                W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
                for s in range(0, n, batch):
                    idx = order[s:s + batch]
                    xb, yb = X[idx], Y[idx]
                    m = xb.shape[0]
                    Z1 = xb @ W1.T + b1
                    A1 = np.maximum(Z1, 0) if relu else sigmoid(Z1)
                    Z2 = A1 @ W2.T + b2
                    if relu:
                        Z2s = Z2 - Z2.max(1, keepdims=True)
                        E = np.exp(Z2s)
                        A2 = E / E.sum(1, keepdims=True)
                        cost = -np.sum(yb * (Z2s - np.log(E.sum(1, keepdims=True)))) / m
                    else:
                        A2 = sigmoid(Z2)
                        cost = np.sum(np.maximum(Z2, 0) - yb * Z2 + np.log1p(np.exp(-np.abs(Z2)))) / m
                    cost += W2_LAMBDA / (2 * m) * (np.sum(W1 * W1) + np.sum(W2 * W2))
                    d2 = (A2 - yb) / m
                    gW2 = d2.T @ A1 + l2 * W2; gb2 = d2.sum(0)
                    d1 = d2 @ W2
                    d1 *= (Z1 > 0) if relu else A1 * (1 - A1)
                    gW1 = d1.T @ xb + l2 * W1; gb1 = d1.sum(0)
                    W1 -= W2_LR * gW1; b1 -= W2_LR * gb1; W2 -= W2_LR * gW2; b2 -= W2_LR * gb2
            out.append((name, dtype) + timed(epoch, repeat) + (training_flop([784, 100, 10], n),))
        elif name == "W3":
            m = 10000
            X = rng.rand(m, 784).astype(dt)
            W1 = (rng.rand(100, 784) * 0.1 - 0.05).astype(dt); b1 = np.zeros(100, dt)
            W2 = (rng.rand(10, 100) * 0.1 - 0.05).astype(dt); b2 = np.zeros(10, dt)
            out.append((name, dtype) + timed(lambda: sigmoid(sigmoid(X @ W1.T + b1) @ W2.T + b2), repeat) + (forward_flop([784, 100, 10], m),))
        else:
            t = np.float32 if name == "sgemm-2048" else np.float64
            A = rng.rand(2048, 2048).astype(t); B = rng.rand(2048, 2048).astype(t)
            out.append((name, "float32" if t == np.float32 else "float64") + timed(lambda: A @ B, repeat) + (2.0 * 2048 ** 3 / 1e9,))
    return out


# ---------------------------------------------------------------------------------------------- PyTorch

def torch_workloads(names, dtype, repeat):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(2026)
    dt = torch.float32 if dtype == "float32" else torch.float64
    out = []
    for name in names:
        if name == "W1":
            m = 5000
            X = torch.rand(m, 400, dtype=dt)
            Y = F.one_hot(torch.randint(0, 10, (m,)), 10).to(dt)
            W1 = (torch.rand(25, 400, dtype=dt) * 0.24 - 0.12).requires_grad_(); b1 = torch.zeros(25, dtype=dt, requires_grad=True)
            W2 = (torch.rand(10, 25, dtype=dt) * 0.24 - 0.12).requires_grad_(); b2 = torch.zeros(10, dtype=dt, requires_grad=True)
            lam = 1.0

            def w1():
                for t in (W1, b1, W2, b2):
                    t.grad = None
                Z2 = torch.sigmoid(X @ W1.T + b1) @ W2.T + b2
                cost = F.binary_cross_entropy_with_logits(Z2, Y, reduction="sum") / m + lam / (2 * m) * ((W1 * W1).sum() + (W2 * W2).sum())
                cost.backward()
                return cost.item()
            out.append((name, dtype) + timed(w1, repeat) + (training_flop([400, 25, 10], m),))
        elif name in ("W2-sigmoid", "W2-relu"):
            n, batch = 60000, 100
            X = torch.rand(n, 784, dtype=dt)
            labels = torch.randint(0, 10, (n,))
            Y = F.one_hot(labels, 10).to(dt)
            relu = name == "W2-relu"
            model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU() if relu else torch.nn.Sigmoid(), torch.nn.Linear(100, 10)).to(dt)
            weights = [model[0].weight, model[2].weight]
            biases = [model[0].bias, model[2].bias]
            opt = torch.optim.SGD([{"params": weights, "weight_decay": W2_LAMBDA / batch}, {"params": biases, "weight_decay": 0.0}], lr=W2_LR)

            def epoch():
                order = torch.randperm(n)
                for s in range(0, n, batch):
                    idx = order[s:s + batch]
                    xb = X[idx]
                    opt.zero_grad(set_to_none=True)
                    z = model(xb)
                    if relu:
                        loss = F.cross_entropy(z, labels[idx])
                    else:
                        loss = F.binary_cross_entropy_with_logits(z, Y[idx], reduction="sum") / xb.shape[0]
                    loss.backward()
                    opt.step()
            out.append((name, dtype) + timed(epoch, repeat) + (training_flop([784, 100, 10], n),))
        elif name == "W3":
            m = 10000
            X = torch.rand(m, 784, dtype=dt)
            model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.Sigmoid(), torch.nn.Linear(100, 10), torch.nn.Sigmoid()).to(dt)

            def w3():
                with torch.no_grad():
                    return model(X)
            out.append((name, dtype) + timed(w3, repeat) + (forward_flop([784, 100, 10], m),))
        else:
            t = torch.float32 if name == "sgemm-2048" else torch.float64
            A = torch.rand(2048, 2048, dtype=t); B = torch.rand(2048, 2048, dtype=t)
            out.append((name, "float32" if t == torch.float32 else "float64") + timed(lambda: torch.mm(A, B), repeat) + (2.0 * 2048 ** 3 / 1e9,))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=["torch", "numpy"])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (torch only)")
    ap.add_argument("--workload", nargs="*", default=NAMES)
    a = ap.parse_args()
    info = {}
    if a.peer == "torch":
        import torch
        torch.set_num_threads(a.threads)
        info = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        rows = torch_workloads(a.workload, a.dtype, a.repeat)
    else:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        info = {"numpy": np.__version__, "blas": [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")} for p in pools]}
        rows = numpy_workloads(a.workload, a.dtype, a.repeat)
    json.dump({"peer": a.peer, "info": info, "workloads": [
        {"name": r[0], "dtype": r[1], "median_ms": r[2], "min_ms": r[3], "max_ms": r[4], "gflops": r[5] / (r[2] / 1000)} for r in rows]}, sys.stdout)


if __name__ == "__main__":
    main()
