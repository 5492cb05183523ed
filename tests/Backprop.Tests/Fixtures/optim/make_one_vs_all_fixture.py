#!/usr/bin/python3
"""scikit-learn's one-vs-rest logistic regression on the first 300 of the 8x8 digits (pixels / 16), for OneVsAllTests.

Backprop's one-vs-all cost per class is mean cross-entropy + λ/(2m)·Σw² (bias not regularized); scikit-learn's
LogisticRegression minimizes C·Σ cross-entropy + ½·Σw² (intercept not regularized with lbfgs): the same minimizer
for C = 1/λ. Solved to convergence here (tol 1e-12); the test runs enough CG iterations to converge as well.
Writes one_vs_all.json: lambda, X rows used, coef_ (10 x 64), intercept_ (10), predictions, the summed cost.
"""
import gzip
import json

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

rows = np.loadtxt(gzip.open("../../../../data/digits/digits.csv.gz", "rt"), delimiter=",", skiprows=0)
X, y = rows[:300, :-1] / 16.0, rows[:300, -1].astype(int)
lam = 0.5
clf = OneVsRestClassifier(LogisticRegression(C=1 / lam, solver="lbfgs", tol=1e-12, max_iter=100000)).fit(X, y)
coef = np.array([e.coef_[0] for e in clf.estimators_])
intercept = np.array([e.intercept_[0] for e in clf.estimators_])
# The summed one-vs-all cost at scikit-learn's solution, in Backprop's convention.
cost = 0.0
for k in range(10):
    z = X @ coef[k] + intercept[k]
    t = (y == k).astype(float)
    cost += np.mean(np.logaddexp(0, -z) * t + np.logaddexp(0, z) * (1 - t)) + lam / (2 * len(y)) * np.sum(coef[k] ** 2)
json.dump({
    "cost": cost,
    "sklearn": sklearn.__version__,
    "lambda": lam,
    "samples": 300,
    "coef": coef.tolist(),
    "intercept": intercept.tolist(),
    "predictions": clf.predict(X).tolist(),
    "train_accuracy": float(np.mean(clf.predict(X) == y)),
}, open("one_vs_all.json", "w"))
print("train accuracy", np.mean(clf.predict(X) == y))
