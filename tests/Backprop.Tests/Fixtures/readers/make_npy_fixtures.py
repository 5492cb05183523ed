#!/usr/bin/env python3
"""Generates the .npy/.npz reader fixtures and npy_expected.json with NumPy.

Run from this folder:  /usr/bin/python3 make_npy_fixtures.py
Every value in npy_expected.json is written as text by Python (integers exactly, floats by repr of
their float64 value), so the C# tests compare against NumPy, never against our own code.
"""
import json
import os
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "npy")
os.makedirs(OUT, exist_ok=True)
expected = {}


def text(v, kind):
    if kind == "b":
        return "1" if bool(v) else "0"
    if kind in "iu":
        return str(int(v))
    if kind == "U":
        return str(v)
    f = float(v)
    if f != f:
        return "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def record(name, arr, **extra):
    a = np.asarray(arr)
    flat = a.reshape(-1, order="C")
    expected[name] = dict(
        shape=list(a.shape),
        dtype=a.dtype.str,
        values=[text(v, a.dtype.kind) for v in flat],
        **extra,
    )


def save(name, arr, version=None, **extra):
    path = os.path.join(OUT, name + ".npy")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)
    record(name, arr, **extra)


def values_for(dt):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return np.array([True, False, True, True, False, False, True, False, False, False, True, True])
    if dt.kind in "iu":
        info = np.iinfo(dt)
        base = [info.min, info.max, 0, 1, info.max - 1, 2, 3, 5, 7, 11, 13, info.min + 1]
        if dt.kind == "i":
            base[3] = -1
        return np.array(base, dtype=dt)
    if dt.kind == "f":
        info = np.finfo(dt)
        return np.array([0.1, -2.5, info.max, info.tiny, -0.0, np.inf, -np.inf, np.nan, 1 / 3, 1e-3, 42, -7.75], dtype=dt)
    raise ValueError(dt)


# Every dtype, every byte order, shape (3, 4), C order.
for code in ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
    orders = ["|"] if code[1] == "1" else ["<", ">"]
    for order in orders:
        dt = np.dtype(order + code)
        a = values_for(dt).astype(dt).reshape(3, 4)
        tag = {"<": "le", ">": "be", "|": "na"}[order]
        save(f"{code}_{tag}", a)

# Fortran order (2-D and 3-D, both byte orders).
save("f8_fortran_2d", np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4) * 1.5))
save("i4_be_fortran_3d", np.asfortranarray((np.arange(24).reshape(2, 3, 4) - 10).astype(">i4")))
save("u1_fortran_2d", np.asfortranarray(np.arange(6, dtype="u1").reshape(2, 3)))

# Header versions.
save("f8_v1", np.linspace(0, 1, 5), version=(1, 0))
save("f8_v2", np.linspace(0, 1, 5), version=(2, 0))
save("i2_v3", np.arange(7, dtype="<i2") * -3, version=(3, 0))

# Shapes.
save("scalar_0d", np.array(3.25))
save("empty_0x3", np.zeros((0, 3), dtype="<f4"))
save("vector_1d", np.arange(10, dtype="<i8") ** 3)
save("cube_3d", np.arange(2 * 3 * 4, dtype="<f8").reshape(2, 3, 4) / 8)
save("chars_u1", np.array(list("hello"), dtype="<U1"))

# Unsupported types (the reader must say so clearly).
with open(os.path.join(OUT, "complex128.npy"), "wb") as f:
    np.lib.format.write_array(f, np.array([1 + 2j, 3 - 4j]))
with open(os.path.join(OUT, "object.npy"), "wb") as f:
    np.lib.format.write_array(f, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
with open(os.path.join(OUT, "structured.npy"), "wb") as f:
    np.lib.format.write_array(f, np.zeros(3, dtype=[("x", "<f8"), ("y", "<i4")]))

# .npz, stored and deflated.
members = dict(
    X=np.arange(20, dtype="<f8").reshape(5, 4) / 4,
    y=np.array([0, 1, 2, 1, 0], dtype="<i8"),
    mask=np.array([True, False, True]),
    pixels=np.arange(12, dtype="u1").reshape(2, 2, 3),
)
np.savez(os.path.join(OUT, "stored.npz"), **members)
np.savez_compressed(os.path.join(OUT, "compressed.npz"), **members)
for k, v in members.items():
    record("npz:" + k, v)
np.savez_compressed(os.path.join(OUT, "with_complex.npz"), X=np.ones((2, 2)), z=np.array([1j]))
with zipfile.ZipFile(os.path.join(OUT, "with_readme.npz"), "w") as z:
    with z.open("a.npy", "w") as f:
        np.lib.format.write_array(f, np.array([1.0, 2.0]))
    z.writestr("README.txt", "not an array")

with open(os.path.join(HERE, "npy_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print(f"numpy {np.__version__}: wrote {len(expected)} expectations")
