#!/usr/bin/python3
"""Reference for Backprop.Data.Preprocessing.DigitPreprocessing (MNIST-style normalization of a drawn digit).

Draws synthetic strokes (anti-aliased thick polylines and rings, as a canvas would) and writes, per case,
input_<name> (H x W ink, 0..255) and expected_<name> (28 x 28) to digit_preprocessing.npz.

The algorithm, written independently of the C# code (matrix form with NumPy, centre of mass by SciPy):
  1. bounding box of the pixels with ink > 0 (no ink: all-zero image);
  2. resize the box to round_half_up(h*s) x round_half_up(w*s), s = 20 / max(h, w), by exact area averaging
     (R_y @ crop @ R_x.T with R[i, k] = |[k, k+1) n [i*h/nh, (i+1)*h/nh)| / (h/nh));
  3. top-left corner at floor(14 - centre_of_mass), clamped so the box stays inside 28 x 28.
The script checks the area resize against a block mean for an integer factor and that it keeps the ink's mass.
Run: /usr/bin/python3 make_digit_fixtures.py   (NumPy, SciPy)
"""
import math
import os

import numpy as np
from scipy import ndimage


def area_matrix(n_in, n_out):
    edges = np.linspace(0.0, n_in, n_out + 1)
    k = np.arange(n_in)
    lo = np.maximum(k[None, :], edges[:-1, None])
    hi = np.minimum(k[None, :] + 1, edges[1:, None])
    return np.clip(hi - lo, 0.0, None) / (n_in / n_out)


def to_mnist(ink):
    ys, xs = np.nonzero(ink > 0)
    out = np.zeros((28, 28))
    if ys.size == 0:
        return out
    crop = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = crop.shape
    s = 20.0 / max(h, w)
    nh = min(20, max(1, math.floor(h * s + 0.5)))
    nw = min(20, max(1, math.floor(w * s + 0.5)))
    small = area_matrix(h, nh) @ crop @ area_matrix(w, nw).T
    assert abs(small.sum() * (h / nh) * (w / nw) - crop.sum()) <= 1e-9 * crop.sum()
    cy, cx = ndimage.center_of_mass(small)
    top = min(max(math.floor(14 - cy), 0), 28 - nh)
    left = min(max(math.floor(14 - cx), 0), 28 - nw)
    out[top:top + nh, left:left + nw] = small
    return out


def segment_distance(py, px, a, b):
    (ay, ax), (by, bx) = a, b
    dy, dx = by - ay, bx - ax
    length2 = dy * dy + dx * dx
    t = np.zeros_like(py) if length2 == 0 else np.clip(((py - ay) * dy + (px - ax) * dx) / length2, 0, 1)
    return np.hypot(py - (ay + t * dy), px - (ax + t * dx))


def stroke(shape, points, radius):
    """Coverage (0..255) of a round-capped polyline of the given radius, sampled at pixel centres, 1-px ramp."""
    py, px = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    d = np.full(shape, np.inf)
    for a, b in zip(points[:-1], points[1:]) if len(points) > 1 else [(points[0], points[0])]:
        d = np.minimum(d, segment_distance(py, px, a, b))
    return np.clip(radius + 0.5 - d, 0, 1) * 255.0


def ring(shape, centre, ry, rx, radius, n=64):
    t = np.linspace(0, 2 * np.pi, n + 1)
    return stroke(shape, list(zip(centre[0] + ry * np.sin(t), centre[1] + rx * np.cos(t))), radius)


def main():
    rng = np.random.RandomState(7)
    c = (280, 280)
    cases = {
        "one": stroke(c, [(40.0, 140.0), (240.0, 140.0)], 11),
        "slanted_one": stroke(c, [(50.0, 160.0), (235.0, 118.0)], 10),
        "seven": stroke(c, [(50.0, 70.0), (50.0, 210.0), (240.0, 120.0)], 11),
        "zero": ring(c, (140.0, 140.0), 95, 60, 10),
        "dot": stroke(c, [(100.0, 100.0)], 3),
        "dash_corner": stroke(c, [(265.0, 10.0), (268.0, 120.0)], 4),
        "heavy_top": np.maximum(stroke(c, [(60.0, 140.0)], 40), stroke(c, [(60.0, 140.0), (260.0, 140.0)], 2)),
        "wide_canvas_two": stroke((180, 300), [(40.0, 110.0), (20.0, 160.0), (50.0, 200.0), (150.0, 100.0), (150.0, 210.0)], 8),
        "random_scribble": stroke(c, [tuple(p) for p in rng.uniform(30, 250, size=(6, 2))], 9),
        "faint": stroke(c, [(60.0, 90.0), (220.0, 190.0)], 12) * 0.3,
        "empty": np.zeros((50, 40)),
    }
    single = np.zeros((40, 50))
    single[13, 21] = 255.0
    cases["single_pixel"] = single
    # Self-checks of the reference: block mean for an integer factor, identity for equal sizes.
    m = rng.uniform(0, 255, size=(40, 60))
    assert np.allclose(area_matrix(40, 20) @ m @ area_matrix(60, 20).T, m.reshape(20, 2, 20, 3).mean(axis=(1, 3)))
    assert np.allclose(area_matrix(7, 7), np.eye(7))

    arrays = {}
    for name, ink in cases.items():
        arrays["input_" + name] = ink.astype(np.float64)
        arrays["expected_" + name] = to_mnist(ink)
        e = arrays["expected_" + name]
        if e.sum() > 0:
            com = ndimage.center_of_mass(e)
            print(f"{name:16s} {ink.shape} ink box -> com ({com[0]:.2f}, {com[1]:.2f}), max {e.max():.1f}")
        else:
            print(f"{name:16s} {ink.shape} empty")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digit_preprocessing.npz")
    np.savez_compressed(out, **arrays)
    print("wrote", out)


if __name__ == "__main__":
    main()
