#!/usr/bin/python3
"""scikit-learn's MLPClassifier on the flower, spiral and MNIST recipes of the seeds; prints one JSON object.

    sklearn_compare.py [--mnist-epochs N] [--only flower spiral mnist]

Data: flower and spiral are the exact points Backprop generates (the committed test fixtures
tests/Backprop.Tests/Fixtures/builtin/{flower,spiral}.csv, made by the NumPy originals); MNIST is data/mnist.
Recipes mapped to sklearn's closest settings (solver='sgd', momentum=0, constant rate, tol=0 and
n_iter_no_change > max_iter so that every epoch runs):
  flower  2-20-2 ReLU, 0.01·randn weights, lr 0.05, no decay, 20000 full-batch epochs
          -> hidden (20,), relu, learning_rate_init 0.05, alpha 0, batch_size 400, max_iter 20000
  spiral  2-100-3 ReLU, reg 1e-3 (CS231n: 0.5·reg·ΣW² on the mean loss), lr 1, 10000 full-batch epochs
          -> hidden (100,), relu, learning_rate_init 1.0, alpha = reg·n = 0.3, batch_size 300, max_iter 10000
  mnist   784-100-10 sigmoid, l2 0.01 and eta 0.0005 on the summed mini-batch gradient, batch 100, pixels to [-1, 1],
          55k/5k/10k -> hidden (100,), logistic, learning_rate_init 0.05 (= 100·eta on the mean gradient),
          alpha 0.01 (sklearn adds alpha/batch·W to the mean gradient, = l2/100·W), batch_size 100
What sklearn cannot match: its own Glorot-uniform initialization (no 0.01·randn / normal(0, 0.1)), a single
logistic output unit for two classes (flower) and softmax outputs for MNIST (the seed uses sigmoid outputs).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def planar(name):
    d = np.loadtxt(os.path.join(ROOT, "tests", "Backprop.Tests", "Fixtures", "builtin", name + ".csv"), delimiter=",", skiprows=1)
    return d[:, :2], d[:, 2].astype(int)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def mlp(hidden, activation, lr, alpha, batch, epochs):
    return MLPClassifier(hidden_layer_sizes=hidden, activation=activation, solver="sgd", learning_rate="constant",
                         learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False, alpha=alpha, batch_size=batch,
                         max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, shuffle=True, random_state=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist-epochs", type=int, default=20)
    ap.add_argument("--only", nargs="*", default=["flower", "spiral", "mnist"])
    a = ap.parse_args()
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
    rows = []
    if "flower" in a.only:
        X, y = planar("flower")
        clf = mlp((20,), "relu", 0.05, 0.0, 400, 20000)
        t = time.perf_counter(); clf.fit(X, y); s = time.perf_counter() - t
        rows.append({"recipe": "flower", "epochs": clf.n_iter_, "seconds": s, "train_accuracy": clf.score(X, y)})
    if "spiral" in a.only:
        X, y = planar("spiral")
        clf = mlp((100,), "relu", 1.0, 0.3, 300, 10000)
        t = time.perf_counter(); clf.fit(X, y); s = time.perf_counter() - t
        rows.append({"recipe": "spiral", "epochs": clf.n_iter_, "seconds": s, "train_accuracy": clf.score(X, y)})
    if "mnist" in a.only:
        d = os.path.join(ROOT, "data", "mnist")
        Xall = idx(os.path.join(d, "train-images-idx3-ubyte.gz")).reshape(60000, -1) / 127.5 - 1.0
        yall = idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).astype(int)
        Xt = idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(10000, -1) / 127.5 - 1.0
        yt = idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(int)
        X, Xv, y, yv = train_test_split(Xall, yall, test_size=5000, stratify=yall, random_state=1)
        clf = mlp((100,), "logistic", 0.05, 0.01, 100, a.mnist_epochs)
        t = time.perf_counter(); clf.fit(X, y); s = time.perf_counter() - t
        rows.append({"recipe": "mnist", "epochs": clf.n_iter_, "seconds": s, "train_accuracy": clf.score(X, y),
                     "valid_accuracy": clf.score(Xv, yv), "test_accuracy": clf.score(Xt, yt)})
    import sklearn
    json.dump({"sklearn": sklearn.__version__, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
