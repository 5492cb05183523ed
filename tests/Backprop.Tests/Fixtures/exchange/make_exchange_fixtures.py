"""Weights in and out of scikit-learn and PyTorch: the references for WeightExchangeTests and the import/predict CLI tests.

Run from the repository root (needs NumPy, scikit-learn and PyTorch; no `safetensors` package: the format is
written and read here by hand with json + struct, as its documentation describes):

    /usr/bin/python3 tests/Backprop.Tests/Fixtures/exchange/make_exchange_fixtures.py

Out (Backprop -> Python): golden.npz and golden.safetensors are `backprop export --npz/--safetensors` of the golden
model (../models/golden-v1.json; the test requires today's exporter to write the same arrays). This script
  1. runs a NumPy forward pass straight from the model file (base64 parameters, the MinMax scaler);
  2. gives golden.npz's coefs_/intercepts_ to scikit-learn's MLPClassifier (scaling the pixels with x_scale, x_offset);
  3. loads golden.safetensors into torch.nn.Sequential(Linear, ReLU, Linear, Softmax) with load_state_dict(strict=True);
and checks that all three agree on the first 200 MNIST test images; it records their labels and probabilities.

In (Python -> Backprop): an MLPClassifier trained on the 8x8 digits (sklearn_digits.npz, float64) and a torch
nn.Sequential(Linear, Tanh, Dropout, Linear) trained on them (torch_digits.safetensors, float32: names 0.* and 3.*,
logits out, so imported with --output softmax), with their predicted labels on all 1797 digits and probabilities on the first 200.

Everything lands in expected.json.
"""
import base64
import gzip
import json
import os
import struct

import numpy as np
import torch
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import LabelBinarizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
N_MNIST = 200
N_DIGITS_P = 200  # probabilities recorded for the first 200 digits (labels for all 1797), to keep the fixture small


def read_idx_images(path, count):
    with gzip.open(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051
        data = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8)
    return data.reshape(count, rows * cols).astype(np.float64)


def write_safetensors(path, tensors, metadata):
    """The documented format: u64 little-endian header length, JSON header (padded with spaces), raw little-endian data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, array in tensors:
        array = np.ascontiguousarray(array)
        dtype = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64"}[array.dtype.newbyteorder("<")]
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert n <= len(blob) - 8
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "F64": "<f8"}[entry["dtype"]]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
    return tensors, metadata


def minmax(pre):
    """Backprop's MinMax scaler (Preprocessor.cs): scale = (hi - lo) / (max - min or 1), offset = lo - min * scale."""
    lo, hi = pre["lo"], pre["hi"]
    mn, mx = np.array(pre["min"], dtype=np.float64), np.array(pre["max"], dtype=np.float64)
    rng = mx - mn
    scale = (hi - lo) / np.where(rng == 0, 1.0, rng)
    return scale, lo - mn * scale


def golden_out(x_raw):
    with open(os.path.join(HERE, "..", "models", "golden-v1.json")) as f:
        model = json.load(f)
    assert model["format"] == "backprop-model" and model["version"] == 1
    assert model["layers"] == [784, 32, 10] and model["activations"] == ["relu", "softmax"] and model["precision"] == "float32"
    params = np.frombuffer(base64.b64decode(model["parameters"]["base64"]), dtype="<f4").astype(np.float64)
    scale, offset = minmax(model["preprocessing"])
    x = x_raw * scale + offset

    # 1. NumPy forward pass from the model file: per layer W [out, in] row-major, then b [out].
    sizes, at, h = model["layers"], 0, x
    for layer in range(len(sizes) - 1):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        w = params[at : at + n_out * n_in].reshape(n_out, n_in)
        at += n_out * n_in
        b = params[at : at + n_out]
        at += n_out
        z = h @ w.T + b
        if layer < len(sizes) - 2:
            h = np.maximum(z, 0)
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            h = e / e.sum(axis=1, keepdims=True)
    numpy_p = h

    # 2. scikit-learn, given the exported coefs_/intercepts_ (and the exported scaler).
    z = np.load(os.path.join(HERE, "golden.npz"))
    description = json.loads(bytes(z["backprop"]).decode("utf-8"))
    assert description["layers"] == sizes
    clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu")
    clf.coefs_ = [z["coefs_0"], z["coefs_1"]]
    clf.intercepts_ = [z["intercepts_0"], z["intercepts_1"]]
    clf.n_layers_ = 3
    clf.n_outputs_ = 10
    clf.out_activation_ = "softmax"
    clf.classes_ = np.array(description["classes"])
    clf._label_binarizer = LabelBinarizer().fit(clf.classes_)  # what fit() sets for predict()'s class names
    clf.n_features_in_ = 784
    x_sk = x_raw * z["x_scale"] + z["x_offset"]
    sklearn_p = clf.predict_proba(x_sk)
    sklearn_labels = clf.predict(x_sk)

    # 3. PyTorch, loading the exported state_dict.
    tensors, metadata = read_safetensors(os.path.join(HERE, "golden.safetensors"))
    assert metadata["format"] == "pt"
    meta = json.loads(metadata["backprop"])
    net = torch.nn.Sequential(torch.nn.Linear(784, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10), torch.nn.Softmax(dim=1))
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=True)
    t_scale, t_offset = minmax(meta["preprocessing"])
    with torch.no_grad():
        torch_p = net(torch.from_numpy((x_raw * t_scale + t_offset).astype(np.float32))).numpy().astype(np.float64)

    numpy_labels = numpy_p.argmax(axis=1)
    assert (sklearn_labels.astype(int) == numpy_labels).all(), "scikit-learn disagrees with the NumPy forward pass"
    assert (torch_p.argmax(axis=1) == numpy_labels).all(), "PyTorch disagrees with the NumPy forward pass"
    assert np.abs(sklearn_p - numpy_p).max() < 1e-6 and np.abs(torch_p - numpy_p).max() < 1e-5
    print(f"golden: numpy / sklearn / torch agree on {len(numpy_labels)} MNIST test images;"
          f" max |sklearn - numpy| {np.abs(sklearn_p - numpy_p).max():.2e}, max |torch - numpy| {np.abs(torch_p - numpy_p).max():.2e}")
    return {
        "samples": N_MNIST,
        "numpy_labels": numpy_labels.tolist(),
        "numpy_probabilities": numpy_p.tolist(),
        "sklearn_labels": [str(v) for v in sklearn_labels],
        "sklearn_max_abs_diff_from_numpy": float(np.abs(sklearn_p - numpy_p).max()),
        "torch_labels": torch_p.argmax(axis=1).tolist(),
        "torch_probabilities": torch_p.tolist(),
    }


def digits_in():
    table = np.loadtxt(os.path.join(ROOT, "data", "digits", "digits.csv.gz"), delimiter=",")
    x, y = table[:, :-1], table[:, -1].astype(int)

    clf = MLPClassifier(hidden_layer_sizes=(24,), activation="relu", max_iter=300, random_state=0).fit(x, y)
    arrays = {f"coefs_{i}": c for i, c in enumerate(clf.coefs_)}
    arrays.update({f"intercepts_{i}": b for i, b in enumerate(clf.intercepts_)})
    np.savez_compressed(os.path.join(HERE, "sklearn_digits.npz"), **arrays)
    sk_p = clf.predict_proba(x)

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 20), torch.nn.Tanh(), torch.nn.Dropout(0.1), torch.nn.Linear(20, 10))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y)
    for _ in range(150):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        torch_p = torch.softmax(net(xt), dim=1).numpy().astype(np.float64)
    state = net.state_dict()
    write_safetensors(os.path.join(HERE, "torch_digits.safetensors"),
                      [(k, v.numpy()) for k, v in state.items()], {"format": "pt"})
    print(f"digits: sklearn train accuracy {(sk_p.argmax(1) == y).mean():.4f}, torch {(torch_p.argmax(1) == y).mean():.4f}; torch names {list(state)}")
    return {
        "sklearn": {"layers": [64, 24, 10], "labels": sk_p.argmax(1).tolist(), "probabilities": sk_p[:N_DIGITS_P].tolist(),
                    "accuracy": float((sk_p.argmax(1) == y).mean())},
        "torch": {"layers": [64, 20, 10], "labels": torch_p.argmax(1).tolist(), "probabilities": torch_p[:N_DIGITS_P].tolist(),
                  "accuracy": float((torch_p.argmax(1) == y).mean())},
    }


def main():
    x_raw = read_idx_images(os.path.join(ROOT, "data", "mnist", "t10k-images-idx3-ubyte.gz"), N_MNIST)
    expected = {"golden": golden_out(x_raw), "digits": digits_in()}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")


if __name__ == "__main__":
    main()
