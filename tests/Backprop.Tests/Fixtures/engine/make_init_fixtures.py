#!/usr/bin/python3
"""Initial weights as the seeds' own code draws them (NumPy's legacy RandomState), for Initializer tests.
Each entry: the layer sizes and, per layer, W as [out][in] and b as [out] (Backprop's layout).
Run: /usr/bin/python3 make_init_fixtures.py
"""
import json, os
import numpy as np
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
out = {}

# scikit-learn's Glorot uniform, drawn by sklearn itself (MLPClassifier._init_coef), relu and logistic units.
for act in ("relu", "logistic"):
    clf = MLPClassifier(activation=act)
    clf._random_state = np.random.RandomState(3)
    sizes = [4, 5, 3]
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        coef, intercept = clf._init_coef(i, o, np.float64)
        layers.append(dict(W=coef.T.tolist(), b=intercept.tolist()))
    # sklearn's output layer uses the same factor as the hidden activation (factor 2 only for logistic)
    out["glorot-" + act] = dict(seed=3, sizes=sizes, layers=layers)

# CS231n spiral case study: W = 0.01 * np.random.randn(D, h); b = zeros; W2 = 0.01 * np.random.randn(h, K)
np.random.seed(0)
W1 = 0.01 * np.random.randn(2, 100); W2 = 0.01 * np.random.randn(100, 3)
out["cs231n"] = dict(seed=0, sizes=[2, 100, 3], layers=[dict(W=W1.T.tolist(), b=[0.0] * 100), dict(W=W2.T.tolist(), b=[0.0] * 3)])

# Ng's planar assignment: np.random.seed(2); W1 = randn(n_h, n_x) * 0.01; W2 = randn(n_y, n_h) * 0.01
np.random.seed(2)
W1 = np.random.randn(20, 2) * 0.01; W2 = np.random.randn(2, 20) * 0.01
out["ng-planar"] = dict(seed=2, sizes=[2, 20, 2], layers=[dict(W=W1.tolist(), b=[0.0] * 20), dict(W=W2.tolist(), b=[0.0] * 2)])

# Raschka (2nd ed.) NeuralNetMLP: random = RandomState(1); w_h = normal(0, 0.1, (n_features, n_hidden)); w_out likewise
rs = np.random.RandomState(1)
w_h = rs.normal(loc=0.0, scale=0.1, size=(6, 5)); w_out = rs.normal(loc=0.0, scale=0.1, size=(5, 4))
out["raschka"] = dict(seed=1, sizes=[6, 5, 4], layers=[dict(W=w_h.T.tolist(), b=[0.0] * 5), dict(W=w_out.T.tolist(), b=[0.0] * 4)])

# ex4 randInitializeWeights(L_in, L_out): W = rand(L_out, 1 + L_in) * 2 * eps - eps, filled in MATLAB (column) order.
rs = np.random.RandomState(7)
layers = []
for i, o in ((3, 4), (4, 2)):
    theta = rs.uniform(-0.12, 0.12, (1 + i, o)).T  # C-order fill of (1+in, out) = column-major fill of (out, 1+in)
    layers.append(dict(W=theta[:, 1:].tolist(), b=theta[:, 0].tolist()))
out["ex4"] = dict(seed=7, sizes=[3, 4, 2], layers=layers)

with open(os.path.join(HERE, "init.json"), "w") as f:
    json.dump(out, f)
print("wrote", list(out))
