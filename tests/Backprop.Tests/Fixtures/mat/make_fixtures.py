#!/usr/bin/python3
"""Writes the MAT reader/writer fixtures with SciPy, the reference implementation.

Run from anywhere with /usr/bin/python3 (numpy + scipy):  /usr/bin/python3 make_fixtures.py

Outputs (all committed):
  scipy/scipy_v5_compressed.mat    scipy.io.savemat(do_compression=True)
  scipy/scipy_v5_uncompressed.mat  scipy.io.savemat(do_compression=False)
  scipy/scipy_v5_bigendian.mat     the uncompressed file with every element byte-swapped ('MI' byte order)
  scipy/expected.json              what scipy.io.loadmat reads from each file (mat_dtype=True, chars_as_strings=False)
  corpus/classes.json              scipy.io.whosmat for every corpus file (MATLAB class of every variable)
  ours/intended.json               the variables the C# writer test writes to ours/*.mat (checked by verify_ours.py)

Values in the JSON files are strings: repr of the float64 value (or 'NaN', 'Infinity', '-Infinity'),
decimal integers, '1'/'0' for logical, the character itself for char. Order: C (row-major) for the shape.
"""
import json
import math
import os
import struct

import numpy as np
import scipy
import scipy.io as sio
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
INT_TYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]


def value_text(x, kind):
    if kind == "f":
        x = float(x)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return repr(x)
    if kind == "b":
        return "1" if x else "0"
    if kind == "U":
        return str(x)
    return str(int(x))


def describe(a, note=None):
    """class, shape and C-order values of an array as SciPy loaded it (mat_dtype=True)."""
    sparse_note = sp.issparse(a)
    if sparse_note:
        note = "sparse;complex" if note == "complex" else "sparse"
        a = a.toarray()
    if np.iscomplexobj(a):
        note = (note + ";complex") if note else "complex"
        a = a.real
    elif note == "complex" and sparse_note:
        note = "sparse;complex"
    a = np.asarray(a)
    kind = a.dtype.kind
    if kind == "b":
        cls = "logical"
    elif kind == "U":
        cls = "char"
    elif kind == "f":
        cls = {"float64": "double", "float32": "single"}[a.dtype.name]
    else:
        cls = a.dtype.name
    d = {"class": cls, "shape": list(a.shape), "values": [value_text(x, kind) for x in a.ravel(order="C")]}
    if note:
        d["note"] = note
    return d


def scipy_variables():
    """Every class, several shapes, complex, sparse, char, logical, plus a struct and a cell to be skipped."""
    v = {}
    for t in INT_TYPES:
        info = np.iinfo(t)
        vals = [info.min, info.max, 0, 1, 2, 3, info.max - 1, info.min + 1, 7, 42, 100 % (info.max + 1), 5]
        v["i_" + t] = np.array(vals, dtype=t).reshape(3, 4)
    v["f_double"] = np.array([[0.1, -2.5, 1e-300, 1.7976931348623157e308],
                              [np.nan, np.inf, -np.inf, -0.0],
                              [5e-324, math.pi, -1.0, 12345.678]])
    v["f_single"] = np.array([[0.1, -2.5, 1e-38, 3.4028235e38], [np.nan, np.inf, -np.inf, -0.0]], dtype=np.float32)
    v["b_logical"] = np.array([[True, False, True], [False, False, True]])
    v["e_0x0"] = np.zeros((0, 0))
    v["e_0x3"] = np.zeros((0, 3))
    v["e_int16_3x0"] = np.zeros((3, 0), dtype=np.int16)
    v["s_1x1"] = np.array([[7.5]])
    v["r_1x5"] = np.arange(1, 6, dtype=np.float64).reshape(1, 5) / 4
    v["c_5x1"] = (np.arange(5, dtype=np.float64).reshape(5, 1) - 2) * 1.5
    v["m_2d"] = np.arange(12, dtype=np.float64).reshape(3, 4) * 10 + 0.5
    v["m_3d"] = np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 11
    v["m_4d_int16"] = (np.arange(24, dtype=np.int16).reshape(2, 3, 2, 2) * 37 - 400).astype(np.int16)
    v["m_3d_uint8"] = (np.arange(60, dtype=np.uint8).reshape(3, 4, 5) * 4).astype(np.uint8)
    v["z_complex"] = np.array([[1 + 2j, 3 - 4j, -5.5 + 0j]])
    v["z_complex_single"] = np.array([[1 + 2j], [-0.25 + 1j]], dtype=np.complex64)
    v["sp_double"] = sp.csc_matrix(np.array([[0, 1.5, 0, 0, 2], [0, 0, 0, 0, 0], [-3, 0, 0, 4.25, 0], [0, 0, 9, 0, 0]]))
    v["sp_logical"] = sp.csc_matrix(np.array([[True, False], [False, False], [False, True]]))
    v["sp_empty"] = sp.csc_matrix((3, 2))
    v["ch_rows"] = np.array(["hello", "world"])
    v["ch_unicode"] = "h\u00e9llo \u20ac\u03a9"
    v["ch_empty"] = ""
    v["st_struct"] = {"a": np.array([[1.0, 2.0]]), "b": "text"}
    v["ce_cell"] = np.array([np.array([[1.0]]), "x"], dtype=object)
    return v


def swap_element(buf, off, end_limit):
    """Byte-swaps one little-endian data element at off in place; returns the offset after it (padded)."""
    word = struct.unpack_from("<I", buf, off)[0]
    if word >> 16:  # small data element: 2-byte size, 2-byte type, then <= 4 bytes of data
        size, typ = word >> 16, word & 0xFFFF
        struct.pack_into(">I", buf, off, word)
        swap_data(buf, off + 4, size, typ)
        return off + 8
    size = struct.unpack_from("<I", buf, off + 4)[0]
    struct.pack_into(">II", buf, off, word, size)
    start = off + 8
    if word == 14:  # miMATRIX: sub-elements
        p = start
        while p < start + size:
            p = swap_element(buf, p, start + size)
    else:
        swap_data(buf, start, size, word)
    return start + size + ((8 - size % 8) % 8)


def swap_data(buf, off, size, typ):
    width = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}[typ]
    if width == 1:
        return
    for p in range(off, off + size, width):
        buf[p:p + width] = buf[p:p + width][::-1]


def byte_swap_file(src, dst):
    buf = bytearray(open(src, "rb").read())
    assert buf[126:128] == b"IM"
    buf[124:126] = buf[124:126][::-1]
    buf[126:128] = b"MI"
    p = 128
    while p < len(buf):
        p = swap_element(buf, p, len(buf))
    open(dst, "wb").write(bytes(buf))


def loaded_description(path):
    """What SciPy reads from a file: variables (as described) and the names/classes of skipped ones."""
    data = sio.loadmat(path, mat_dtype=True, chars_as_strings=False, squeeze_me=False)
    # mat_dtype=True casts complex data to the real class (dropping the imaginary part, as our reader does);
    # the default load tells which variables were complex.
    raw = sio.loadmat(path, chars_as_strings=False, squeeze_me=False)
    classes = {name: cls for name, _, cls in sio.whosmat(path)}
    out = {"variables": {}, "skipped": {}}
    for name, value in data.items():
        if name.startswith("__"):
            continue
        if classes[name] in ("struct", "cell", "object", "function", "opaque"):
            out["skipped"][name] = classes[name]
            continue
        complex_note = "complex" if np.iscomplexobj(raw[name].toarray() if sp.issparse(raw[name]) else raw[name]) else None
        desc = describe(value, complex_note)
        if classes[name] == "logical" and desc["class"] != "logical":
            # loadmat gives sparse logical arrays as uint8 even with mat_dtype=True; whosmat gives the MATLAB class.
            desc["class"] = "logical"
            desc["values"] = ["0" if x == "0" else "1" for x in desc["values"]]
        out["variables"][name] = desc
        if classes[name] == "sparse":
            assert out["variables"][name].get("note", "").startswith("sparse")
    return out


def make_scipy_fixtures():
    v = scipy_variables()
    d = os.path.join(HERE, "scipy")
    os.makedirs(d, exist_ok=True)
    files = {
        "scipy_v5_compressed.mat": True,
        "scipy_v5_uncompressed.mat": False,
    }
    for name, compress in files.items():
        sio.savemat(os.path.join(d, name), v, do_compression=compress, oned_as="row")
    byte_swap_file(os.path.join(d, "scipy_v5_uncompressed.mat"), os.path.join(d, "scipy_v5_bigendian.mat"))
    expected = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".mat"):
            expected[name] = loaded_description(os.path.join(d, name))
    # The byte-swapped file must read exactly like the original.
    assert expected["scipy_v5_bigendian.mat"] == expected["scipy_v5_uncompressed.mat"]
    assert expected["scipy_v5_compressed.mat"] == expected["scipy_v5_uncompressed.mat"]
    # And SciPy must give back what was saved (sanity check of the reference itself).
    for key, arr in v.items():
        if isinstance(arr, dict) or (isinstance(arr, np.ndarray) and arr.dtype == object):
            continue
        if isinstance(arr, np.ndarray) and arr.dtype.kind == "U":
            arr = np.array([list(s) for s in arr])
        want = describe(arr)
        got = expected["scipy_v5_uncompressed.mat"]["variables"][key]
        if isinstance(arr, str):
            want = {"class": "char", "shape": [1 if arr else 0, len(arr)], "values": list(arr)}
        assert got["values"] == want["values"], key
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"generator": f"scipy {scipy.__version__}, numpy {np.__version__}", "files": expected}, f, indent=1)


def make_corpus_classes():
    d = os.path.join(HERE, "corpus")
    out = {}
    for root, _, names in os.walk(d):
        for n in sorted(names):
            if not n.endswith(".mat"):
                continue
            path = os.path.join(root, n)
            rel = os.path.relpath(path, d)
            try:
                out[rel] = {name: {"class": cls, "shape": list(shape)} for name, shape, cls in sio.whosmat(path)}
            except Exception as e:  # the truncated file
                out[rel] = {"error": f"{type(e).__name__}: {e}"}
    with open(os.path.join(d, "classes.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


def intended_variables():
    """What the C# writer test writes to ours/*.mat (values generated here, independently of the C# code)."""
    v = {}
    for t in INT_TYPES:
        info = np.iinfo(t)
        v["w_" + t] = np.array([[info.min, 0, info.max], [1, info.max - 1, info.min + 1]], dtype=t)
    v["w_double"] = np.array([[1.5, -0.0, np.nan], [np.inf, -np.inf, 5e-324], [1e308, -1e-308, 0.1]])
    v["w_single"] = np.array([[0.1, -2.5], [np.nan, 3.4028235e38]], dtype=np.float32)
    v["w_logical"] = np.array([[True, False, False], [False, True, True]])
    v["w_char"] = np.array([list("abc\u00e9"), list("xyz\u20ac")])
    v["w_0x0"] = np.zeros((0, 0))
    v["w_0x3"] = np.zeros((0, 3))
    v["w_int32_2x0"] = np.zeros((2, 0), dtype=np.int32)
    v["w_1x1"] = np.array([[42.25]])
    v["w_row"] = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    v["w_col"] = np.array([[1.0], [-2.0], [3.0]])
    v["w_3d"] = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5 - 3
    v["w_4d"] = (np.arange(48, dtype=np.int16).reshape(2, 3, 4, 2) * 13 - 300).astype(np.int16)
    v["w_5d_uint8"] = np.arange(32, dtype=np.uint8).reshape(2, 2, 2, 2, 2)
    out = {name: describe(a) for name, a in v.items()}
    d = os.path.join(HERE, "ours")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "intended.json"), "w") as f:
        json.dump({"files": ["ours_compressed.mat", "ours_uncompressed.mat"], "variables": out}, f, indent=1)


if __name__ == "__main__":
    make_scipy_fixtures()
    make_corpus_classes()
    intended_variables()
    print("fixtures written")
