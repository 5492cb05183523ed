#!/usr/bin/python3
"""References for the training features, computed independently of Backprop. Writes training.json here.

dropout:    inverted dropout with fixed masks. The masks are drawn as Backprop documents it, in NumPy:
            for each weight layer l with rate p > 0 (l = 0: the input features, l >= 1: hidden layer l),
            u = RandomState(seed).randint(0, 2**32, size=(m, size), dtype=np.uint32) (one generator, layers
            in order), keep = u >= round(p * 2**32), mask = keep / (1 - p). The cost of the thinned network
            (layer l's input multiplied by its mask) comes from PyTorch's forward pass and its gradient from
            autograd (float64); the dropout-free cost is recorded too. Parameter layout: per layer W [out, in]
            row-major, then b [out]. Cost: mean loss + lam/(2m)·ΣW² (biases excluded).
schedules:  learning rates PyTorch's schedulers give when stepped once per epoch: CosineAnnealingLR,
            StepLR, ExponentialLR (the rate used in epoch 1, 2, ...).
shift:      scipy.ndimage.shift(image, (dy, dx), order=0, mode='nearest') of random images, and a
            batch as the trainer builds it: rows order[start..] of X, each shifted by dy, dx drawn in
            that order as RandomState(seed).randint(-s, s + 1).
averaging:  torch.optim.swa_utils.AveragedModel fed a sequence of parameter vectors: the default
            (SWA, equal-weight running mean) and an EMA avg_fn (decay*avg + (1-decay)*p); the averaged
            parameters after each update. The first update copies (n_averaged == 0).
Run: /usr/bin/python3 make_training_fixtures.py
"""
import json, os
import numpy as np
import torch
import scipy
import scipy.ndimage
from torch.optim.swa_utils import AveragedModel

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))

DROPOUT = [
    # name, sizes, hidden, output, loss, lam, m, rates (one per weight layer), param seed, dropout seed
    ("relu-softmax-hidden", [5, 8, 6, 3], "relu", "softmax", "cross-entropy", 0.1, 9, [0.0, 0.5, 0.3], 21, 7),
    ("relu-softmax-input", [6, 10, 4], "relu", "softmax", "cross-entropy", 0.0, 8, [0.2, 0.4], 22, 8),
    ("sigmoid-ce", [4, 7, 3], "sigmoid", "sigmoid", "cross-entropy", 1.0, 6, [0.25, 0.5], 23, 9),
    ("tanh-se", [3, 6, 5, 2], "tanh", "identity", "squared-error", 0.3, 7, [0.1, 0.2, 0.6], 24, 10),
]

def threshold(p):
    return min(int(round(p * 2.0 ** 32)), 2 ** 32 - 1)

def draw_keeps(rng, sizes, rates, m):
    """One batch's keep indicators (None where the rate is 0), layers in order, from generator rng."""
    keeps = []
    for l, p in enumerate(rates):
        if p == 0:
            keeps.append(None)
            continue
        u = rng.randint(0, 2 ** 32, size=(m, sizes[l]), dtype=np.uint32)
        keeps.append((u.astype(np.uint64) >= threshold(p)).astype(np.float64))
    return keeps

def act(name, z):
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda t: t}[name](z)

def cost_and_grad(sizes, acts, loss, lam, params, X, Y, masks):
    p = torch.tensor(params, requires_grad=True)
    a, off, sq = torch.tensor(X), 0, 0.0
    Yt = torch.tensor(Y)
    m = X.shape[0]
    for l in range(len(sizes) - 1):
        if masks[l] is not None:
            a = a * torch.tensor(masks[l])
        i, o = sizes[l], sizes[l + 1]
        W = p[off:off + o * i].reshape(o, i); off += o * i
        b = p[off:off + o]; off += o
        sq = sq + torch.sum(W * W)
        z = a @ W.T + b
        if l == len(sizes) - 2:
            if acts[l] == "softmax":
                data = -torch.sum(Yt * torch.log_softmax(z, dim=1))
            elif loss == "cross-entropy":
                data = torch.nn.functional.binary_cross_entropy_with_logits(z, Yt, reduction="sum")
            else:
                data = 0.5 * torch.sum((act(acts[l], z) - Yt) ** 2)
        else:
            a = act(acts[l], z)
    J = data / m + lam / (2 * m) * sq
    if p.grad is not None:
        p.grad.zero_()
    J.backward()
    return J.item(), p.grad.numpy().copy()

dropout = []
for name, sizes, hidden, output, loss, lam, m, rates, seed, dseed in DROPOUT:
    rng = np.random.RandomState(seed)
    acts = [hidden] * (len(sizes) - 2) + [output]
    n = sum(sizes[l + 1] * (sizes[l] + 1) for l in range(len(sizes) - 1))
    params = rng.uniform(-0.8, 0.8, n)
    X = rng.randn(m, sizes[0])
    K = sizes[-1]
    if loss == "cross-entropy":
        Y = np.eye(K)[rng.randint(0, K, m)]
    else:
        Y = rng.uniform(-0.9, 0.9, (m, K))
    rng_dropout = np.random.RandomState(dseed)
    keeps = draw_keeps(rng_dropout, sizes, rates, m)
    second = draw_keeps(rng_dropout, sizes, rates, m)  # the next batch's masks, same generator
    masks = [None if k is None else k / (1.0 - p) for k, p in zip(keeps, rates)]
    J, grad = cost_and_grad(sizes, acts, loss, lam, params, X, Y, masks)
    J0, _ = cost_and_grad(sizes, acts, loss, lam, params, X, Y, [None] * len(rates))
    dropout.append(dict(name=name, sizes=sizes, activations=acts, loss=loss, lam=lam, m=m, rates=rates, seed=dseed,
                        params=params.tolist(), X=X.ravel().tolist(), Y=Y.ravel().tolist(),
                        keep=[None if k is None else k.astype(int).ravel().tolist() for k in keeps],
                        second_keep=[None if k is None else k.astype(int).ravel().tolist() for k in second], cost=J, cost_without_dropout=J0, gradient=grad.tolist()))

def rates_of(make, epochs, lr=0.001):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    sched = make(opt)
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out

schedules = [
    dict(kind="cosine", lr=0.001, min=0.0, epochs=12,
         rates=rates_of(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12), 12)),
    dict(kind="cosine", lr=0.002, min=1e-5, epochs=15,
         rates=rates_of(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=1e-5), 15, lr=0.002)),
    dict(kind="step", lr=0.001, factor=0.3, every=5, epochs=12,
         rates=rates_of(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.3), 12)),
    dict(kind="step", lr=0.01, factor=0.9, every=1, epochs=8,
         rates=rates_of(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 8, lr=0.01)),
]

def averaged(avg_fn, sequence):
    model = torch.nn.Linear(3, 2)  # 2x3 weight + 2 bias = 8 parameters, as one flat vector
    swa = AveragedModel(model, avg_fn=avg_fn)
    out = []
    for theta in sequence:
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.tensor(theta), model.parameters())
        swa.update_parameters(model)
        out.append(torch.nn.utils.parameters_to_vector(swa.module.parameters()).detach().numpy().tolist())
    return out

rng = np.random.RandomState(31)
sequence = (np.cumsum(rng.randn(12, 8), axis=0)).tolist()
decay = 0.9
averaging = dict(sequence=sequence,
                 swa=averaged(None, sequence),
                 ema_decay=decay,
                 ema=averaged(lambda avg, p, n: decay * avg + (1 - decay) * p, sequence))

rng = np.random.RandomState(41)
shifts = []
for h, w, dy, dx in [(5, 7, 1, -2), (5, 7, -3, 0), (6, 4, 0, 3), (6, 4, 2, 2), (4, 5, -1, -4), (4, 5, 9, -11), (3, 3, 0, 0)]:
    image = rng.randn(h, w)
    shifts.append(dict(height=h, width=w, dy=dy, dx=dx, image=image.ravel().tolist(),
                       shifted=scipy.ndimage.shift(image, (dy, dx), order=0, mode="nearest").ravel().tolist()))
h, w, s, seed, n, start, rows = 6, 5, 2, 13, 10, 3, 4
X = rng.randn(n, h * w)
order = rng.permutation(n)
draws = np.random.RandomState(seed)
batch = []
for r in range(rows):
    dy = draws.randint(-s, s + 1)
    dx = draws.randint(-s, s + 1)
    batch.append(scipy.ndimage.shift(X[order[start + r]].reshape(h, w), (dy, dx), order=0, mode="nearest").ravel())
shift_batch = dict(height=h, width=w, max_shift=s, seed=seed, X=X.ravel().tolist(), n=n, order=order.tolist(),
                   start=start, rows=rows, batch=np.concatenate(batch).tolist())

with open(os.path.join(HERE, "training.json"), "w") as f:
    json.dump(dict(generator="numpy %s, torch %s, scipy %s" % (np.__version__, torch.__version__, scipy.__version__),
                   dropout=dropout, schedules=schedules, averaging=averaging, shifts=shifts, shift_batch=shift_batch), f)
print("wrote", len(dropout), "dropout cases,", len(schedules), "schedules, averaging over", len(sequence), "updates")
