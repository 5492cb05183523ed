#!/usr/bin/python3
"""Checks an ex4data1.mat written by `backprop export-data ex4data1 --out FILE` with SciPy and NumPy alone.

Usage: /usr/bin/python3 ex4data1_check.py FILE [SHARED_DATA_DIR]

- loads FILE with scipy.io.loadmat (X 5000x400 double, y 5000x1 double, 1..10);
- compares X with every value that survives in the truncated real upload of ex3data1.mat (its zlib stream
  inflated as far as it goes: the first 157 columns of X for all 5000 rows);
- computes ex4's nnCostFunction with ex4weights.mat in NumPy: cost 0.287629 (λ = 0), 0.383770 (λ = 1),
  accuracy 97.52 %; and the cost of the transposed images (the seed's loader bug): 5.830351 / 5.926492.
"""
import struct
import sys
import zlib

import numpy as np
import scipy.io

path = sys.argv[1]
shared = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
d = scipy.io.loadmat(path)
X, y = d["X"], d["y"].ravel().astype(int)
assert X.shape == (5000, 400) and X.dtype == np.float64, X.shape
assert set(np.unique(y)) == set(range(1, 11))

raw = open(f"{shared}/coursera/matlab-corpus/ex3data1_truncated.mat", "rb").read()
inflated = zlib.decompressobj().decompress(raw[136:])
data = inflated[56:]
cols = len(data) // 8 // 5000
real = np.frombuffer(data[: cols * 5000 * 8], "<f8").reshape(cols, 5000).T
print(f"surviving columns {cols}, largest |ours - real| = {np.abs(X[:, :cols] - real).max():.3e}")

w = scipy.io.loadmat(f"{shared}/coursera/ex4weights.mat")
T1, T2 = w["Theta1"], w["Theta2"]


def cost(X, lam):
    m = X.shape[0]
    sig = lambda z: 1 / (1 + np.exp(-z))
    a2 = sig(np.c_[np.ones(m), X] @ T1.T)
    h = sig(np.c_[np.ones(m), a2] @ T2.T)
    Y = np.eye(10)[y - 1]
    J = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2))
    return J, np.mean(np.argmax(h, 1) + 1 == y)


for lam in (0, 1):
    J, acc = cost(X, lam)
    print(f"lambda {lam}: cost {J:.6f}, accuracy {acc * 100:.2f} %")
Xt = X.reshape(5000, 20, 20).transpose(0, 2, 1).reshape(5000, 400)
for lam in (0, 1):
    print(f"transposed images, lambda {lam}: cost {cost(Xt, lam)[0]:.6f}")
