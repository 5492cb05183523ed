#!/usr/bin/env python3
"""Reference trajectories for Backprop's step optimizers and learning-rate schedules.

Everything here is computed by scikit-learn's own classes (sklearn.neural_network._stochastic_optimizers:
SGDOptimizer, AdamOptimizer), by the epoch-end logic of sklearn's BaseMultilayerPerceptron
(_update_no_improvement_count, called unbound on a stand-in object) and by torch.optim (SGD, Adam).
Run with Debian's python3-numpy/-scipy/-sklearn/-torch:  /usr/bin/python3 make_step_fixtures.py
Writes steps.json and schedules.json next to this file. Floats are written with repr (round-trip exact).
"""
import json
import os

import numpy as np
import sklearn
import torch
from sklearn.neural_network._multilayer_perceptron import BaseMultilayerPerceptron
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- gradients
# The C# tests evaluate the same formulas with the same operation order, so float64 runs are bit-comparable.


def grad_quadratic(p, a, b):
    # f = sum(0.5*a*p^2 + b*p)
    return a * p + b


def grad_rosenbrock2(p):
    # f = 100*(y - x^2)^2 + (1 - x)^2
    # Constants are cast to p's dtype: NumPy evaluates python-int * float32-scalar in float64.
    c = p.dtype.type
    x, y = p[0], p[1]
    g = np.empty_like(p)
    g[0] = c(-400) * x * (y - x * x) - c(2) * (c(1) - x)
    g[1] = c(200) * (y - x * x)
    return g


def make_optimizer(kind, params, lr):
    name = kind["name"]
    if name == "gd":
        return SGDOptimizer(params, learning_rate_init=lr, momentum=0.0, nesterov=False)
    if name == "momentum":
        return SGDOptimizer(params, learning_rate_init=lr, momentum=kind["momentum"], nesterov=kind["nesterov"])
    if name == "adam":
        return AdamOptimizer(params, learning_rate_init=lr, beta_1=kind["beta1"], beta_2=kind["beta2"], epsilon=kind["epsilon"])
    raise ValueError(name)


def set_rate(opt, lr):
    # SGDOptimizer uses .learning_rate; AdamOptimizer recomputes .learning_rate from .learning_rate_init each step.
    if isinstance(opt, AdamOptimizer):
        opt.learning_rate_init = lr
    else:
        opt.learning_rate = float(lr)


def run_sklearn(kind, dtype, p0, grad_fn, rates):
    p = np.array(p0, dtype=dtype)
    opt = make_optimizer(kind, [p], rates[0])
    traj = []
    for k, lr in enumerate(rates):
        g = np.asarray(grad_fn(p, k), dtype=dtype)
        assert g.dtype == dtype
        set_rate(opt, lr)
        opt.update_params([p], [g])
        assert p.dtype == dtype
        traj.append([float(v) for v in p])
    return traj


def run_torch(kind, p0, grad_fn, lr, steps):
    """torch.optim with a constant rate, float64. Momentum: SGD(dampening=0). Adam: only with epsilon=0."""
    p = torch.tensor(np.array(p0, dtype=np.float64), dtype=torch.float64, requires_grad=True)
    if kind["name"] == "gd":
        opt = torch.optim.SGD([p], lr=lr)
    elif kind["name"] == "momentum":
        opt = torch.optim.SGD([p], lr=lr, momentum=kind["momentum"], nesterov=kind["nesterov"], dampening=0)
    else:
        opt = torch.optim.Adam([p], lr=lr, betas=(kind["beta1"], kind["beta2"]), eps=kind["epsilon"])
    traj = []
    for k in range(steps):
        g = grad_fn(p.detach().numpy().copy(), k)
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
        traj.append([float(v) for v in p.detach().numpy()])
    return traj


KINDS = [
    {"id": "gd", "name": "gd"},
    {"id": "momentum0.9", "name": "momentum", "momentum": 0.9, "nesterov": False},
    {"id": "momentum0.5", "name": "momentum", "momentum": 0.5, "nesterov": False},
    {"id": "nesterov0.9", "name": "momentum", "momentum": 0.9, "nesterov": True},
    {"id": "adam", "name": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    {"id": "adam-custom", "name": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6},
    {"id": "adam-eps0", "name": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 0.0},
]


def main():
    rng = np.random.default_rng(20240611)
    n_random, steps_random = 7, 25
    random_p0 = rng.normal(size=n_random)
    random_grads = rng.normal(size=(steps_random, n_random)) * np.array([1e-3, 1e-1, 1, 1, 3, 10, 0.5])
    random_rates = [0.1 / (1 + 0.1 * k) for k in range(steps_random)]

    quad_a = np.array([1.0, 2.0, 5.0, 10.0, 0.5])
    quad_b = rng.normal(size=5)
    quad_p0 = rng.normal(size=5)
    steps_quad = 60

    rosen_p0 = np.array([-1.2, 1.0])
    steps_rosen = 200

    problems = []
    for dtype, dname in ((np.float64, "float64"), (np.float32, "float32")):
        rg = random_grads.astype(dtype)
        qa, qb = quad_a.astype(dtype), quad_b.astype(dtype)
        defs = [
            ("random", random_p0, lambda p, k, rg=rg: rg[k], random_rates, None),
            ("quadratic", quad_p0, lambda p, k, qa=qa, qb=qb: grad_quadratic(p, qa, qb), None, {"a": quad_a.tolist(), "b": quad_b.tolist()}),
            ("rosenbrock2", rosen_p0, lambda p, k: grad_rosenbrock2(p), None, None),
        ]
        for pname, p0, gfn, rates, extra in defs:
            for kind in KINDS:
                if rates is None:
                    is_adam = kind["name"] == "adam"
                    if pname == "quadratic":
                        lr, steps = (0.05 if is_adam else 0.02), steps_quad
                    else:
                        lr, steps = (0.01 if is_adam else 1e-3), steps_rosen
                    rates_used = [lr] * steps
                else:
                    rates_used = rates
                entry = {
                    "problem": pname,
                    "dtype": dname,
                    "optimizer": kind,
                    "p0": [float(v) for v in np.asarray(p0, dtype=dtype)],
                    "rates": rates_used,
                    "trajectory": run_sklearn(kind, dtype, p0, gfn, rates_used),
                    "source": "sklearn " + sklearn.__version__,
                }
                if pname == "random":
                    entry["gradients"] = [[float(v) for v in row] for row in rg]
                if extra:
                    entry.update(extra)
                problems.append(entry)
                # torch.optim where its conventions agree with sklearn: constant rate; Adam only with epsilon = 0.
                agrees = kind["name"] != "adam" or kind["epsilon"] == 0.0
                if dname == "float64" and agrees and pname != "random":
                    t = dict(entry)
                    t["trajectory"] = run_torch(kind, p0, gfn, rates_used[0], len(rates_used))
                    t["source"] = "torch " + torch.__version__
                    problems.append(t)
                if dname == "float64" and agrees and pname == "random":
                    t = dict(entry)
                    t["rates"] = [0.05] * steps_random
                    t["trajectory"] = run_torch(kind, p0, gfn, 0.05, steps_random)
                    t["source"] = "torch " + torch.__version__
                    problems.append(t)
                    t2 = dict(entry)
                    t2["rates"] = [0.05] * steps_random
                    t2["trajectory"] = run_sklearn(kind, dtype, p0, gfn, t2["rates"])
                    problems.append(t2)

    with open(os.path.join(HERE, "steps.json"), "w") as f:
        json.dump({"problems": problems}, f)
    print("steps.json:", len(problems), "trajectories")

    write_schedules()


# ---------------------------------------------------------------- schedules


class _Stub:
    """Just the attributes BaseMultilayerPerceptron._update_no_improvement_count reads and writes."""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self._no_improvement_count = 0


def run_schedule(schedule, lr, power_t, tol, n_iter_no_change, costs, batch):
    """The epoch-end part of BaseMultilayerPerceptron._fit_stochastic, verbatim in order."""
    opt = SGDOptimizer([np.zeros(1)], learning_rate_init=lr, lr_schedule=schedule, power_t=power_t)
    stub = _Stub(tol, n_iter_no_change)
    t_ = 0
    rates, stopped_at, reason = [], None, None
    for epoch, cost in enumerate(costs):
        t_ += batch
        stub.loss_curve_.append(cost)
        BaseMultilayerPerceptron._update_no_improvement_count(stub, False, None, None)
        opt.iteration_ends(t_)
        if stub._no_improvement_count > n_iter_no_change:
            msg = "Training loss did not improve more than tol=%f for %d consecutive epochs." % (tol, n_iter_no_change)
            # trigger_stopping's verbose messages, reproduced so the C# StopReason can be compared
            if opt.lr_schedule != "adaptive":
                full = msg + " Stopping."
            elif opt.learning_rate <= 1e-6:
                full = msg + " Learning rate too small. Stopping."
            else:
                full = None
            if opt.trigger_stopping(msg, False):
                stopped_at, reason = epoch, full
                rates.append(opt.learning_rate)
                break
            stub._no_improvement_count = 0
        rates.append(opt.learning_rate)
    return {"rates": rates, "stoppedAtEpoch": stopped_at, "reason": reason}


def write_schedules():
    rng = np.random.default_rng(7)
    cases = []
    decreasing = [1.0 / (1 + e) for e in range(30)]
    plateau = [1.0, 0.9, 0.85, 0.84999, 0.85, 0.86, 0.84995, 0.8, 0.80005, 0.80001, 0.8, 0.8, 0.8] + [0.8] * 60
    noisy = list(0.5 + 0.01 * rng.standard_normal(200) + np.linspace(0.3, 0, 200))
    with_nan = [1.0, 0.5, float("nan"), 0.6, 0.6, 0.6, 0.6, 0.4]
    for name, costs in (("decreasing", decreasing), ("plateau", plateau), ("noisy", noisy), ("nan", with_nan)):
        for schedule, lr, power_t, tol, n in (
            ("constant", 0.1, 0.5, 1e-4, 10),
            ("constant", 0.1, 0.5, 1e-4, 2),
            ("invscaling", 0.1, 0.5, 1e-4, 10),
            ("invscaling", 0.3, 0.25, 1e-3, 3),
            ("adaptive", 0.1, 0.5, 1e-4, 2),
            ("adaptive", 1e-5, 0.5, 1e-4, 2),
            ("adaptive", 0.01, 0.5, 1e-2, 1),
        ):
            r = run_schedule(schedule, lr, power_t, tol, n, costs, batch=32)
            cases.append({"costs": name, "schedule": schedule, "lr": lr, "powerT": power_t, "tol": tol,
                          "nIterNoChange": n, "batch": 32, **r})
    with open(os.path.join(HERE, "schedules.json"), "w") as f:
        seqs = {"decreasing": decreasing, "plateau": plateau, "noisy": noisy, "nan": with_nan}
        # JSON has no NaN: a NaN cost is written as null.
        seqs = {k: [None if np.isnan(c) else float(c) for c in v] for k, v in seqs.items()}
        json.dump({"costSequences": seqs, "cases": cases, "source": "sklearn " + sklearn.__version__}, f, allow_nan=False)
    print("schedules.json:", len(cases), "cases")


if __name__ == "__main__":
    main()
