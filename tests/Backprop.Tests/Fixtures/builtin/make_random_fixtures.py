#!/usr/bin/env python3
"""Reference outputs of numpy.random.RandomState (legacy) for NumPyRandomTests.

Run with /usr/bin/python3 (numpy 1.24, Debian python3-numpy); writes random.json next to this file.
Doubles are stored as the 16-hex-digit IEEE-754 bit pattern so the comparison is bit for bit.
"""
import json, os, struct
import numpy as np

def h(x):
    return '%016x' % struct.unpack('<Q', struct.pack('<d', float(x)))[0]

def hs(a):
    return [h(v) for v in np.asarray(a, dtype=np.float64).ravel()]

def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]

out = {'numpy': np.__version__, 'seeds': []}
for seed in (0, 1, 3, 42, 2**32 - 1):
    e = {'seed': seed}
    rs = np.random.RandomState(seed); e['state_key_first'] = ints(rs.get_state()[1][:4])
    rs = np.random.RandomState(seed); e['uint32'] = ints(rs.randint(0, 2**32, size=20, dtype=np.int64))
    rs = np.random.RandomState(seed); e['rand'] = hs(rs.rand(20))
    rs = np.random.RandomState(seed); e['randn'] = hs(rs.randn(21))
    rs = np.random.RandomState(seed); e['normal'] = hs([rs.normal(1.5, 0.25) for _ in range(7)])
    rs = np.random.RandomState(seed); e['uniform'] = hs(rs.uniform(-2.0, 3.0, size=9))
    rs = np.random.RandomState(seed); e['randint_0_10'] = ints(rs.randint(0, 10, size=30))
    rs = np.random.RandomState(seed); e['randint_m5_1000'] = ints(rs.randint(-5, 1000, size=30))
    rs = np.random.RandomState(seed); e['randint_0_2p40'] = ints(rs.randint(0, 2**40, size=10))
    rs = np.random.RandomState(seed); e['randint_neg_big'] = ints(rs.randint(-2**62, 2**62, size=10))
    rs = np.random.RandomState(seed); e['randint_scalar'] = [int(rs.randint(7)) for _ in range(10)]
    rs = np.random.RandomState(seed); a = np.arange(50); rs.shuffle(a); e['shuffle50'] = ints(a)
    rs = np.random.RandomState(seed); e['permutation10'] = ints(rs.permutation(10))
    rs = np.random.RandomState(seed); e['permutation1000'] = ints(rs.permutation(1000))
    rs = np.random.RandomState(seed); e['choice_replace'] = ints(rs.choice(100, 15, replace=True))
    rs = np.random.RandomState(seed); e['choice_noreplace'] = ints(rs.choice(100, 15, replace=False))
    # an interleaved sequence: the cached gauss survives calls to other methods
    rs = np.random.RandomState(seed)
    mixed = [rs.randn(), rs.rand(), rs.randn(), rs.randn(), float(rs.randint(0, 1000)), rs.randn(), rs.uniform(0, 1)]
    e['mixed'] = hs(mixed)
    out['seeds'].append(e)

# array seeds use init_by_array
rs = np.random.RandomState([1, 2, 3]); out['array_seed_123_rand'] = hs(rs.rand(5))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'random.json'), 'w') as f:
    json.dump(out, f, indent=1)
