#!/usr/bin/python3
"""Reference for Backprop.Web.Playground.PlaygroundData: the playground's generated data sets.

circle, moons and gauss are scikit-learn's own generators (make_circles, make_moons, make_blobs, shuffle=False);
xor is TensorFlow Playground's quadrant set written with NumPy's RandomState:
    X = uniform(-1, 1, (n, 2)); X += where(X > 0, 0.1, -0.1); y = X0*X1 > 0; X += normal(scale=noise, size=X.shape).
Writes playground_sets.json: per case the set, n, noise, seed, X (n x 2, row-major) and y.
Run: /usr/bin/python3 make_playground_fixtures.py   (NumPy, scikit-learn)
"""
import json
import os

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons


def xor(n, noise, seed):
    rs = np.random.RandomState(seed)
    X = rs.uniform(-1, 1, size=(n, 2))
    X += np.where(X > 0, 0.1, -0.1)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    if noise > 0:
        X += rs.normal(scale=noise, size=X.shape)
    return X, y


def generate(name, n, noise, seed):
    if name == "circle":
        return make_circles(n, shuffle=False, noise=noise if noise > 0 else None, random_state=seed, factor=0.5)
    if name == "moons":
        return make_moons(n, shuffle=False, noise=noise if noise > 0 else None, random_state=seed)
    if name == "gauss":
        return make_blobs([n // 2, n - n // 2], n_features=2, centers=[[-1, -1], [1, 1]], cluster_std=0.3 + 2 * noise,
                          shuffle=False, random_state=seed)
    return xor(n, noise, seed)


cases = []
for name in ["circle", "moons", "gauss", "xor"]:
    for n, noise, seed in [(200, 0.1, 0), (101, 0.0, 3), (400, 0.35, 7)]:
        X, y = generate(name, n, noise, seed)
        assert X.shape == (n, 2) and len(y) == n
        cases.append({"name": f"{name}-{n}-{noise}-{seed}", "set": name, "n": n, "noise": noise, "seed": seed,
                      "X": [float(v) for v in X.ravel()], "y": [int(v) for v in y]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "playground_sets.json"), "w") as f:
    json.dump({"cases": cases}, f)
print(f"{len(cases)} cases")
