#!/usr/bin/python3
"""The ex4 cost of the course's pretrained weights (ex4weights.mat, read by scipy.io.loadmat) on
generated data — ex4data1.mat itself is not available here. X: 60 x 400 uniform [0, 1) from
numpy.random.RandomState(4); y: labels 1..10 (10 = digit 0) from the same generator.
Cost by the ex4 formula (sigmoid, cross-entropy summed over classes, lambda/(2m) sum Theta(:,2:end)^2),
gradient by torch autograd, in MATLAB's unrolled order [Theta1(:); Theta2(:)].
Run: /usr/bin/python3 make_ex4_fixture.py   (reads ../../../../../shared/data/coursera/ex4weights.mat)
"""
import json, os
import numpy as np, scipy.io, torch

HERE = os.path.dirname(os.path.abspath(__file__))
W = scipy.io.loadmat(os.path.join(HERE, "../../../../../shared/data/coursera/ex4weights.mat"))
T1, T2 = W["Theta1"], W["Theta2"]
rng = np.random.RandomState(4)
m = 60
X = rng.rand(m, 400)
y = rng.randint(1, 11, m)
Y = np.eye(10)[y - 1]

def cost(t1, t2, lam, lib):
    a1 = lib.cat([lib.ones((m, 1), dtype=torch.float64), X_t], 1)
    a2 = torch.sigmoid(a1 @ t1.T)
    a2 = lib.cat([lib.ones((m, 1), dtype=torch.float64), a2], 1)
    h = torch.sigmoid(a2 @ t2.T)
    J = torch.sum(-Y_t * torch.log(h) - (1 - Y_t) * torch.log(1 - h)) / m
    return J + lam / (2 * m) * (torch.sum(t1[:, 1:] ** 2) + torch.sum(t2[:, 1:] ** 2)), h

X_t, Y_t = torch.tensor(X), torch.tensor(Y)
result = dict(m=m, X=X.ravel().tolist(), y=y.tolist())
for lam in (0.0, 1.0, 3.0):
    t1 = torch.tensor(T1, requires_grad=True); t2 = torch.tensor(T2, requires_grad=True)
    J, h = cost(t1, t2, lam, torch)
    J.backward()
    unrolled = np.concatenate([t1.grad.numpy().ravel(order="F"), t2.grad.numpy().ravel(order="F")])
    result["lambda_%g" % lam] = dict(cost=J.item(), gradient_unrolled=unrolled.tolist())
    result["predictions"] = (np.argmax(h.detach().numpy(), axis=1) + 1).tolist()
with open(os.path.join(HERE, "ex4_generated.json"), "w") as f:
    json.dump(result, f)
print({k: v["cost"] for k, v in result.items() if k.startswith("lambda")})
