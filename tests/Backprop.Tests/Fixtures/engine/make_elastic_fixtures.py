#!/usr/bin/python3
"""References for the elastic distortion (ElasticDistortionTests), computed with SciPy. Writes elastic.json here.

Each case distorts a few images in order with one numpy.random.RandomState(seed), as Backprop documents it:
per image, u = rng.randint(0, 2**32, size=2*h*w + 2, dtype=np.uint32), each u standing for u/2**31 - 1 in [-1, 1):
    row field    = u[:h*w].reshape(h, w)         column field = u[h*w:2*h*w].reshape(h, w)
    dr = alpha * gaussian_filter(row field, sigma, mode='constant', cval=0, truncate=4.0)     (dc likewise)
    theta = rotation degrees * u[2hw], s = 1 + scale * u[2hw + 1]
    source(r, c) = centre + R(theta) @ ((r, c) - centre) / s + (dr, dc),  centre = ((h-1)/2, (w-1)/2),
                   R = [[cos, -sin], [sin, cos]] acting on (row, column)
    output = map_coordinates(image, source, order=1, mode='constant', cval=0)
Images: the first MNIST training images (pixels / 255), 8x8 digits (values / 16), and smooth random blobs for
shapes that are not square. Everything in float64.
Run: /usr/bin/python3 make_elastic_fixtures.py
"""
import gzip, json, os
import numpy as np
from scipy.ndimage import gaussian_filter, map_coordinates

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "data")


def mnist(count):
    with gzip.open(os.path.join(DATA, "mnist", "train-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return raw[:count * 784].reshape(count, 28, 28).astype(np.float64) / 255


def digits(count):
    with gzip.open(os.path.join(DATA, "digits", "digits.csv.gz"), "rt") as f:
        rows = [np.array(line.split(","), dtype=np.float64) for _, line in zip(range(count), f)]
    return np.array([r[:64].reshape(8, 8) / 16 for r in rows])


def blobs(count, h, w, seed):
    rng = np.random.RandomState(seed)
    return np.array([np.clip(gaussian_filter(rng.rand(h, w), 1.5) * 4 - 1.5, 0, 1) for _ in range(count)])


def distort(image, u, sigma, alpha, rotation, scale):
    h, w = image.shape
    v = (u.astype(np.int64) - 2 ** 31) / 2.0 ** 31
    dr = alpha * gaussian_filter(v[:h * w].reshape(h, w), sigma, mode="constant", cval=0, truncate=4.0)
    dc = alpha * gaussian_filter(v[h * w:2 * h * w].reshape(h, w), sigma, mode="constant", cval=0, truncate=4.0)
    theta = np.deg2rad(rotation * v[2 * h * w])
    s = 1 + scale * v[2 * h * w + 1]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    R, C = np.mgrid[0:h, 0:w].astype(np.float64)
    y = cy + (np.cos(theta) * (R - cy) - np.sin(theta) * (C - cx)) / s + dr
    x = cx + (np.sin(theta) * (R - cy) + np.cos(theta) * (C - cx)) / s + dc
    return map_coordinates(image, [y, x], order=1, mode="constant", cval=0)


CASES = [
    # name, images, sigma, alpha, rotation (degrees), scale, seed
    ("mnist-default", mnist(3), 5, 36, 7.5, 0.075, 0),
    ("mnist-simard", mnist(5)[3:], 4, 34, 0, 0, 1),
    ("mnist-small-sigma-large-affine", mnist(7)[5:], 1.5, 8, 30, 0.3, 2),
    ("digits-8x8", digits(4), 1, 2, 10, 0.1, 3),
    ("blobs-12x20", blobs(3, 12, 20, 10), 2, 4, 7.5, 0.075, 4),
    ("blobs-17x33-strong", blobs(2, 17, 33, 11), 3, 60, 7.5, 0.075, 5),
    ("blobs-3x5", blobs(2, 3, 5, 12), 0.5, 1.5, 20, 0.2, 6),
    ("blobs-30x9-tall", blobs(2, 30, 9, 13), 2.5, 10, 7.5, 0.075, 7),
]

cases = []
for name, images, sigma, alpha, rotation, scale, seed in CASES:
    n, h, w = images.shape
    rng = np.random.RandomState(seed)
    out = [distort(im, rng.randint(0, 2 ** 32, size=2 * h * w + 2, dtype=np.uint32), sigma, alpha, rotation, scale) for im in images]
    cases.append(dict(name=name, height=h, width=w, sigma=sigma, alpha=alpha, rotation=rotation, scale=scale, seed=seed,
                      images=images.ravel().tolist(), distorted=np.array(out).ravel().tolist()))

with open(os.path.join(HERE, "elastic.json"), "w") as f:
    json.dump(dict(scipy_mode="gaussian_filter(mode='constant', truncate=4.0); map_coordinates(order=1, mode='constant', cval=0)",
                   cases=cases), f)
