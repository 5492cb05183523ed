#!/usr/bin/env python3
"""Expected preprocessing results from scikit-learn's StandardScaler / MinMaxScaler (NumPy formulas as a
cross-check). Run from this folder: /usr/bin/python3 make_preprocessing_fixtures.py"""
import json
import os

import numpy as np
import sklearn
from sklearn.preprocessing import MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)
train = rng.normal(loc=[0, 5, -3, 100, 0], scale=[1, 0.1, 7, 30, 1], size=(20, 5))
train[:, 4] = 2.5  # a constant feature: std 0 -> 1, range 0 -> 1
test = rng.normal(loc=[0, 5, -3, 100, 0], scale=[1, 0.1, 7, 30, 1], size=(7, 5))
pixels = np.array([[0, 1, 127, 128, 254, 255]], dtype=float)


def flat(a):
    return [repr(float(v)) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


std = StandardScaler().fit(train)
assert np.allclose(std.mean_, train.mean(axis=0)) and np.allclose(std.var_, train.var(axis=0))
mm01 = MinMaxScaler((0, 1)).fit(train)
mm11 = MinMaxScaler((-1, 1)).fit(train)
pix = MinMaxScaler((0, 1)).fit(np.array([[0.0] * 6, [255.0] * 6]))
out = dict(
    sklearn=sklearn.__version__,
    numpy=np.__version__,
    rows_train=train.shape[0], rows_test=test.shape[0], features=train.shape[1],
    train=flat(train), test=flat(test),
    standard_mean=flat(std.mean_), standard_scale=flat(std.scale_), standard_std=flat(np.sqrt(std.var_)),
    standard_train=flat(std.transform(train)), standard_test=flat(std.transform(test)),
    minmax01_min=flat(mm01.data_min_), minmax01_max=flat(mm01.data_max_),
    minmax01_test=flat(mm01.transform(test)), minmax01_train=flat(mm01.transform(train)),
    minmax11_test=flat(mm11.transform(test)),
    pixels=flat(pixels), pixels01=flat(pix.transform(pixels)),
)
with open(os.path.join(HERE, "preprocessing_expected.json"), "w") as f:
    json.dump(out, f, indent=1)
print(f"sklearn {sklearn.__version__}, numpy {np.__version__}: preprocessing_expected.json written")
