#!/usr/bin/env python3
"""Reference figures of the built-in MNIST and digits data (writes data.json next to this file).

Reads the files under data/ of the repository with numpy only (/usr/bin/python3, numpy 1.24).
"""
import gzip, json, os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, '..', '..', '..', '..'))

def idx(path):
    with gzip.open(path, 'rb') as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)

out = {'numpy': np.__version__}
for split, prefix in (('train', 'train'), ('test', 't10k')):
    x = idx(os.path.join(root, 'data', 'mnist', prefix + '-images-idx3-ubyte.gz'))
    y = idx(os.path.join(root, 'data', 'mnist', prefix + '-labels-idx1-ubyte.gz'))
    out['mnist_' + split] = {
        'shape': list(x.shape),
        'pixel_sum': int(x.sum(dtype=np.int64)),
        'first_image_sum': int(x[0].sum(dtype=np.int64)),
        'last_image_sum': int(x[-1].sum(dtype=np.int64)),
        'pixel_at_0_14_14': int(x[0, 14, 14]),
        'first_labels': [int(v) for v in y[:20]],
        'label_counts': [int(v) for v in np.bincount(y, minlength=10)],
        'per_class_pixel_sum': [int(x[y == k].sum(dtype=np.int64)) for k in range(10)],
    }

d = np.loadtxt(os.path.join(root, 'data', 'digits', 'digits.csv.gz'), delimiter=',')
X, y = d[:, :-1], d[:, -1].astype(int)
out['digits'] = {
    'shape': list(X.shape),
    'pixel_sum': float(X.sum()),
    'first_row': [float(v) for v in X[0]],
    'max': float(X.max()),
    'first_labels': [int(v) for v in y[:20]],
    'label_counts': [int(v) for v in np.bincount(y, minlength=10)],
}
with open(os.path.join(here, 'data.json'), 'w') as f:
    json.dump(out, f, indent=1)
