"""Writes the idx seeds of the fuzzer (fuzz/seeds/idx): small MNIST-style files of each element type, raw and gzipped."""
import gzip
import pathlib
import struct

import numpy as np

here = pathlib.Path(__file__).parent / "idx"
here.mkdir(exist_ok=True)
codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx(a):
    return bytes([0, 0, codes[a.dtype.type], a.ndim]) + b"".join(struct.pack(">i", d) for d in a.shape) + a.astype(a.dtype.newbyteorder(">")).tobytes()


rng = np.random.default_rng(0)
images = rng.integers(0, 256, size=(3, 4, 4), dtype=np.uint8)
labels = np.array([7, 2, 1], dtype=np.uint8)
(here / "images-idx3-ubyte").write_bytes(idx(images))
(here / "labels-idx1-ubyte").write_bytes(idx(labels))
(here / "images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(images), mtime=0))
for t in (np.int8, np.int16, np.int32, np.float32, np.float64):
    (here / f"{t.__name__}-idx2").write_bytes(idx((rng.standard_normal((2, 3)) * 50).astype(t)))
