#!/usr/bin/python3
"""Tiny QDQ models that probe what onnxruntime accepts for int8 (and a few
int4 / int16) post-training-quantized graphs.

Run with Debian's Python, onnx, numpy and torch (torch only computes the
float64 reference of the conv and matmul):

    /usr/bin/python3 scripts/reference/make_qdq_probe_models.py [OUT_DIR]

Writes, deterministically (fixed seed, no timestamps):
  OUT_DIR/<name>.onnx, OUT_DIR/<name>_input.npy, OUT_DIR/<name>_expected.npy
  OUT_DIR/probe.json   one entry per model: what it tests, the output's scale and
                       zero point (to compare codes, not floats)
  tests/fixtures/ptq/qdq_conv_smoke.onnx (+ _input.npy, _expected.npy, .json):
                       the int8 smoke model, a copy of conv_s8act_s8w_pc_op13

OUT_DIR defaults to /tmp/quantlab_qdq_probe; scripts/reference/ort_qdq_probe.mjs
runs every model with onnxruntime-node and writes ort_qdq_probe.json.

Every model is the QDQ pattern a post-training quantizer writes:

    x -> QuantizeLinear -> DequantizeLinear --\
    w_q (int8 initializer) -> DequantizeLinear (per-tensor or per-channel) -> Conv | Gemm | MatMul(+Add)
    b_q (int32 initializer) -> DequantizeLinear (scale x_scale * w_scale) -/
    -> Relu -> QuantizeLinear -> DequantizeLinear -> y

The expected output is the ONNX semantics in float64: dequantize everything, run
the float op, Relu, QuantizeLinear (x / scale rounded half to even, plus zero
point, saturated), DequantizeLinear. An engine that fuses the pattern into
QLinearConv / QGemm requantizes in float32 and may differ by one output code.
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE_DIR = os.path.join(ROOT, "tests", "fixtures", "ptq")
SMOKE = "conv_s8act_s8w_pc_op13"

# ONNX 1.12 predates INT4 (opset 21); the enum values of onnx.proto.
INT4, UINT4 = 22, 21
IR_FOR_OPSET = {10: 5, 13: 7, 17: 8, 19: 9, 21: 10}

# s7: int8 storage with 7-bit codes [-64, 63] (onnxruntime's reduce_range for weights).
RANGES = {"s8": (-128, 127), "s7": (-64, 63), "u8": (0, 255), "s16": (-32768, 32767), "s4": (-8, 7), "u4": (0, 15)}
NP_DTYPE = {"s8": np.int8, "s7": np.int8, "u8": np.uint8, "s16": np.int16, "s4": np.int8, "u4": np.uint8}
ONNX_DTYPE = {"s8": TensorProto.INT8, "s7": TensorProto.INT8, "u8": TensorProto.UINT8, "s16": TensorProto.INT16,
              "s4": INT4, "u4": UINT4}


def f32(a):
    return np.asarray(a, dtype=np.float32)


def asym_params(lo, hi, kind):
    """Min-max affine parameters, the range widened to include 0 (float32 scale)."""
    qmin, qmax = RANGES[kind]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32((hi - lo) / (qmax - qmin))
    zp = int(np.clip(qmin - np.round(lo / np.float64(scale)), qmin, qmax))
    return scale, zp


def sym_params(absmax, kind):
    """Symmetric parameters: scale = absmax / qmax, zero point 0 (128 / 8 for unsigned)."""
    qmin, qmax = RANGES[kind]
    half = (qmax - qmin) / 2.0
    scale = f32(absmax / np.floor(half))
    zp = 0 if qmin < 0 else int(np.ceil(half))
    return scale, zp


def quantize(x, scale, zp, kind, axis=None):
    """ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp), x / scale in float32."""
    qmin, qmax = RANGES[kind]
    x = f32(x)
    scale = f32(scale)
    zp = np.asarray(zp, dtype=np.float64)
    if axis is not None and scale.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return np.clip(np.rint((x / scale).astype(np.float64)) + zp, qmin, qmax).astype(np.int64)


def dequantize(q, scale, zp, axis=None):
    scale = np.asarray(scale, dtype=np.float64)
    zp = np.asarray(zp, dtype=np.float64)
    if axis is not None and scale.ndim == 1:
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return (q.astype(np.float64) - zp) * scale


def int_tensor(name, q, kind):
    """An integer initializer; int4 / uint4 packed two to a byte, first element in the low nibble."""
    q = np.asarray(q)
    if kind in ("s4", "u4"):
        flat = (q.reshape(-1).astype(np.int64) & 0xF).astype(np.uint8)
        if flat.size % 2:
            flat = np.append(flat, np.uint8(0))
        packed = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8)
        t = TensorProto()
        t.name = name
        t.data_type = ONNX_DTYPE[kind]
        t.dims.extend(q.shape)
        t.raw_data = packed.tobytes()
        return t
    return numpy_helper.from_array(q.astype(NP_DTYPE[kind]), name)


def scale_tensor(name, s):
    return numpy_helper.from_array(f32(s), name)


def zp_tensor(name, zp, kind, shape=()):
    return int_tensor(name, np.full(shape, zp) if np.isscalar(zp) else np.asarray(zp), kind)


class Builder:
    """Collects nodes and initializers of one QDQ model."""

    def __init__(self, opset):
        self.opset = opset
        self.nodes, self.inits = [], []

    def init(self, t):
        self.inits.append(t)
        return t.name

    def node(self, op, inputs, outputs, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=f"{op}_{len(self.nodes)}", **attrs))
        return outputs[0]

    def qdq(self, x, name, scale, zp, kind):
        s = self.init(scale_tensor(f"{name}_scale", scale))
        z = self.init(zp_tensor(f"{name}_zp", zp, kind))
        q = self.node("QuantizeLinear", [x, s, z], [f"{name}_q"])
        return self.node("DequantizeLinear", [q, s, z], [f"{name}_dq"])

    def dq_const(self, name, q, scale, zp, kind, axis=None, block_size=None):
        """DequantizeLinear of a quantized initializer (zp None: the input is omitted)."""
        inputs = [self.init(int_tensor(f"{name}_quantized", q, kind)), self.init(scale_tensor(f"{name}_scale", scale))]
        if zp is not None:
            inputs.append(self.init(int_tensor(f"{name}_zp", np.asarray(zp), kind)))
        attrs = {}
        if axis is not None:
            attrs["axis"] = axis
        if block_size is not None:
            attrs["block_size"] = block_size
        return self.node("DequantizeLinear", inputs, [f"{name}_dq"], **attrs)

    def model(self, x_shape, y_shape, name):
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
            self.inits)
        m = helper.make_model(graph, producer_name="quantlab-qdq-probe",
                              opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = IR_FOR_OPSET[self.opset]
        if self.opset <= 17 and all(t.data_type not in (INT4, UINT4) for t in self.inits):
            onnx.checker.check_model(m)  # ONNX 1.12 knows opsets up to 17
        return m


def weight_params(w, kind, per_channel, axis):
    """Symmetric weight parameters (signed) or min-max affine (unsigned), per tensor or along `axis`."""
    if per_channel:
        red = tuple(i for i in range(w.ndim) if i != axis)
        if kind.startswith("s"):
            ps = [sym_params(float(a), kind) for a in np.abs(w).max(axis=red)]
        else:
            ps = [asym_params(float(lo), float(hi), kind) for lo, hi in zip(w.min(axis=red), w.max(axis=red))]
        return f32([p[0] for p in ps]), np.array([p[1] for p in ps])
    if kind.startswith("s"):
        s, z = sym_params(float(np.abs(w).max()), kind)
    else:
        s, z = asym_params(float(w.min()), float(w.max()), kind)
    return f32(s), np.array(z)


def make_case(rng, name, op, opset, act, wk, per_channel, *, quant_bias=True, groups=1, trans_b=1,
              block_size=None):
    """One probe model. Returns (model, x, expected, entry)."""
    b = Builder(opset)
    if op == "conv":
        cin, cout, k = (4, 4, 3) if groups > 1 else (3, 5, 3)
        x = f32(rng.normal(0.2, 1.0, size=(2, cin, 8, 8)))
        w = f32(rng.normal(0.0, 0.4, size=(cout, cin // groups, k, k)))
        w[1] *= 0.1  # channels of very different ranges: per-channel matters
        bias = f32(rng.normal(0.0, 0.3, size=(cout,)))
        w_axis = 0
        y_shape = [2, cout, 8, 8]
    else:
        kdim, n = (32, 6) if block_size else (12, 7)
        x = f32(rng.normal(0.2, 1.0, size=(5, kdim)))
        w_kn = f32(rng.normal(0.0, 0.4, size=(kdim, n)))
        w_kn[:, 1] *= 0.1
        bias = f32(rng.normal(0.0, 0.3, size=(n,)))
        if op == "gemm" and trans_b:
            w, w_axis = np.ascontiguousarray(w_kn.T), 0   # [N, K], output channel = axis 0
        else:
            w, w_axis = w_kn, 1                            # [K, N], output channel = axis 1
        y_shape = [5, n]
    x_scale, x_zp = asym_params(float(x.min()), float(x.max()), act)

    if block_size:
        # Blocked (opset 21): one scale per block_size consecutive K values of each column.
        blocks = w.reshape(-1, block_size, w.shape[1])
        absmax = np.abs(blocks).max(axis=1)                      # [K / bs, N]
        w_scale = f32(absmax / RANGES[wk][1])
        w_zp = None
        w_q = quantize(w, np.repeat(w_scale, block_size, axis=0), 0, wk)
        w_deq = dequantize(w_q, np.repeat(w_scale, block_size, axis=0), 0)
        bias_scale = None
    else:
        w_scale, w_zp = weight_params(w, wk, per_channel, w_axis)
        ax = w_axis if per_channel else None
        w_q = quantize(w, w_scale, w_zp, wk, axis=ax)
        w_deq = dequantize(w_q, w_scale, w_zp, axis=ax)
        bias_scale = f32(np.float32(x_scale) * w_scale)

    # Float64 reference up to the output quantizer.
    x_deq = dequantize(quantize(x, x_scale, x_zp, act), x_scale, x_zp)
    if quant_bias and bias_scale is not None:
        b_q = np.round(bias.astype(np.float64) / bias_scale.astype(np.float64)).astype(np.int64)
        b_deq = b_q * bias_scale.astype(np.float64)
    else:
        b_deq = bias.astype(np.float64)
    if op == "conv":
        acc = F.conv2d(torch.from_numpy(x_deq), torch.from_numpy(w_deq), torch.from_numpy(b_deq),
                       padding=1, groups=groups).numpy()
    elif op == "gemm":
        acc = x_deq @ (w_deq.T if trans_b else w_deq) + b_deq
    else:
        acc = x_deq @ w_deq + b_deq
    pre = np.maximum(acc, 0.0)
    y_scale, y_zp = asym_params(0.0, float(pre.max()), act)
    y_q = quantize(pre, y_scale, y_zp, act)
    expected = f32(dequantize(y_q, y_scale, y_zp))

    # The graph.
    xq = b.qdq("x", "x", x_scale, x_zp, act)
    wq = b.dq_const("w", w_q, w_scale,
                    None if w_zp is None else (w_zp if per_channel else w_zp.reshape(())), wk,
                    axis=(0 if block_size else w_axis if per_channel else None), block_size=block_size)
    if quant_bias and bias_scale is not None:
        bq = b.dq_const("b", b_q.astype(np.int32), bias_scale if per_channel else bias_scale.reshape(()), None,
                        "s32", axis=(0 if per_channel else None))
    else:
        bq = b.init(numpy_helper.from_array(bias, "b"))
    if op == "conv":
        out = b.node("Conv", [xq, wq, bq], ["conv_out"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=groups)
    elif op == "gemm":
        out = b.node("Gemm", [xq, wq, bq], ["gemm_out"], transB=trans_b)
    else:
        mm = b.node("MatMul", [xq, wq], ["matmul_out"])
        out = b.node("Add", [mm, bq], ["add_out"])
    r = b.node("Relu", [out], ["relu_out"])
    ys = b.init(scale_tensor("y_scale", y_scale))
    yz = b.init(zp_tensor("y_zp", y_zp, act))
    yq = b.node("QuantizeLinear", [r, ys, yz], ["y_q"])
    b.node("DequantizeLinear", [yq, ys, yz], ["y"])
    model = b.model(list(x.shape), y_shape, name)

    entry = {
        "name": name, "file": f"{name}.onnx", "op": op, "opset": opset,
        "activations": act, "weights": wk,
        "weight_granularity": "block" if block_size else ("channel" if per_channel else "tensor"),
        "weight_axis": 0 if block_size else (w_axis if per_channel else None),
        "block_size": block_size, "groups": groups, "transB": trans_b if op == "gemm" else None,
        "bias": "int32 behind DequantizeLinear" if (quant_bias and bias_scale is not None) else "float32",
        "input_shape": list(x.shape), "output_shape": y_shape,
        "x_scale": float(x_scale), "x_zero_point": int(x_zp),
        "y_scale": float(y_scale), "y_zero_point": int(y_zp),
    }
    return model, x, expected, entry


# name, op, opset, activations, weights, per-channel, extra
CASES = [
    ("conv_s8act_s8w_pc_op13", "conv", 13, "s8", "s8", True, {}),
    ("conv_u8act_s8w_pc_op13", "conv", 13, "u8", "s8", True, {}),
    ("conv_s8act_s7w_pc_op13", "conv", 13, "s8", "s7", True, {}),
    ("conv_u8act_s7w_pc_op13", "conv", 13, "u8", "s7", True, {}),
    ("conv_u8act_u8w_pc_op13", "conv", 13, "u8", "u8", True, {}),
    ("conv_s8act_u8w_pc_op13", "conv", 13, "s8", "u8", True, {}),
    ("conv_s8act_s8w_pt_op13", "conv", 13, "s8", "s8", False, {}),
    ("conv_u8act_u8w_pt_op13", "conv", 13, "u8", "u8", False, {}),
    ("conv_u8act_u8w_pt_op10", "conv", 10, "u8", "u8", False, {}),
    ("conv_s8act_s8w_pt_op10", "conv", 10, "s8", "s8", False, {}),
    ("conv_s8act_s8w_pc_op13_floatbias", "conv", 13, "s8", "s8", True, {"quant_bias": False}),
    ("dwconv_s8act_s8w_pc_op13", "conv", 13, "s8", "s8", True, {"groups": 4}),
    ("dwconv_u8act_s8w_pc_op13", "conv", 13, "u8", "s8", True, {"groups": 4}),
    ("conv_s8act_s8w_pc_op17", "conv", 17, "s8", "s8", True, {}),
    ("conv_s8act_s8w_pc_op19", "conv", 19, "s8", "s8", True, {}),
    ("conv_s8act_s8w_pc_op21", "conv", 21, "s8", "s8", True, {}),
    ("conv_s16act_s8w_pc_op21", "conv", 21, "s16", "s8", True, {}),
    ("conv_s8act_s4w_pc_op21", "conv", 21, "s8", "s4", True, {}),
    ("gemm_s8act_s8w_pc_axis0_transB1_op13", "gemm", 13, "s8", "s8", True, {"trans_b": 1}),
    ("gemm_u8act_s8w_pc_axis0_transB1_op13", "gemm", 13, "u8", "s8", True, {"trans_b": 1}),
    ("gemm_s8act_s8w_pc_axis1_transB0_op13", "gemm", 13, "s8", "s8", True, {"trans_b": 0}),
    ("gemm_s8act_s8w_pt_transB1_op13", "gemm", 13, "s8", "s8", False, {"trans_b": 1}),
    ("matmul_s8act_s8w_pc_axis1_op13", "matmul", 13, "s8", "s8", True, {}),
    ("matmul_u8act_s8w_pc_axis1_op13", "matmul", 13, "u8", "s8", True, {}),
    ("matmul_u8act_u8w_pc_axis1_op13", "matmul", 13, "u8", "u8", True, {}),
    ("matmul_s8act_s8w_pt_op13", "matmul", 13, "s8", "s8", False, {}),
    ("matmul_s8act_s4w_block16_op21", "matmul", 21, "s8", "s4", False, {"block_size": 16}),
]

RANGES["s32"] = (-2**31, 2**31 - 1)
NP_DTYPE["s32"] = np.int32
ONNX_DTYPE["s32"] = TensorProto.INT32


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/quantlab_qdq_probe"
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    entries = []
    for name, op, opset, act, wk, pc, extra in CASES:
        rng = np.random.RandomState(20260611)  # same data for every variant of an op
        model, x, expected, entry = make_case(rng, name, op, opset, act, wk, pc, **extra)
        onnx.save(model, os.path.join(out_dir, f"{name}.onnx"))
        np.save(os.path.join(out_dir, f"{name}_input.npy"), x)
        np.save(os.path.join(out_dir, f"{name}_expected.npy"), expected)
        entries.append(entry)
        if name == SMOKE:
            for suffix in (".onnx", "_input.npy", "_expected.npy"):
                shutil.copyfile(os.path.join(out_dir, name + suffix),
                                os.path.join(FIXTURE_DIR, "qdq_conv_smoke" + suffix))
            smoke = dict(entry, name="qdq_conv_smoke", file="qdq_conv_smoke.onnx",
                         input="qdq_conv_smoke_input.npy", expected="qdq_conv_smoke_expected.npy",
                         generator="scripts/reference/make_qdq_probe_models.py")
            with open(os.path.join(FIXTURE_DIR, "qdq_conv_smoke.json"), "w") as f:
                json.dump(smoke, f, indent=2)
                f.write("\n")
    with open(os.path.join(out_dir, "probe.json"), "w") as f:
        json.dump(entries, f, indent=2)
        f.write("\n")
    print(f"wrote {len(entries)} probe models to {out_dir}")


if __name__ == "__main__":
    main()
