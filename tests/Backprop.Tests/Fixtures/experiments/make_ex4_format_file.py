#!/usr/bin/python3
"""A data file in ex4data1.mat's format (which is not available here), for `backprop verify --data … --weights …`.

ex4data1.mat holds X (5000 x 400: 20x20 gray digits, each image unrolled column by column as MATLAB's X(i,:) =
img(:)') and y (5000 x 1, labels 1..10 with 10 meaning the digit 0). This makes the same layout from the first
200 of scikit-learn's 8x8 digits (data/digits/digits.csv.gz): zoomed to 20x20 (scipy.ndimage.zoom, order 1),
scaled from 0..16 to 0..1, written by scipy.io.savemat (MATLAB 5, compressed). It also computes ex4's
nnCostFunction at lambda 0, 1, 3 and predict.m's accuracy with ex4weights.mat, for the test to compare with.
Run: /usr/bin/python3 make_ex4_format_file.py
"""
import gzip, json, os
import numpy as np, scipy.io, scipy.ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
with gzip.open(os.path.join(ROOT, "data", "digits", "digits.csv.gz"), "rt") as f:
    rows = np.loadtxt(f, delimiter=",", comments="#")
rows = rows[:200]
images = rows[:, :64].reshape(-1, 8, 8) / 16.0
labels = rows[:, 64].astype(int)
X = np.stack([scipy.ndimage.zoom(img, 2.5, order=1).ravel(order="F") for img in images])  # column-major, as MATLAB
y = np.where(labels == 0, 10, labels).reshape(-1, 1).astype(np.uint8)
path = os.path.join(HERE, "ex4_format_digits.mat")
scipy.io.savemat(path, {"X": X, "y": y}, do_compression=True, format="5")

W = scipy.io.loadmat(os.path.join(HERE, "..", "mat", "corpus", "ex4weights.mat"))
T1, T2 = W["Theta1"], W["Theta2"]
m = X.shape[0]
sig = lambda z: 1 / (1 + np.exp(-z))
a2 = sig(np.c_[np.ones(m), X] @ T1.T)
h = sig(np.c_[np.ones(m), a2] @ T2.T)
Y = np.eye(10)[y.ravel() - 1]
J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
reg = np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2)
out = dict(samples=m, cost_lambda0=J, cost_lambda1=J + 1 / (2 * m) * reg, cost_lambda3=J + 3 / (2 * m) * reg,
           accuracy=float(np.mean(np.argmax(h, 1) + 1 == y.ravel())))
with open(os.path.join(HERE, "ex4_format_digits.json"), "w") as f:
    json.dump(out, f, indent=1)
print(out, os.path.getsize(path), "bytes")
