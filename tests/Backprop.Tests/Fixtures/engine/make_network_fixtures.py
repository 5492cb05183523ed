#!/usr/bin/python3
"""Reference costs and gradients for random networks, computed independently of Backprop:
the forward pass and cost in NumPy, the gradient by PyTorch autograd (float64), so no hand-written
backpropagation is involved. Writes networks.json next to this script.

Parameter layout (Backprop's flat vector): for each layer, W [out, in] row-major, then b [out].
Cost: mean over samples of the loss + lam/(2m) * sum of squared weights (biases excluded).
Run: /usr/bin/python3 make_network_fixtures.py
"""
import json, os
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    # name, sizes, hidden, output, loss, lam, m, seed
    ("sigmoid-ce", [4, 6, 3], "sigmoid", "sigmoid", "cross-entropy", 0.0, 7, 1),
    ("sigmoid-ce-l2", [4, 6, 5, 3], "sigmoid", "sigmoid", "cross-entropy", 1.5, 9, 2),
    ("tanh-softmax", [4, 6, 5, 3], "tanh", "softmax", "cross-entropy", 0.5, 7, 3),
    ("relu-softmax", [5, 8, 4], "relu", "softmax", "cross-entropy", 0.1, 11, 4),
    ("identity-softmax", [3, 4, 2], "identity", "softmax", "cross-entropy", 0.0, 6, 5),
    ("relu-identity-se", [3, 7, 2], "relu", "identity", "squared-error", 0.3, 8, 6),
    ("tanh-sigmoid-se", [3, 5, 4], "tanh", "sigmoid", "squared-error", 0.0, 5, 7),
    ("sigmoid-tanh-se", [2, 3, 3], "sigmoid", "tanh", "squared-error", 2.0, 4, 8),
    ("logistic-regression", [6, 4], None, "softmax", "cross-entropy", 1.0, 10, 9),
    ("deep-relu", [6, 10, 9, 8, 5], "relu", "softmax", "cross-entropy", 0.05, 12, 10),
    ("softmax-large-logits", [3, 4, 3], "tanh", "softmax", "cross-entropy", 0.0, 5, 11),
]

def act(name, z):
    if name == "sigmoid": return torch.sigmoid(z)
    if name == "tanh": return torch.tanh(z)
    if name == "relu": return torch.relu(z)
    if name == "identity": return z
    if name == "softmax": return torch.softmax(z, dim=1)
    raise ValueError(name)

def numpy_cost(sizes, acts, loss, lam, params, X, Y):
    """Independent NumPy forward pass and cost (float64)."""
    a, off, sq = X, 0, 0.0
    for l in range(len(sizes) - 1):
        i, o = sizes[l], sizes[l + 1]
        W = params[off:off + o * i].reshape(o, i); off += o * i
        b = params[off:off + o]; off += o
        sq += np.sum(W * W)
        z = a @ W.T + b
        f = acts[l]
        if f == "sigmoid": a = 1 / (1 + np.exp(-z))
        elif f == "tanh": a = np.tanh(z)
        elif f == "relu": a = np.maximum(z, 0)
        elif f == "identity": a = z
        elif f == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True)); a = e / e.sum(axis=1, keepdims=True)
    m = X.shape[0]
    if loss == "cross-entropy" and acts[-1] == "sigmoid":
        J = np.sum(-Y * np.log(a) - (1 - Y) * np.log(1 - a)) / m
    elif loss == "cross-entropy":
        J = -np.sum(Y * np.log(a)) / m
    else:
        J = 0.5 * np.sum((a - Y) ** 2) / m
    return J + lam / (2 * m) * sq, a

def torch_grad(sizes, acts, loss, lam, params, X, Y):
    p = torch.tensor(params, requires_grad=True)
    a, off, sq = torch.tensor(X), 0, 0.0
    Yt = torch.tensor(Y)
    for l in range(len(sizes) - 1):
        i, o = sizes[l], sizes[l + 1]
        W = p[off:off + o * i].reshape(o, i); off += o * i
        b = p[off:off + o]; off += o
        sq = sq + torch.sum(W * W)
        z = a @ W.T + b
        if acts[l] == "softmax" and loss == "cross-entropy":
            logp = torch.log_softmax(z, dim=1)
            a = None
            data = -torch.sum(Yt * logp)
        else:
            a = act(acts[l], z)
    m = X.shape[0]
    if acts[-1] != "softmax":
        if loss == "cross-entropy":
            data = torch.nn.functional.binary_cross_entropy(a, Yt, reduction="sum")
        else:
            data = 0.5 * torch.sum((a - Yt) ** 2)
    J = data / m + lam / (2 * m) * sq
    J.backward()
    return J.item(), p.grad.numpy()

out = []
for name, sizes, hidden, output, loss, lam, m, seed in CASES:
    rng = np.random.RandomState(seed)
    acts = [hidden] * (len(sizes) - 2) + [output]
    n = sum(sizes[l + 1] * (sizes[l] + 1) for l in range(len(sizes) - 1))
    scale = 4.0 if name == "softmax-large-logits" else 0.8
    params = rng.uniform(-scale, scale, n)
    X = rng.randn(m, sizes[0])
    K = sizes[-1]
    if loss == "cross-entropy":
        labels = rng.randint(0, K, m)
        Y = np.eye(K)[labels]
    else:
        labels = None
        Y = rng.uniform(-0.9, 0.9, (m, K)) if output in ("tanh", "identity") else rng.uniform(0.05, 0.95, (m, K))
    J, probs = numpy_cost(sizes, acts, loss, lam, params, X, Y)
    Jt, grad = torch_grad(sizes, acts, loss, lam, params, X, Y)
    assert abs(J - Jt) <= 1e-12 * max(1, abs(J)), (name, J, Jt)
    out.append(dict(name=name, sizes=sizes, activations=acts, loss=loss, lam=lam,
                    params=params.tolist(), X=X.ravel().tolist(), m=m, Y=Y.ravel().tolist(),
                    cost=J, gradient=grad.tolist(), output=probs.ravel().tolist()))

with open(os.path.join(HERE, "networks.json"), "w") as f:
    json.dump(dict(generator="numpy %s, torch %s" % (np.__version__, torch.__version__), cases=out), f)
print("wrote", len(out), "cases")
