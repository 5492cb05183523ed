#!/usr/bin/env python3
"""Generates the CSV reader fixtures and csv_expected.json with NumPy (np.savetxt to write, np.loadtxt /
np.genfromtxt to read the expected values back).  Run from this folder: /usr/bin/python3 make_csv_fixtures.py
"""
import gzip
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "csv")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)
expected = {}


def floats(a):
    return [repr(float(v)) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def path(name):
    return os.path.join(OUT, name)


# 1. Comma, header, integer labels 0..2 in the last column.
X = np.round(rng.normal(size=(6, 3)), 6)
y = np.array([0, 1, 2, 2, 1, 0])
np.savetxt(path("header_comma.csv"), np.column_stack([X, y]), delimiter=",", header="x1,x2,x3,label", comments="", fmt="%.17g")
back = np.loadtxt(path("header_comma.csv"), delimiter=",", skiprows=1)
expected["header_comma"] = dict(shape=list(back.shape), values=floats(back), header=True)

# 2. Semicolon, no header, labels 1..3 in the FIRST column (mapped 1->0, 2->1, 3->2, names "1","2","3").
X2 = np.round(rng.uniform(-5, 5, size=(5, 2)), 4)
y2 = np.array([1, 3, 2, 3, 1])
np.savetxt(path("labels_first_semicolon.csv"), np.column_stack([y2, X2]), delimiter=";", fmt="%.17g")
back = np.loadtxt(path("labels_first_semicolon.csv"), delimiter=";")
expected["labels_first_semicolon"] = dict(shape=list(back.shape), values=floats(back), header=False)

# 3. Tab separated, header, label column named "class" in the middle.
X3 = np.arange(12, dtype=float).reshape(4, 3) / 7
with open(path("tab_named.tsv"), "w") as f:
    f.write("a\tclass\tb\tc\n")
    for row, label in zip(X3, [5, 7, 5, 9]):
        f.write(f"{row[0]!r}\t{label}\t{row[1]!r}\t{row[2]!r}\n")
back = np.genfromtxt(path("tab_named.tsv"), delimiter="\t", skip_header=1)
expected["tab_named"] = dict(shape=list(back.shape), values=floats(back), header=True)

# 4. Whitespace separated, comments and blank lines, no header.
X4 = np.array([[1.5, -2, 3e-5], [4, 5.25, -6e10], [7, 8, 9]])
with open(path("whitespace.txt"), "w") as f:
    f.write("# a comment line\n")
    for i, row in enumerate(X4):
        f.write("  " + "   ".join(repr(float(v)) for v in row) + "\n")
        if i == 0:
            f.write("\n")
back = np.loadtxt(path("whitespace.txt"))
expected["whitespace"] = dict(shape=list(back.shape), values=floats(back), header=False)

# 5. gzip of case 1.
with open(path("header_comma.csv"), "rb") as src, gzip.open(path("header_comma.csv.gz"), "wb") as dst:
    dst.write(src.read())

# 6. Text labels (iris-like), no header.
with open(path("text_labels.csv"), "w") as f:
    for row, name in zip(np.round(rng.uniform(0, 8, size=(6, 2)), 2), ["versicolor", "setosa", "virginica", "setosa", "versicolor", "setosa"]):
        f.write(f"{row[0]!r},{row[1]!r},{name}\n")
back = np.genfromtxt(path("text_labels.csv"), delimiter=",", usecols=(0, 1))
expected["text_labels"] = dict(shape=list(back.shape), values=floats(back), header=False)

# 7. Damaged files.
with open(path("bad_cell.csv"), "w") as f:
    f.write("x1,x2,x3,y\n")
    for i in range(10):
        f.write(f"{i},{i * 2},{i * 3},0\n")
    f.write("10,20,abc,1\n")  # line 12, column 3 ('x3')
with open(path("ragged.csv"), "w") as f:
    f.write("1,2,3\n4,5,6\n7,8\n")
with open(path("empty_cell.csv"), "w") as f:
    f.write("1,2,3\n4,,6\n")

with open(os.path.join(HERE, "csv_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print(f"numpy {np.__version__}: wrote {len(expected)} expectations")
