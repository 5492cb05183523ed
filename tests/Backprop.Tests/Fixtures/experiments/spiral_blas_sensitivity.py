#!/usr/bin/python3
"""How much does the spiral seed's final accuracy depend on the matrix-product kernel? (not a fixture)

Runs the CS231n spiral loop of make_preset_fixtures.py (the preset's weight order, 10000 full-batch steps of
size 1, reg 1e-3) with NumPy under different summation orders and prints the training accuracy every 500
iterations. Run it three ways:
    /usr/bin/python3 spiral_blas_sensitivity.py dot                 # OpenBLAS with the environment's core type
    /usr/bin/python3 spiral_blas_sensitivity.py einsum              # NumPy's own einsum loop instead of BLAS
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 spiral_blas_sensitivity.py dot   # native AVX-512 kernel
Results on the development machine (2026-12-01) are in docs/experiments.md (spiral section).
"""
import sys
import numpy as np

here = __file__.replace("spiral_blas_sensitivity.py", "make_preset_fixtures.py")
exec(open(here).read().split("# spiral: CS231n case study")[0])

if len(sys.argv) > 1 and sys.argv[1] == "einsum":
    np.dot = lambda a, b: np.einsum("ij,jk->ik", a, b)

X, y = spiral_data()
np.random.seed(2)
P1 = np.random.randn(100, 2) * 0.01; P2 = np.random.randn(3, 100) * 0.01
W = P1.T.copy(); b = np.zeros((1, 100)); W2 = P2.T.copy(); b2 = np.zeros((1, 3))
losses, accs = softmax_relu_gd(X, y, W, b, W2, b2, 1.0, 1e-3, 10000, 500)
try:
    from threadpoolctl import threadpool_info
    kernel = ", ".join(f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpool_info())
except ImportError:
    kernel = "unknown"
print(f"{sys.argv[1] if len(sys.argv) > 1 else 'dot'} ({kernel}): final loss {losses[-1]:.5f}")
print("train accuracy every 500 iterations:", " ".join(f"{a * 100:.2f}" for _, a in accs))
