#!/usr/bin/env python3
"""Reference runs for Backprop's TruncatedNewton: scipy.optimize.minimize(method='TNC') without bounds.

The objectives (Rosenbrock, the regularized logistic regression with fixed data) are those of
make_minimizer_fixtures.py. For each run: the minimizer x, f, TNC's status and iteration count, and the number of
function evaluations TNC itself made (tnc.c's nfeval, read from the private scipy.optimize._moduleTNC that
`minimize` calls, because the public nfev adds the re-evaluation at the end when x is not the last point
evaluated), plus every iterate passed to the callback.
Run with Debian's python3-numpy/-scipy:  /usr/bin/python3 make_tnc_fixtures.py  -> tnc.json
"""
import json
import os

import numpy as np
import scipy
import scipy.optimize

from make_minimizer_fixtures import make_logistic, rosen

HERE = os.path.dirname(os.path.abspath(__file__))


def run(f, x0, options):
    iterates = []
    x0 = np.array(x0, dtype=np.float64)
    r = scipy.optimize.minimize(f, x0, jac=True, method="TNC", options=options,
                                callback=lambda xk: iterates.append(np.array(xk).tolist()))
    # The same call as _minimize_tnc's (no bounds, SciPy's defaults for everything not in options), for tnc.c's count.
    from scipy.optimize import _moduleTNC
    n = len(x0)
    inf = np.full(n, np.inf)
    rc, nf, nit, x, _, _ = _moduleTNC.tnc_minimize(
        lambda x: f(x), x0.copy(), -inf, inf, np.array([]), np.array([]), 0, -1,
        int(options.get("maxfun", max(100, 10 * n))), -1, 0, 0, 0, options.get("ftol", -1), options.get("xtol", -1),
        options.get("gtol", -1), -1, None)
    assert np.array_equal(x, r.x) and nit == r.nit and rc == r.status, (x, r.x, nit, r.nit, rc, r.status)
    return r, int(nf), iterates


def main():
    logistic, logistic_data = make_logistic()
    runs = []
    for name, f, x0, options in (
        ("rosenbrock2", rosen, [-1.2, 1.0], {}),                       # SciPy's defaults: maxfun = max(100, 10·n)
        ("rosenbrock2", rosen, [-1.2, 1.0], {"maxfun": 30}),                  # cut short by the evaluation budget
        ("rosenbrock5", rosen, [-1.2, 1.0, -1.2, 1.0, -1.2], {"maxfun": 250}),
        ("rosenbrock10", rosen, [-1.2 if k % 2 == 0 else 1.0 for k in range(10)], {"maxfun": 250}),
        ("rosenbrock10", rosen, [-1.2 if k % 2 == 0 else 1.0 for k in range(10)], {"maxfun": 40}),
        ("logistic", logistic, [0.0] * 5, {}),
        ("logistic", logistic, [0.0] * 5, {"maxfun": 250, "gtol": 1e-9}),
    ):
        r, nfev, iterates = run(f, x0, options)
        runs.append({"objective": name, "x0": list(map(float, x0)), "options": options, "x": r.x.tolist(),
                     "fun": float(r.fun), "nit": int(r.nit), "nfev": nfev, "status": int(r.status),
                     "success": bool(r.success), "message": str(r.message), "iterates": iterates})
        print(f"TNC {name:13s} {str(options):60s}: nit={r.nit:3d} nfev={nfev:4d} fun={r.fun:.10e} status={r.status} {r.message}")

    with open(os.path.join(HERE, "tnc.json"), "w") as fh:
        json.dump({"source": f"numpy {np.__version__}, scipy {scipy.__version__}", "logistic": logistic_data,
                   "runs": runs}, fh)


if __name__ == "__main__":
    main()
