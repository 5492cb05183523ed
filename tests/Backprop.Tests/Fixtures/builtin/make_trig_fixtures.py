#!/usr/bin/env python3
"""np.sin / np.cos reference values for NumPyMathTests (writes trig.json next to this file).

Made with /usr/bin/python3, numpy 1.24 on an AVX-512 x86-64 machine, where float64 sin/cos go
through SVML. Doubles are stored as 16-hex-digit bit patterns.
"""
import json, os, struct
import numpy as np

def h(a):
    return ['%016x' % struct.unpack('<Q', struct.pack('<d', float(v)))[0] for v in np.asarray(a, dtype=np.float64).ravel()]

rs = np.random.RandomState(12345)
x = np.concatenate([
    rs.uniform(-1, 1, 400), rs.uniform(-30, 30, 1500), rs.uniform(-1e4, 1e4, 300), rs.uniform(-1e7, 1e7, 100),
    rs.uniform(-1e-6, 1e-6, 50), rs.uniform(-1e-9, 1e-9, 20),
    np.array([0.0, -0.0, np.pi, -np.pi, np.pi / 2, 3 * np.pi / 2, 1.0, 3.12, 6.24, 12.48, 24.96, 2.0**-27, 1e-300]),
    np.arange(-200, 201) * (np.pi / 4),
])
out = {'numpy': np.__version__, 'x': h(x), 'sin': h(np.sin(x)), 'cos': h(np.cos(x))}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'trig.json'), 'w') as f:
    json.dump(out, f)
