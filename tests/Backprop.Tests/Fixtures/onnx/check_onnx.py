#!/usr/bin/python3
"""Independent check of Backprop's ONNX export with the official `onnx` package (Debian: apt-get install python3-onnx).

1. Writes small Backprop model files (docs/model-format.md) from NumPy draws: models/*.json, with raw inputs.
2. Exports each with the CLI: `backprop export --model M.json --onnx M.onnx --matlab M.mat` (dotnet run; needs the .NET SDK).
3. For each .onnx: onnx.checker.check_model(full_check=True) (protobuf schema, IR version, opset, every node against
   its operator schema, with shape inference), strict shape inference of both outputs, the node / attribute /
   initializer layout the docs promise, the metadata — and runs the graph with a small NumPy interpreter of the
   ONNX operators used (written from the operator specs), comparing with a NumPy forward pass computed straight
   from the model file (not from the .onnx).
4. Writes expected.json (inputs, NumPy probabilities and labels, the checks' results). The .onnx files, the model
   files and expected.json are committed; the .mat export is read with SciPy's loadmat and run as ex4's predict.m
   would (after the scaler it carries), against the same reference; OnnxFixtureTests (C#) re-export each model and require the same bytes, so
   the files checked here are what the exporter writes today, and runs them in ONNX Runtime against the NumPy numbers.

Run from the repository root:  /usr/bin/python3 tests/Backprop.Tests/Fixtures/onnx/check_onnx.py
"""
import base64
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import scipy.io
from onnx import numpy_helper, shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
MODELS = os.path.join(HERE, "models")


def model_file(name, layers, activations, precision, params, classes, preprocessing=None, loss="cross-entropy", image=None):
    dtype = "<f4" if precision == "float32" else "<f8"
    raw = np.asarray(params, dtype=dtype).tobytes()
    return {
        "format": "backprop-model", "version": 1, "layers": layers, "activations": activations, "loss": loss,
        "precision": precision, "classes": classes, "image": image, "preprocessing": preprocessing,
        "metadata": {"made_by": "check_onnx.py", "case": name},
        "parameters": {"count": len(params), "layout": "per layer: W [out, in] row-major, then b [out]; little-endian",
                       "sha256": hashlib.sha256(raw).hexdigest(), "base64": base64.b64encode(raw).decode()},
    }


def draw(rng, layers, gain=1.0):
    """Flat parameters: per layer W [out, in] row-major, then b [out]."""
    out = []
    for i, o in zip(layers[:-1], layers[1:]):
        out.append(rng.uniform(-1, 1, size=o * (i + 1)) * gain * np.sqrt(3.0 / i))
    return np.concatenate(out)


def cases():
    rng = np.random.RandomState(2024)
    result = []

    # ex4-style sigmoid/sigmoid, MinMax fitted on the inputs, float64
    x = rng.uniform(-5, 20, size=(12, 4))
    lo, hi = 0.0, 1.0
    pre = {"kind": "MinMax", "featureCount": 4, "lo": lo, "hi": hi, "min": x.min(0).tolist(), "max": x.max(0).tolist()}
    p = draw(rng, [4, 5, 3], gain=2)
    result.append(("sigmoid_minmax_f64", model_file("sigmoid_minmax_f64", [4, 5, 3], ["sigmoid", "sigmoid"], "float64", p, ["a", "b", "c"], pre), x))

    # ReLU/softmax, two hidden layers, Standardize (one constant feature: std 0 means divide by 1), float32
    x = rng.normal(3, 2, size=(16, 6))
    x[:, 2] = 1.5
    pre = {"kind": "Standardize", "featureCount": 6, "mean": x.mean(0).tolist(), "std": x.std(0).tolist()}
    p = draw(rng, [6, 8, 7, 4], gain=1.5).astype(np.float32)
    result.append(("relu_softmax_standardize_f32", model_file("relu_softmax_standardize_f32", [6, 8, 7, 4], ["relu", "relu", "softmax"], "float32", p, ["0", "1", "2", "3"], pre), x))

    # One sigmoid output unit (label = p > 0.5), tanh hidden, no preprocessing, float32
    x = rng.normal(0, 1.5, size=(20, 3))
    p = draw(rng, [3, 4, 1], gain=2).astype(np.float32)
    result.append(("tanh_single_sigmoid_f32", model_file("tanh_single_sigmoid_f32", [3, 4, 1], ["tanh", "sigmoid"], "float32", p, ["neg", "pos"]), x))

    # Pixels 0..255 to [-1, 1] (a fixed range), identity output, float32, 2x2 images
    x = rng.randint(0, 256, size=(10, 4)).astype(np.float64)
    pre = {"kind": "MinMax", "featureCount": 4, "lo": -1.0, "hi": 1.0, "min": [0.0] * 4, "max": [255.0] * 4}
    p = draw(rng, [4, 3, 2]).astype(np.float32)
    result.append(("pixels_identity_f32", model_file("pixels_identity_f32", [4, 3, 2], ["relu", "identity"], "float32", p, ["left", "right"], pre,
                                                     loss="squared-error", image={"height": 2, "width": 2, "channels": 1, "column_major": False}), x))
    return result


# ---- NumPy forward pass straight from the model file (the reference) ----

def act(name, z):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "identity":
        return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def reference(m, x):
    dtype = np.float32 if m["precision"] == "float32" else np.float64
    p = np.frombuffer(base64.b64decode(m["parameters"]["base64"]), dtype="<f4" if dtype == np.float32 else "<f8").astype(np.float64)
    h = x.astype(np.float64).copy()
    pre = m["preprocessing"]
    if pre is not None and pre["kind"] == "MinMax":
        rng_ = np.array(pre["max"]) - np.array(pre["min"])
        scale = (pre["hi"] - pre["lo"]) / np.where(rng_ == 0, 1, rng_)
        h = h * scale + (pre["lo"] - np.array(pre["min"]) * scale)
    elif pre is not None and pre["kind"] == "Standardize":
        std = np.array(pre["std"])
        h = (h - np.array(pre["mean"])) / np.where(std == 0, 1, std)
    at = 0
    for i, o, a in zip(m["layers"][:-1], m["layers"][1:], m["activations"]):
        w = p[at:at + o * i].reshape(o, i); at += o * i
        b = p[at:at + o]; at += o
        h = act(a, h @ w.T + b)
    labels = (h[:, 0] > 0.5).astype(np.int64) if h.shape[1] == 1 else h.argmax(axis=1)
    return h, labels


# ---- A NumPy interpreter of the ONNX operators the exporter uses (semantics from the ONNX operator docs) ----

def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, x):
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        i = [env[n] for n in node.input]
        a = attrs(node)
        op = node.op_type
        if op == "Gemm":
            A, B, C = i
            A = A.T if a.get("transA", 0) else A
            B = B.T if a.get("transB", 0) else B
            y = a.get("alpha", 1.0) * (A @ B) + a.get("beta", 1.0) * C
        elif op in ("Mul", "Add", "Sub", "Div"):
            y = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op](i[0], i[1])
        elif op in ("Sigmoid", "Tanh", "Relu", "Identity"):
            y = act(op.lower(), i[0])
        elif op == "Softmax":
            assert a["axis"] in (-1, 1)
            y = act("softmax", i[0])
        elif op == "ArgMax":
            y = np.argmax(i[0], axis=a["axis"])
            if a.get("keepdims", 1):
                y = np.expand_dims(y, a["axis"])
            y = y.astype(np.int64)
        elif op == "Greater":
            y = i[0] > i[1]
        elif op == "Cast":
            y = i[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif op == "Squeeze":
            y = np.squeeze(i[0], axis=tuple(int(v) for v in i[1]))
        else:
            raise ValueError(f"unexpected operator {op}")
        env[node.output[0]] = y
    return [env[o.name] for o in model.graph.output]


def dims(value_info):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check(name, m, x, onnx_path):
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    found = {v.name: dims(v) for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    n_in, n_out = m["layers"][0], m["layers"][-1]
    elem = onnx.TensorProto.FLOAT
    assert model.ir_version == 8 and [(o.domain, o.version) for o in model.opset_import] == [("", 13)], (model.ir_version, model.opset_import)
    assert model.producer_name == "Backprop"
    g = model.graph
    assert [i.name for i in g.input] == ["input"] and dims(g.input[0]) == ["N", n_in]
    assert g.input[0].type.tensor_type.elem_type == elem
    assert [o.name for o in g.output] == ["probabilities", "label"]
    assert dims(g.output[0]) == ["N", n_out] and dims(g.output[1]) == ["N"]
    assert g.output[1].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert found["probabilities"] == ["N", n_out] and found["label"] == ["N"], found
    # one Gemm per layer with W [out, in] and transB = 1
    gemms = [nd for nd in g.node if nd.op_type == "Gemm"]
    init = {t.name: list(t.dims) for t in g.initializer}
    assert len(gemms) == len(m["layers"]) - 1
    for l, nd in enumerate(gemms):
        assert attrs(nd) == {"transB": 1}, attrs(nd)
        assert init[nd.input[1]] == [m["layers"][l + 1], m["layers"][l]] and init[nd.input[2]] == [m["layers"][l + 1]]
    meta = {p.key: p.value for p in model.metadata_props}
    assert json.loads(meta["classes"]) == m["classes"], meta
    assert meta["network"].startswith("-".join(map(str, m["layers"])))

    x32 = x.astype(np.float32)
    probs, labels = run_graph(model, x32)
    ref_p, ref_l = reference(m, x)
    diff = float(np.abs(probs.astype(np.float64) - ref_p).max())
    assert diff <= 1e-5, (name, diff)
    assert (labels == ref_l).all(), (name, labels, ref_l)
    return {"operators": [nd.op_type for nd in g.node], "checker": "passed", "shape_inference": found["probabilities"],
            "numpy_graph_vs_reference_max_abs_diff": diff}


def check_mat(m, x, mat_path):
    """The .mat file as MATLAB would use it: scale X, then a = f([1 a] * Theta') layer by layer (predict.m)."""
    v = scipy.io.loadmat(mat_path)
    acts = str(v["activations"][0]).split(",")
    assert acts == m["activations"], acts
    assert [str(r).rstrip() for r in v["classes"]] == m["classes"], v["classes"]
    h = x.astype(np.float64)
    if "x_scale" in v:
        h = h * v["x_scale"] + v["x_offset"]
    elif "x_mean" in v:
        h = (h - v["x_mean"]) / v["x_std"]
    else:
        assert m["preprocessing"] is None
    for l, a in enumerate(acts):
        theta = v[f"Theta{l + 1}"]
        assert theta.dtype == np.float64 and theta.shape == (m["layers"][l + 1], m["layers"][l] + 1)
        h = act(a, np.hstack([np.ones((h.shape[0], 1)), h]) @ theta.T)
    ref_p, _ = reference(m, x)
    diff = float(np.abs(h - ref_p).max())
    assert diff <= 1e-12, diff
    return diff


def main():
    os.makedirs(MODELS, exist_ok=True)
    expected = {"onnx_package": onnx.__version__, "numpy": np.__version__, "cases": []}
    for name, m, x in cases():
        json_path = os.path.join(MODELS, name + ".json")
        onnx_path = os.path.join(MODELS, name + ".onnx")
        mat_path = os.path.join(MODELS, name + ".mat")
        with open(json_path, "w") as f:
            json.dump(m, f, indent=2)
        subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "src", "Backprop.Cli"), "--",
                        "export", "--model", json_path, "--onnx", onnx_path, "--matlab", mat_path, "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        result = check(name, m, x, onnx_path)
        result["matlab_vs_reference_max_abs_diff"] = check_mat(m, x, mat_path)
        ref_p, ref_l = reference(m, x)
        print(f"{name}: checker passed, ops {' '.join(result['operators'])}, NumPy graph vs reference {result['numpy_graph_vs_reference_max_abs_diff']:.3e}, "
              f".mat vs reference {result['matlab_vs_reference_max_abs_diff']:.3e}")
        expected["cases"].append({"name": name, "count": int(x.shape[0]), "features": int(x.shape[1]), "x": x.ravel().tolist(),
                                  "probabilities": ref_p.ravel().tolist(), "labels": ref_l.tolist(), **result})
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
