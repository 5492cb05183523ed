#!/usr/bin/env python3
"""Loads the files our NpyFile/NpzFile writers produced (ours/, pinned by NpyFileTests) with NumPy
and checks every value against what the C# test wrote. Output recorded in verify_ours.txt.

Run from this folder:  /usr/bin/python3 verify_ours.py > verify_ours.txt
"""
import os
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ours")
f8max = np.finfo("f8").max
expected = {
    "ours_f8": np.array([[0.1, -2.5, f8max], [5e-324, -0.0, 1e300]], dtype="<f8"),
    "ours_f4": np.array([0.1, np.finfo("f4").min, 7], dtype="<f4"),
    "ours_i1": np.array([[-128, 127], [0, -1]], dtype="i1"),
    "ours_u1": np.array([0, 255, 1, 128], dtype="u1"),
    "ours_i2": np.array([-32768, 32767], dtype="<i2"),
    "ours_u2": np.array([0, 65535], dtype="<u2"),
    "ours_i4": np.array([[[-2**31, 2**31 - 1], [0, -7]]], dtype="<i4"),
    "ours_u4": np.array([0, 2**32 - 1], dtype="<u4"),
    "ours_i8": np.array([-2**63, 2**63 - 1], dtype="<i8"),
    "ours_u8": np.array([0, 2**64 - 1], dtype="<u8"),
    "ours_b1": np.array([True, False, True]),
    "ours_scalar": np.array(3.25),
    "ours_empty": np.zeros((0, 4)),
    "ours_chars": np.array(["h", "i"], dtype="<U1"),
}
print(f"numpy {np.__version__}")
ok = True
npz = np.load(os.path.join(HERE, "ours.npz"), allow_pickle=False)
for name, want in expected.items():
    for source, got in (("npy", np.load(os.path.join(HERE, name + ".npy"), allow_pickle=False)), ("npz", npz[name])):
        same = got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want) \
            and (got.dtype.kind != "f" or np.array_equal(np.signbit(got), np.signbit(want)))
        ok &= bool(same)
        print(f"{source} {name}: dtype {got.dtype.str} shape {got.shape} {'OK' if same else 'MISMATCH ' + repr(got)}")
print("ALL OK" if ok else "FAILED")
