#!/usr/bin/env python3
"""Reference runs for Backprop's full-batch minimizers (ConjugateGradient = fmincg port, Lbfgs).

* fmincg: a line-by-line NumPy port of Carl Edward Rasmussen's fmincg.m (the version shipped with the Coursera
  Machine Learning exercises), keeping its `while 1` structure and its `i = i + (length<0)` counters, run on
  Rosenbrock (2-D, 10-D) and on a regularized logistic-regression cost with fixed data. Every accepted iterate
  is stored, with fX and i as fmincg returns them.
* scipy.optimize.minimize(method='CG') and (method='L-BFGS-B', no bounds) on the same objectives, for the
  minimum and the iteration counts.
Run with Debian's python3-numpy/-scipy:  /usr/bin/python3 make_minimizer_fixtures.py  -> minimizers.json
"""
import json
import math
import os

import numpy as np
import scipy
import scipy.optimize

HERE = os.path.dirname(os.path.abspath(__file__))
REALMIN = np.finfo(np.float64).tiny  # MATLAB realmin


def fmincg(f, X, length=100, red=1.0):
    """[X, fX, i] = fmincg(f, X, options) with options.MaxIter = length; red as length(2) in the original.

    Returns X, fX, i, the accepted iterates, the number of function evaluations and how it stopped.
    MATLAB's sqrt of a negative number is complex; NumPy gives NaN (warning silenced). In the
    extrapolation branch `~isreal(z2) || isnan(z2)` treats both alike; in the interpolation branch a complex
    z2 would be clamped by MATLAB's modulus-based min/max, here NaN bisects (the C# port does the same).
    """
    RHO = 0.01
    SIG = 0.5
    INT = 0.1
    EXT = 3.0
    MAX = 20
    RATIO = 100

    X = np.array(X, dtype=np.float64)
    evals = 0

    def feval(x):
        nonlocal evals
        evals += 1
        v, g = f(x)
        return float(v), np.array(g, dtype=np.float64)

    i = 0
    ls_failed = 0
    fX = []
    iterates = []
    f1, df1 = feval(X)
    i = i + (length < 0)
    s = -df1
    d1 = -s @ s
    z1 = red / (1 - d1)
    how = "length"

    while i < abs(length):
        i = i + (length > 0)

        X0 = X.copy(); f0 = f1; df0 = df1.copy()
        X = X + z1 * s
        f2, df2 = feval(X)
        i = i + (length < 0)
        d2 = df2 @ s
        f3 = f1; d3 = d1; z3 = -z1
        if length > 0:
            M = MAX
        else:
            M = min(MAX, -length - i)
        success = 0; limit = -1
        while True:
            while ((f2 > f1 + z1 * RHO * d1) or (d2 > -SIG * d1)) and (M > 0):
                limit = z1
                if f2 > f1:
                    z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)
                else:
                    A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
                    B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
                    z2 = (np.sqrt(B * B - A * d2 * z3 * z3) - B) / A
                if np.isnan(z2) or np.isinf(z2):
                    z2 = z3 / 2
                z2 = max(min(z2, INT * z3), (1 - INT) * z3)
                z1 = z1 + z2
                X = X + z2 * s
                f2, df2 = feval(X)
                M = M - 1; i = i + (length < 0)
                d2 = df2 @ s
                z3 = z3 - z2
            if f2 > f1 + z1 * RHO * d1 or d2 > -SIG * d1:
                break
            elif d2 > SIG * d1:
                success = 1; break
            elif M == 0:
                break
            A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
            B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
            z2 = -d2 * z3 * z3 / (B + np.sqrt(B * B - A * d2 * z3 * z3))
            if np.isnan(z2) or np.isinf(z2) or z2 < 0:
                if limit < -0.5:
                    z2 = z1 * (EXT - 1)
                else:
                    z2 = (limit - z1) / 2
            elif (limit > -0.5) and (z2 + z1 > limit):
                z2 = (limit - z1) / 2
            elif (limit < -0.5) and (z2 + z1 > z1 * EXT):
                z2 = z1 * (EXT - 1.0)
            elif z2 < -z3 * INT:
                z2 = -z3 * INT
            elif (limit > -0.5) and (z2 < (limit - z1) * (1.0 - INT)):
                z2 = (limit - z1) * (1.0 - INT)
            f3 = f2; d3 = d2; z3 = -z2
            z1 = z1 + z2; X = X + z2 * s
            f2, df2 = feval(X)
            M = M - 1; i = i + (length < 0)
            d2 = df2 @ s

        if success:
            f1 = f2; fX.append(f1)
            iterates.append(X.tolist())
            s = (df2 @ df2 - df1 @ df2) / (df1 @ df1) * s - df2
            tmp = df1; df1 = df2; df2 = tmp
            d2 = df1 @ s
            if d2 > 0:
                s = -df1
                d2 = -s @ s
            z1 = z1 * min(RATIO, d1 / (d2 - REALMIN))
            d1 = d2
            ls_failed = 0
        else:
            X = X0; f1 = f0; df1 = df0
            if ls_failed or i > abs(length):
                how = "failed twice" if ls_failed else "length"
                break
            tmp = df1; df1 = df2; df2 = tmp
            s = -df1
            d1 = -s @ s
            z1 = 1 / (1 - d1)
            ls_failed = 1
    return X, fX, i, iterates, evals, how


# ---------------------------------------------------------------- objectives


def rosen(x):
    x = np.asarray(x, dtype=np.float64)
    return scipy.optimize.rosen(x), scipy.optimize.rosen_der(x)


def make_logistic():
    rng = np.random.default_rng(12345)
    m, n = 120, 4
    Xd = rng.normal(size=(m, n)) * np.array([1.0, 2.0, 0.5, 3.0])
    w_true = np.array([0.5, -1.0, 2.0, 0.3, -0.7])
    Xb = np.hstack([np.ones((m, 1)), Xd])
    p = 1 / (1 + np.exp(-(Xb @ w_true)))
    y = (rng.random(m) < p).astype(np.float64)
    lam = 1.0

    # exp and log go through the C library (math.exp/math.log) rather than NumPy's own SIMD kernels, whose last
    # bit differs on AVX-512 machines; .NET's Math.Exp/Math.Log call the same C library on Linux.
    vexp = np.vectorize(math.exp, otypes=[np.float64])
    vlog = np.vectorize(math.log, otypes=[np.float64])

    def cost(theta):
        theta = np.asarray(theta, dtype=np.float64)
        z = Xb @ theta
        h = 1 / (1 + vexp(-z))
        J = (1 / m) * np.sum(-y * vlog(h) - (1 - y) * vlog(1 - h)) + lam / (2 * m) * np.sum(theta[1:] ** 2)
        grad = (1 / m) * (Xb.T @ (h - y))
        grad[1:] += (lam / m) * theta[1:]
        return J, grad

    return cost, {"X": Xd.tolist(), "y": y.tolist(), "lambda": lam}


def main():
    logistic, logistic_data = make_logistic()
    objectives = {
        "rosenbrock2": (rosen, [-1.2, 1.0]),
        "rosenbrock10": (rosen, [-1.2 if k % 2 == 0 else 1.0 for k in range(10)]),
        "logistic": (logistic, [0.0] * 5),
        "rosenbrock2-at-minimum": (rosen, [1.0, 1.0]),
    }
    fmincg_runs = []
    for name, length, red in (
        ("rosenbrock2", 100, 1.0),
        ("rosenbrock2", 15, 1.0),
        ("rosenbrock2", -100, 1.0),
        ("rosenbrock2", 100, 2.0),
        ("rosenbrock10", 200, 1.0),
        ("rosenbrock10", -300, 1.0),
        ("logistic", 50, 1.0),
        ("logistic", -40, 1.0),
        ("logistic", 400, 1.0),
        ("rosenbrock2-at-minimum", 10, 1.0),
    ):
        f, x0 = objectives[name]
        with np.errstate(invalid="ignore", divide="ignore"):
            X, fX, i, iterates, evals, how = fmincg(f, x0, length, red)
        fmincg_runs.append({"objective": name, "x0": list(map(float, x0)), "length": length, "red": red,
                            "X": X.tolist(), "fX": fX, "i": int(i), "iterates": iterates,
                            "evaluations": evals, "stop": how})
        print(f"fmincg {name:24s} length={length:5d} red={red}: i={i} evals={evals} iters={len(fX)} f={f(X)[0]:.6e} ({how})")

    scipy_runs = []
    for name in ("rosenbrock2", "rosenbrock10", "logistic"):
        f, x0 = objectives[name]
        for method, options in (
            ("CG", {"gtol": 1e-8, "maxiter": 10000}),
            ("L-BFGS-B", {"maxiter": 15000}),  # defaults: m=10, ftol=2.22e-9, gtol=1e-5
            ("L-BFGS-B", {"maxiter": 15000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 10}),
        ):
            r = scipy.optimize.minimize(f, np.array(x0, dtype=np.float64), jac=True, method=method, options=options)
            scipy_runs.append({"objective": name, "method": method, "options": options, "x": r.x.tolist(),
                               "fun": float(r.fun), "nit": int(r.nit), "nfev": int(r.nfev), "success": bool(r.success),
                               "message": str(r.message)})
            print(f"scipy {method:8s} {name:14s} {options}: nit={r.nit} nfev={r.nfev} fun={r.fun:.6e} {r.message}")

    with open(os.path.join(HERE, "minimizers.json"), "w") as fh:
        json.dump({"source": f"numpy {np.__version__}, scipy {scipy.__version__}", "logistic": logistic_data,
                   "fmincg": fmincg_runs, "scipy": scipy_runs}, fh)


if __name__ == "__main__":
    main()
