#!/usr/bin/python3
"""Checks that SciPy reads the files our C# writer produced (ours/*.mat) as the variables in ours/intended.json.

Run: /usr/bin/python3 verify_ours.py     (exit code 0 and "N passed, 0 failed" when everything matches)
"""
import json
import os
import sys

import numpy as np
import scipy.io as sio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import describe  # noqa: E402  (same value encoding as the intended values)

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    spec = json.load(open(os.path.join(HERE, "ours", "intended.json")))
    passed = failed = 0
    for name in spec["files"]:
        path = os.path.join(HERE, "ours", name)
        data = sio.loadmat(path, mat_dtype=True, chars_as_strings=False, squeeze_me=False)
        whos = {n: c for n, _, c in sio.whosmat(path)}
        names = [k for k in data if not k.startswith("__")]
        if sorted(names) != sorted(spec["variables"]):
            print(f"FAIL {name}: variables {sorted(names)} != {sorted(spec['variables'])}")
            failed += 1
        for var, want in spec["variables"].items():
            if var not in data:
                continue
            got = describe(data[var])
            ok = got == want and whos[var] == want["class"]
            if ok and want["class"] not in ("char", "logical"):
                ok = data[var].dtype == np.dtype({"double": "float64", "single": "float32"}.get(want["class"], want["class"]))
            print(f"{'ok  ' if ok else 'FAIL'} {name} {var}: {whos[var]} {list(data[var].shape)}")
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"     got  {got}\n     want {want}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
