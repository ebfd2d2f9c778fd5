#!/usr/bin/python3
"""PyTorch's own static post-training quantization of the bundled models, as a
reference number for quantlab's PTQ.

Run with Debian's Python, PyTorch, onnx and numpy (apt-get install
python3-torch python3-onnx python3-numpy):

    /usr/bin/python3 scripts/reference/torch_static_ptq.py [--models cnn,dwcnn,mlp]

Nothing is retrained: the model classes come from models/train/train_fashion_mnist.py
and every weight, BatchNorm statistic and bias is read from the bundled .onnx
file (its initializers carry the PyTorch state_dict names). The script checks
that the rebuilt fp32 model reproduces models/data/reference_logits_<id>.npy.

Then, with torch.backends.quantized.engine = 'qnnpack':
  eager  torch.ao.quantization eager mode: fuse Conv-BN(-ReLU) and Linear-ReLU
         (fuse_modules), the residual Add + ReLU through FloatFunctional.add_relu,
         QuantWrapper (QuantStub at the input, DeQuantStub at the output),
         prepare, calibrate, convert
  fx     quantize_fx.prepare_fx / convert_fx with the same qconfig (FX fuses and
         places the observers itself)
each with two qconfigs:
  per_tensor   torch.ao.quantization.get_default_qconfig('qnnpack'): activations
               HistogramObserver(quint8, reduce_range=False), weights
               MinMaxObserver(qint8, per_tensor_symmetric)
  per_channel  the same activations, weights default_per_channel_weight_observer
               (PerChannelMinMaxObserver(qint8, per_channel_symmetric, ch_axis 0))
Calibration: the 200 images of models/data/calib_images_u8.npy in one batch;
evaluation: the 1,000 images of models/data/test_images_u8.npy and test_labels.npy.
Input: x = (u8 / 255 - 0.2860) / 0.3530, float32.

Writes scripts/reference/torch_static_ptq.json and prints a table.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import types
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

torch.set_num_threads(1)
warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "models")
sys.path.insert(0, os.path.join(MODELS, "train"))
import data  # noqa: E402  (models/train/data.py)
import train_fashion_mnist as tfm  # noqa: E402

from torch.ao.quantization import (  # noqa: E402
    QConfig, QConfigMapping, QuantWrapper, convert, default_per_channel_weight_observer,
    fuse_modules, get_default_qconfig, prepare)
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx  # noqa: E402

OUT = os.path.join(ROOT, "scripts", "reference", "torch_static_ptq.json")
SCRIPT = "scripts/reference/torch_static_ptq.py"


def torch_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout:
            return out.stdout.split("+")[0].split("-")[0]
    except OSError:
        pass
    return torch.__version__


# ------------------------------------------------------------------ rebuilding the fp32 models

def plain_linears(module):
    """train_fashion_mnist.Linear (trains through a 1x1 conv) -> nn.Linear with the same weights:
    the quantization flows map module types exactly, and a subclass is not nn.Linear to them."""
    for name, child in module.named_children():
        if isinstance(child, tfm.Linear):
            lin = nn.Linear(child.in_features, child.out_features, bias=child.bias is not None)
            lin.load_state_dict(child.state_dict())
            setattr(module, name, lin)
        else:
            plain_linears(child)


def load_from_onnx(model_id):
    spec = tfm.SPECS[model_id]
    model = spec["cls"]()
    proto = onnx.load(os.path.join(MODELS, spec["file"]))
    state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in proto.graph.initializer}
    own = model.state_dict()
    used = {k: v for k, v in state.items() if k in own}
    missing = [k for k in own if k not in used and not k.endswith("num_batches_tracked")]
    if missing:
        raise SystemExit(f"{spec['file']}: no initializer for {missing}")
    for k, v in used.items():
        if tuple(v.shape) != tuple(own[k].shape):
            raise SystemExit(f"{spec['file']}: {k} has shape {tuple(v.shape)}, the model {tuple(own[k].shape)}")
    model.load_state_dict(used, strict=False)
    # BatchNorm epsilon as exported (PyTorch's default 1e-5).
    eps = {n.name: a.f for n in proto.graph.node if n.op_type == "BatchNormalization"
           for a in n.attribute if a.name == "epsilon"}
    for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
        assert all(abs(e - bn.eps) < 1e-9 for e in eps.values()), eps
    plain_linears(model)
    return model.eval()


# ------------------------------------------------------------------ data

def tensors():
    calib = torch.from_numpy(data.normalize(np.load(os.path.join(MODELS, "data", "calib_images_u8.npy"))))
    test_x = torch.from_numpy(data.normalize(np.load(os.path.join(MODELS, "data", "test_images_u8.npy"))))
    test_y = torch.from_numpy(np.load(os.path.join(MODELS, "data", "test_labels.npy")))
    return calib, test_x, test_y


@torch.no_grad()
def logits_of(model, x, batch=250):
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


# ------------------------------------------------------------------ quantization flows

QCONFIGS = {
    "per_tensor": lambda: get_default_qconfig("qnnpack"),
    "per_channel": lambda: QConfig(activation=get_default_qconfig("qnnpack").activation,
                                   weight=default_per_channel_weight_observer),
}


def _residual_forward(self, x):
    """ResidualBlock.forward with the Add + ReLU as one FloatFunctional.add_relu (eager mode
    cannot quantize a Python `+`). After fusion bn1/relu1/bn2 are Identity."""
    y = self.relu1(self.bn1(self.conv1(x)))
    y = self.bn2(self.conv2(y))
    return self.skip_add.add_relu(y, x)


def fusion_groups(model):
    """Conv-BN(-ReLU) and Linear-ReLU module groups for fuse_modules."""
    groups = []
    for name, mod in model.named_modules():
        if isinstance(mod, tfm.ResidualBlock):
            groups += [[f"{name}.conv1", f"{name}.bn1", f"{name}.relu1"], [f"{name}.conv2", f"{name}.bn2"]]
        elif isinstance(mod, nn.Sequential):
            kids = list(mod.named_children())
            i = 0
            while i < len(kids):
                if isinstance(kids[i][1], nn.Conv2d) and i + 1 < len(kids) and isinstance(kids[i + 1][1], nn.BatchNorm2d):
                    n = 3 if i + 2 < len(kids) and isinstance(kids[i + 2][1], nn.ReLU) else 2
                    groups.append([f"{name}.{k}" for k, _ in kids[i:i + n]])
                    i += n
                else:
                    i += 1
    if isinstance(model, tfm.FashionMLP):
        groups += [["fc1", "relu1"], ["fc2", "relu2"]]
    return groups


def quantize_eager(model, qconfig, calib):
    m = copy.deepcopy(model).eval()
    for mod in m.modules():
        if isinstance(mod, tfm.ResidualBlock):
            mod.skip_add = torch.ao.nn.quantized.FloatFunctional()
            mod.forward = types.MethodType(_residual_forward, mod)
    fuse_modules(m, fusion_groups(m), inplace=True)
    w = QuantWrapper(m).eval()
    w.qconfig = qconfig
    prepare(w, inplace=True)
    with torch.no_grad():
        w(calib)
    convert(w, inplace=True)
    return w


def quantize_fx(model, qconfig, calib):
    m = copy.deepcopy(model).eval()
    prepared = prepare_fx(m, QConfigMapping().set_global(qconfig), example_inputs=(calib[:1],))
    with torch.no_grad():
        prepared(calib)
    return convert_fx(prepared)


FLOWS = {"eager": quantize_eager, "fx": quantize_fx}


def weight_granularities(qmodel):
    """'tensor' / 'channel': the granularity of the converted model's weights (to confirm what
    qnnpack got; its packed weights unpack as *_affine qschemes with zero point 0)."""
    kinds = set()
    for mod in qmodel.modules():
        w = getattr(mod, "weight", None)
        if callable(w):
            try:
                q = w().qscheme()
            except Exception:  # noqa: BLE001  (modules whose weight() is not a quantized tensor)
                continue
            kinds.add("channel" if q in (torch.per_channel_affine, torch.per_channel_symmetric) else "tensor")
    return sorted(kinds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="cnn,dwcnn,mlp", help="comma-separated ids of models/models.json")
    args = ap.parse_args()
    torch.backends.quantized.engine = "qnnpack"
    calib, test_x, test_y = tensors()

    results = {}
    for model_id in args.models.split(","):
        model = load_from_onnx(model_id)
        ref = np.load(os.path.join(MODELS, "data", f"reference_logits_{model_id}.npy"))
        fp32_logits = logits_of(model, test_x)
        ref_diff = float(np.abs(fp32_logits[:len(ref)].numpy() - ref).max())
        assert ref_diff <= 1e-4, (model_id, ref_diff)
        fp32_pred = fp32_logits.argmax(1)
        fp32_acc = 100.0 * float((fp32_pred == test_y).float().mean())
        entry = {"file": tfm.SPECS[model_id]["file"], "fp32_accuracy": round(fp32_acc, 2),
                 "fp32_max_abs_diff_vs_reference_logits": ref_diff, "int8": {}}
        print(f"{model_id}: fp32 {fp32_acc:.1f}% (rebuilt from {entry['file']}, "
              f"max |logit - reference| {ref_diff:.1e})")
        for flow, quantize in FLOWS.items():
            for qname, make_qconfig in QCONFIGS.items():
                key = f"{flow}_{qname}"
                try:
                    qmodel = quantize(model, make_qconfig(), calib)
                    q_logits = logits_of(qmodel, test_x)
                except Exception as err:  # noqa: BLE001  (reported, not fatal: e.g. an unsupported scheme)
                    entry["int8"][key] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"}
                    print(f"  {key:<18} FAILS: {entry['int8'][key]['error']}")
                    continue
                pred = q_logits.argmax(1)
                acc = 100.0 * float((pred == test_y).float().mean())
                entry["int8"][key] = {
                    "accuracy": round(acc, 2),
                    "delta_points": round(acc - fp32_acc, 2),
                    "top1_agreement_with_fp32": round(100.0 * float((pred == fp32_pred).float().mean()), 2),
                    "max_abs_logit_diff": round(float((q_logits - fp32_logits).abs().max()), 4),
                    "weight_granularity": weight_granularities(qmodel),
                }
                r = entry["int8"][key]
                print(f"  {key:<18} int8 {acc:.1f}% ({r['delta_points']:+.1f} points), agrees with fp32 on "
                      f"{r['top1_agreement_with_fp32']:.1f}%, max |dlogit| {r['max_abs_logit_diff']:.3f}, "
                      f"weights per {','.join(r['weight_granularity'])}")
        results[model_id] = entry

    doc = {
        "generator": SCRIPT,
        "torch": torch_version(),
        "engine": "qnnpack",
        "threads": 1,
        "calibration": "models/data/calib_images_u8.npy (200 images, one batch)",
        "evaluation": "models/data/test_images_u8.npy + test_labels.npy (1,000 images; 1 image = 0.1 point)",
        "preprocessing": "x = (u8 / 255 - 0.2860) / 0.3530",
        "qconfigs": {
            "per_tensor": "get_default_qconfig('qnnpack'): activation HistogramObserver(quint8, reduce_range=False), "
                          "weight MinMaxObserver(qint8, per_tensor_symmetric)",
            "per_channel": "activation as per_tensor, weight default_per_channel_weight_observer "
                           "(PerChannelMinMaxObserver(qint8, per_channel_symmetric, ch_axis=0))",
        },
        "flows": {
            "eager": "fuse_modules (Conv-BN-ReLU, Conv-BN, Linear-ReLU), residual Add+ReLU as "
                     "FloatFunctional.add_relu, QuantWrapper, prepare, calibrate, convert",
            "fx": "quantize_fx.prepare_fx(QConfigMapping().set_global(qconfig)), calibrate, convert_fx",
        },
        "models": results,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
