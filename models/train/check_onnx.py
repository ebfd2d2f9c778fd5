#!/usr/bin/python3
"""Check the bundled ONNX models without PyTorch or onnxruntime.

A small numpy interpreter for exactly the ops the bundled models use runs
every model in models.json on the bundled test images and compares

- the logits of the first 64 images with data/reference_logits_<id>.npy,
- the accuracy on the 1000 bundled images with models.json,
- file size and op list with models.json.

    /usr/bin/python3 models/train/check_onnx.py [--models-dir models]

Exits non-zero on any mismatch.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    group = a.get("group", 1)
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    if a.get("dilations", [1, 1]) != [1, 1]:
        raise NotImplementedError("dilated Conv")
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    # patches [n, c, kh, kw, oh, ow]
    patches = np.empty((n, c, kh, kw, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patches[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    mg = m // group
    out = np.empty((n, m, oh, ow), dtype=np.float64)
    for g in range(group):
        p = patches[:, g * cg:(g + 1) * cg]                      # [n, cg, kh, kw, oh, ow]
        wg = w[g * mg:(g + 1) * mg].astype(np.float64)          # [mg, cg, kh, kw]
        out[:, g * mg:(g + 1) * mg] = np.einsum("nckluv,mckl->nmuv", p, wg)
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def maxpool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if any(a.get("pads", [0, 0, 0, 0])) or a.get("ceil_mode", 0):
        raise NotImplementedError("padded/ceil MaxPool")
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.full((n, c, oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw])
    return out


def run(model, x):
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x.astype(np.float64)
    for node in g.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op == "Conv":
            y = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "BatchNormalization":
            xx, s, bb, mean, var = ins
            eps = a.get("epsilon", 1e-5)
            sh = (1, -1, 1, 1)
            y = (xx - mean.reshape(sh)) / np.sqrt(var.reshape(sh).astype(np.float64) + eps) * s.reshape(sh) + bb.reshape(sh)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "MaxPool":
            y = maxpool(ins[0], a)
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = a.get("alpha", 1.0) * (A @ B.astype(np.float64))
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
        elif op == "Shape":
            y = np.array(ins[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(ins[0], ins[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            y = ins[0]
            for ax in sorted(int(v) for v in ins[1]):
                y = np.expand_dims(y, ax)
        elif op == "Concat":
            y = np.concatenate([np.atleast_1d(v) for v in ins], axis=a.get("axis", 0))
        elif op == "Reshape":
            y = ins[0].reshape([int(v) for v in ins[1]])
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y
    return env[g.output[0].name].astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", default=MODELS_DIR)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    d = args.models_dir
    with open(os.path.join(d, "models.json")) as f:
        manifest = json.load(f)
    pp = manifest["input_preprocessing"]
    u8 = np.load(os.path.join(d, manifest["data"]["test"]["images"]))
    labels = np.load(os.path.join(d, manifest["data"]["test"]["labels"]))
    assert u8.dtype == np.uint8 and u8.shape == (1000, 1, 28, 28), (u8.dtype, u8.shape)
    assert labels.dtype == np.int64 and labels.shape == (1000,), (labels.dtype, labels.shape)
    x = (u8.astype(np.float32) / np.float32(255) - np.float32(pp["mean"])) / np.float32(pp["std"])
    failures = 0
    for m in manifest["models"]:
        path = os.path.join(d, m["file"])
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        ops = {}
        for n in model.graph.node:
            ops[n.op_type] = ops.get(n.op_type, 0) + 1
        ref = np.load(os.path.join(d, m["reference_logits"]["file"]))
        logits = np.concatenate([run(model, x[i:i + 100]) for i in range(0, len(x), 100)])
        diff = float(np.abs(logits[:len(ref)] - ref).max())
        acc = round(100.0 * float((logits.argmax(1) == labels).mean()), 2)
        checks = {
            "reference logits max |diff| %.2e <= %.0e" % (diff, args.tolerance): diff <= args.tolerance,
            "bundled accuracy %.2f%% == manifest %.2f%%" % (acc, m["accuracy"]["fp32_bundled_test"]):
                abs(acc - m["accuracy"]["fp32_bundled_test"]) < 1e-9,
            "file size %d == manifest" % os.path.getsize(path): os.path.getsize(path) == m["file_size_bytes"],
            "ops == manifest": dict(sorted(ops.items())) == m["ops"],
            "opset %d" % model.opset_import[0].version: model.opset_import[0].version == m["opset"],
            "BatchNormalization kept" if "Conv" in ops else "no Conv":
                ("BatchNormalization" in ops) == ("Conv" in ops),
        }
        for what, ok in checks.items():
            print(f"{'ok  ' if ok else 'FAIL'} {m['id']}: {what}")
            failures += not ok
    print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
