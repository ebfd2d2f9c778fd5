#!/usr/bin/python3
"""Train quantlab's bundled Fashion-MNIST models and export them to ONNX.

PyTorch is only the tool that makes the models; the product never needs it.
Run with Debian's python (python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 models/train/train_fashion_mnist.py --model all

Writes, relative to --out-dir (default: the models/ directory):

    fashion_<name>.onnx            the model (opset 13, input "input", output "logits")
    fashion_<name>.md              its model card
    models.json                    the manifest (entries for other models are kept)
    data/calib_images_u8.npy       200 training images, uint8 [200,1,28,28]
    data/calib_labels.npy          their labels, int64 [200]
    data/test_images_u8.npy        the first 1000 test images, uint8 [1000,1,28,28]
    data/test_labels.npy           their labels, int64 [1000]
    data/reference_logits_<name>.npy  fp32 logits of the first 64 bundled test images

The models take normalized float32 input x = (u8 / 255 - 0.2860) / 0.3530.
Training is deterministic for a given seed, thread count and machine.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402  (models/train/data.py)

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 13
N_REFERENCE = 64
N_TEST_BUNDLED = 1000
CALIB_PER_CLASS = 20


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------


class Linear(nn.Linear):
    """nn.Linear that trains through a 1x1 convolution.

    Debian's torch links the reference (netlib) BLAS, which makes addmm ~8x
    slower than oneDNN's convolution on this kind of machine. A 1x1 conv over a
    [N, in, 1, 1] tensor computes exactly x @ W^T + b, so training uses it;
    ONNX export and evaluation use F.linear, which becomes a plain Gemm.
    """

    use_conv = True

    def forward(self, x):
        if Linear.use_conv and not torch.onnx.is_in_onnx_export():
            y = F.conv2d(x[:, :, None, None], self.weight[:, :, None, None], self.bias)
            return y.flatten(1)
        return F.linear(x, self.weight, self.bias)


def conv_bn_relu(cin, cout, k=3, stride=1, groups=1):
    return [
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    ]


class ResidualBlock(nn.Module):
    """Conv-BN-ReLU, Conv-BN, Add(identity), ReLU (a ResNet basic block)."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu2 = nn.ReLU(inplace=True)

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu2(y + x)


class ViewFlatten(nn.Module):
    """x.view(x.size(0), -1): exported as Shape-Gather-Unsqueeze-Concat-Reshape.

    Deliberate: one bundled model carries the shape subgraph that an engine has
    to constant-fold (or evaluate) for a dynamic batch.
    """

    def forward(self, x):
        return x.view(x.size(0), -1)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class FashionMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = ViewFlatten()
        self.fc1 = Linear(784, 128)
        self.relu1 = nn.ReLU(inplace=True)
        self.fc2 = Linear(128, 64)
        self.relu2 = nn.ReLU(inplace=True)
        self.fc3 = Linear(64, 10)

    def forward(self, x):
        x = self.flatten(x)
        x = self.relu1(self.fc1(x))
        x = self.relu2(self.fc2(x))
        return self.fc3(x)


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(1, 16))            # 16x28x28
        self.pool1 = nn.MaxPool2d(2)                                # 16x14x14
        self.res1 = ResidualBlock(16)                               # 16x14x14
        self.conv2 = nn.Sequential(*conv_bn_relu(16, 32))           # 32x14x14
        self.pool2 = nn.MaxPool2d(2)                                # 32x7x7
        self.res2 = ResidualBlock(32)                               # 32x7x7
        self.conv3 = nn.Sequential(*conv_bn_relu(32, 64))           # 64x7x7
        self.gap = nn.AdaptiveAvgPool2d(1)                          # 64x1x1
        self.fc = Linear(64, 10)

    def forward(self, x):
        x = self.pool1(self.stem(x))
        x = self.res1(x)
        x = self.pool2(self.conv2(x))
        x = self.res2(x)
        x = self.gap(self.conv3(x))
        return self.fc(torch.flatten(x, 1))


class FashionDWCNN(nn.Module):
    def __init__(self):
        super().__init__()

        def dw_pw(cin, cout, stride):
            # depthwise 3x3 (groups = channels) then pointwise 1x1, each Conv-BN-ReLU
            return nn.Sequential(*conv_bn_relu(cin, cin, 3, stride, groups=cin),
                                 *conv_bn_relu(cin, cout, 1))

        self.stem = nn.Sequential(*conv_bn_relu(1, 24, 3, 2))       # 24x14x14
        self.block1 = dw_pw(24, 48, 1)                              # 48x14x14
        self.block2 = dw_pw(48, 96, 2)                              # 96x7x7
        self.block3 = dw_pw(96, 96, 1)                              # 96x7x7
        self.block4 = dw_pw(96, 128, 1)                             # 128x7x7
        self.gap = nn.AdaptiveAvgPool2d(1)                          # 128x1x1
        self.fc = Linear(128, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return self.fc(torch.flatten(self.gap(x), 1))


# Per-model recipe. lr is the OneCycle peak; augment = random horizontal flip
# and random translation by up to `shift` pixels (zero = background padding).
SPECS = collections.OrderedDict([
    ("mlp", dict(
        cls=FashionMLP, file="fashion_mlp.onnx", card="fashion_mlp.md",
        title="Fashion-MNIST MLP",
        description="Three fully connected layers (784-128-64-10) with ReLU. "
                    "The flatten is x.view(N, -1), exported as a Shape-Gather-"
                    "Unsqueeze-Concat-Reshape subgraph.",
        epochs=15, batch=128, lr=2e-3, weight_decay=1e-4, augment=False, shift=0)),
    ("cnn", dict(
        cls=FashionCNN, file="fashion_cnn.onnx", card="fashion_cnn.md",
        title="Fashion-MNIST CNN with residual blocks",
        description="Conv-BatchNorm-ReLU blocks, two ResNet basic blocks "
                    "(residual Add), MaxPool, GlobalAveragePool, Flatten, Gemm.",
        epochs=8, batch=128, lr=4e-3, weight_decay=1e-4, augment=True, shift=2)),
    ("dwcnn", dict(
        cls=FashionDWCNN, file="fashion_dwcnn.onnx", card="fashion_dwcnn.md",
        title="Fashion-MNIST depthwise-separable CNN",
        description="MobileNet-style: a strided 3x3 stem, then four depthwise "
                    "3x3 (group = channels) + pointwise 1x1 pairs, each "
                    "Conv-BatchNorm-ReLU, GlobalAveragePool, Flatten, Gemm.",
        epochs=8, batch=128, lr=4e-3, weight_decay=1e-4, augment=True, shift=2)),
])


# --------------------------------------------------------------------------
# Training and evaluation
# --------------------------------------------------------------------------


def augment_batch(x, gen, shift):
    """Random horizontal flip and random translation by up to `shift` pixels.

    x is normalized, so the padding value is the normalized background (u8 0).
    """
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    if shift > 0:
        background = (0.0 - data.MEAN) / data.STD
        padded = F.pad(x, (shift, shift, shift, shift), value=background)
        dy = torch.randint(0, 2 * shift + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * shift + 1, (n,), generator=gen)
        ar = torch.arange(28)
        rows = (dy[:, None] + ar)[:, :, None]            # [n, 28, 1]
        cols = (dx[:, None] + ar)[:, None, :]            # [n, 1, 28]
        x = padded[torch.arange(n)[:, None, None], 0, rows, cols][:, None]
    return x


@torch.no_grad()
def predict(model, x, batch=1000):
    """fp32 logits in eval mode through the exported code path (F.linear)."""
    model.eval()
    Linear.use_conv = False
    try:
        return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    finally:
        Linear.use_conv = True


def accuracy(logits, labels):
    return float((logits.argmax(1) == labels).float().mean())


def per_class(pred, labels, top=4):
    """Per-class accuracy in percent and the `top` most frequent confusions."""
    pred, labels = np.asarray(pred), np.asarray(labels)
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (labels, pred), 1)
    acc = [round(100.0 * cm[i, i] / cm[i].sum(), 2) for i in range(10)]
    off = [(int(cm[i, j]), i, j) for i in range(10) for j in range(10) if i != j]
    off.sort(key=lambda t: (-t[0], t[1], t[2]))
    confusions = [{"true": data.CLASS_NAMES[i], "predicted": data.CLASS_NAMES[j], "count": n}
                  for n, i, j in off[:top]]
    return acc, confusions


def per_class_lines(acc, confusions, n_images):
    lines = [
        f"## Per-class accuracy ({n_images:,} test images)",
        "",
        "| class | accuracy |",
        "|---|---:|",
    ]
    for i, a in enumerate(acc):
        lines.append(f"| {i} {data.CLASS_NAMES[i]} | {a:.2f}% |")
    lines += [
        "",
        "Most frequent confusions (true → predicted): "
        + ", ".join(f"{c['true']} → {c['predicted']} ({c['count']})" for c in confusions) + ".",
        "",
    ]
    return lines


def train(name, spec, epochs, seed, train_x, train_y, test_x, test_y, log):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = spec["cls"]()
    conv_model = any(isinstance(m, nn.Conv2d) for m in model.modules())
    if conv_model:
        model = model.to(memory_format=torch.channels_last)
    steps_per_epoch = (len(train_x) + spec["batch"] - 1) // spec["batch"]
    opt = torch.optim.AdamW(model.parameters(), lr=spec["lr"], weight_decay=spec["weight_decay"])
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=spec["lr"], epochs=epochs, steps_per_epoch=steps_per_epoch)
    history = []
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(train_x), generator=gen)
        total_loss, correct = 0.0, 0
        for i in range(steps_per_epoch):
            idx = perm[i * spec["batch"]:(i + 1) * spec["batch"]]
            xb, yb = train_x[idx], train_y[idx]
            if spec["augment"]:
                xb = augment_batch(xb, gen, spec["shift"])
            if conv_model:
                xb = xb.contiguous(memory_format=torch.channels_last)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += float(loss) * len(idx)
            correct += int((out.argmax(1) == yb).sum())
        test_acc = accuracy(predict(model, test_x), test_y)
        row = dict(epoch=epoch + 1, train_loss=round(total_loss / len(train_x), 4),
                   train_acc=round(100 * correct / len(train_x), 2),
                   test_acc=round(100 * test_acc, 2), seconds=round(time.time() - t0, 1))
        history.append(row)
        log(f"[{name}] epoch {row['epoch']}/{epochs} loss {row['train_loss']:.4f} "
            f"train {row['train_acc']:.2f}% test {row['test_acc']:.2f}% ({row['seconds']:.0f} s)")
    model = model.to(memory_format=torch.contiguous_format).eval()
    return model, history, time.time() - t0


# --------------------------------------------------------------------------
# Export and description
# --------------------------------------------------------------------------


def inline_identity_initializers(model_proto):
    """Replace Identity(initializer) nodes by a copy of the initializer.

    torch 1.13 deduplicates equal parameters and re-creates the duplicates
    with Identity nodes (e.g. a BatchNorm whose bias equals its running
    mean). The graph stays equivalent without them and is plainer to read.
    """
    graph = model_proto.graph
    inits = {t.name: t for t in graph.initializer}
    keep = []
    removed = 0
    for node in graph.node:
        if node.op_type == "Identity" and len(node.input) == 1 and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            graph.initializer.append(copy)
            inits[copy.name] = copy
            removed += 1
        else:
            keep.append(node)
    if removed:
        del graph.node[:]
        graph.node.extend(keep)
    return removed


def export_onnx(model, path):
    """Export in eval mode with BatchNormalization kept as its own node.

    training=EVAL makes torch fold every BatchNorm into the preceding Conv;
    PRESERVE on a model in eval mode exports inference-mode
    BatchNormalization nodes instead (the quantizer folds them itself).
    """
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the PRESERVE + constant folding advisory
        torch.onnx.export(
            model, dummy, path,
            export_params=True,
            opset_version=OPSET,
            do_constant_folding=True,
            training=torch.onnx.TrainingMode.PRESERVE,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )
    proto = onnx.load(path)
    removed = inline_identity_initializers(proto)
    proto.producer_name = "quantlab models/train/train_fashion_mnist.py (torch %s)" % torch.__version__
    proto.doc_string = ("Fashion-MNIST classifier. Input: float32 [batch,1,28,28], "
                        "x = (u8 / 255 - %.4f) / %.4f. Output: logits [batch,10]." % (data.MEAN, data.STD))
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, path)
    return proto, removed


def layer_table(model):
    """Rows (layer, op, output shape, params) for the leaf modules, in call order."""
    rows = []
    hooks = []

    def hook(mod, inp, out, name):
        params = sum(p.numel() for p in mod.parameters(recurse=False))
        rows.append((name, describe_module(mod), list(out.shape[1:]), params))

    for name, mod in model.named_modules():
        if len(list(mod.children())) == 0:
            hooks.append(mod.register_forward_hook(lambda m, i, o, n=name: hook(m, i, o, n)))
        elif isinstance(mod, ResidualBlock):
            hooks.append(mod.register_forward_hook(
                lambda m, i, o, n=name: rows.append((n + " (+ input)", "Add, ReLU", list(o.shape[1:]), 0))))
    predict(model, torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    # The residual block's Add/ReLU row is recorded after its children; the
    # block's own relu2 leaf already appears, so drop that duplicate.
    out = []
    for r in rows:
        if r[0].endswith(".relu2") and any(x[0] == r[0][:-len(".relu2")] + " (+ input)" for x in rows):
            continue
        out.append(r)
    return out


def describe_module(m):
    if isinstance(m, nn.Conv2d):
        k = "x".join(map(str, m.kernel_size))
        s = f"Conv {k}, {m.in_channels}->{m.out_channels}"
        if m.groups > 1:
            s += f", groups {m.groups} (depthwise)"
        if m.stride != (1, 1):
            s += f", stride {m.stride[0]}"
        return s
    if isinstance(m, nn.BatchNorm2d):
        return "BatchNormalization"
    if isinstance(m, nn.ReLU):
        return "Relu"
    if isinstance(m, nn.MaxPool2d):
        return f"MaxPool {m.kernel_size}x{m.kernel_size}, stride {m.stride}"
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return "GlobalAveragePool"
    if isinstance(m, nn.Linear):
        return f"Gemm {m.in_features}->{m.out_features}"
    if isinstance(m, ViewFlatten):
        return "x.view(N, -1): Shape, Gather, Unsqueeze, Concat, Reshape"
    return type(m).__name__


def onnx_ops(proto):
    counts = collections.Counter(n.op_type for n in proto.graph.node)
    return dict(sorted(counts.items()))


def shape_of(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        dims.append(d.dim_param if d.dim_param else d.dim_value)
    return dims


def fmt_bytes(n):
    return f"{n:,} bytes ({n / 1024:.1f} KiB)"


def write_card(path, name, spec, entry, rows, history, train_seconds, epochs):
    ops = entry["ops"]
    lines = [
        f"# {spec['title']} (`{entry['file']}`)",
        "",
        spec["description"],
        "",
        "Made by `models/train/train_fashion_mnist.py` with Debian's python3-torch; the",
        "ONNX file is the product's model, PyTorch is not needed to use it.",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| file | `{entry['file']}` |",
        f"| size | {fmt_bytes(entry['file_size_bytes'])} |",
        f"| parameters | {entry['parameters']:,} (float32) |",
        f"| ONNX opset | {entry['opset']} |",
        f"| input | `{entry['input']['name']}` float32 {entry['input']['shape']} |",
        f"| output | `{entry['output']['name']}` float32 {entry['output']['shape']} (logits; softmax for probabilities) |",
        f"| accuracy, full test set (10,000 images) | **{entry['accuracy']['fp32_full_test']:.2f}%** |",
        f"| accuracy, bundled test subset (first 1,000) | {entry['accuracy']['fp32_bundled_test']:.2f}% |",
        f"| ops in the graph | {', '.join(f'{k} x{v}' for k, v in ops.items())} |",
        "",
        "## Input",
        "",
        "A batch of 28x28 grayscale images, float32 `[batch, 1, 28, 28]`, normalized as",
        "",
        "```",
        f"x = (u8 / 255 - {data.MEAN:.4f}) / {data.STD:.4f}",
        "```",
        "",
        "where `u8` are the raw 0..255 pixels (white garment on a black background, as in",
        "Fashion-MNIST). The bundled `data/*_u8.npy` files hold raw pixels; normalize them",
        "this way before feeding them (`models.json` → `input_preprocessing`).",
        "",
        "Classes (output index → name): " + ", ".join(f"{i} {c}" for i, c in enumerate(data.CLASS_NAMES)) + ".",
        "",
        "## Architecture",
        "",
        "| layer | op | output shape | params |",
        "|---|---|---|---:|",
    ]
    for lname, op, shape, params in rows:
        lines.append(f"| `{lname}` | {op} | {'x'.join(map(str, shape))} | {params:,} |")
    lines += [
        f"| | **total** | | **{entry['parameters']:,}** |",
        "",
        "Output shapes omit the batch dimension. BatchNormalization params are scale and",
        "bias (the running mean and variance are buffers, not counted, but stored in the",
        "file as initializers).",
        "",
    ]
    lines += per_class_lines(entry["accuracy"]["per_class_full_test"],
                             entry["accuracy"]["confusions_full_test"], entry["accuracy"]["fp32_full_test_images"])
    lines += [
        "## Training",
        "",
        f"- Data: the 60,000 Fashion-MNIST training images (Debian's dataset-fashion-mnist).",
        f"- {epochs} epochs, batch {spec['batch']}, AdamW (weight decay {spec['weight_decay']}),"
        f" OneCycle learning rate peaking at {spec['lr']}, cross-entropy, seed {entry['training']['seed']}.",
        "- Augmentation: " + (f"random horizontal flip and random translation by up to {spec['shift']} pixels."
                              if spec["augment"] else "none."),
        f"- Wall time: {train_seconds:.0f} s on {entry['training']['threads']} CPU threads "
        f"(torch {torch.__version__}); it depends on the machine's load, as other jobs share the CPU.",
        "",
        "| epoch | train loss | train acc. | test acc. (10k) |",
        "|---:|---:|---:|---:|",
    ]
    for h in history:
        lines.append(f"| {h['epoch']} | {h['train_loss']:.4f} | {h['train_acc']:.2f}% | {h['test_acc']:.2f}% |")
    lines += [
        "",
        "## Export",
        "",
        f"`torch.onnx.export`, opset {OPSET}, eval mode with `training=TrainingMode.PRESERVE` so",
        "BatchNormalization stays a separate inference-mode node (`TrainingMode.EVAL` would",
        "fold it into the Conv), constant folding on, dynamic batch axis `batch`, checked with",
        "`onnx.checker` (full check). `data/reference_logits_" + name + ".npy` holds the PyTorch",
        f"fp32 logits of the first {N_REFERENCE} bundled test images (float32 [{N_REFERENCE},10]).",
        "",
        "## Limitations",
        "",
        "- Trained only on Fashion-MNIST: centered, 28x28, light garment on a black background.",
        "  Photos, drawings on white, or off-center objects need the same preprocessing and",
        "  will still be less accurate.",
        "- Shirt is its weakest class: shirts, T-shirts/tops, pullovers and coats look alike at 28x28.",
        "- A small playground model, not tuned for the best possible accuracy.",
    ]
    if name == "mlp":
        lines.append("- The flatten is a shape subgraph (Shape, Gather, Unsqueeze, Concat, Reshape) on purpose;"
                     " an engine must evaluate or constant-fold it.")
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def write_sample_data(out_dir, train_u8, train_y, test_u8, test_y):
    d = os.path.join(out_dir, "data")
    os.makedirs(d, exist_ok=True)
    calib_idx = data.calibration_indices(train_y, CALIB_PER_CLASS)
    files = {
        "calib_images_u8.npy": np.ascontiguousarray(train_u8[calib_idx]),
        "calib_labels.npy": train_y[calib_idx].astype(np.int64),
        "test_images_u8.npy": np.ascontiguousarray(test_u8[:N_TEST_BUNDLED]),
        "test_labels.npy": test_y[:N_TEST_BUNDLED].astype(np.int64),
    }
    for fname, arr in files.items():
        np.save(os.path.join(d, fname), arr)
    return calib_idx


def load_manifest(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=list(SPECS) + ["all"], default="all")
    ap.add_argument("--epochs", type=int, default=None, help="override every model's epoch count")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default=MODELS_DIR, help="default: the models/ directory")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    np.random.seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    def log(msg):
        print(msg, flush=True)

    train_u8, train_y_np = data.load_split("train")
    test_u8, test_y_np = data.load_split("test")
    train_x = torch.from_numpy(data.normalize(train_u8))
    train_y = torch.from_numpy(train_y_np)
    test_x = torch.from_numpy(data.normalize(test_u8))
    test_y = torch.from_numpy(test_y_np)
    bundled_x, bundled_y = test_x[:N_TEST_BUNDLED], test_y[:N_TEST_BUNDLED]

    calib_idx = write_sample_data(args.out_dir, train_u8, train_y_np, test_u8, test_y_np)

    manifest_path = os.path.join(args.out_dir, "models.json")
    old = load_manifest(manifest_path)
    entries = collections.OrderedDict((m["id"], m) for m in old.get("models", []))

    names = list(SPECS) if args.model == "all" else [args.model]
    t_all = time.time()
    for name in names:
        spec = SPECS[name]
        epochs = args.epochs if args.epochs is not None else spec["epochs"]
        model, history, train_seconds = train(
            name, spec, epochs, args.seed, train_x, train_y, test_x, test_y, log)

        full_logits = predict(model, test_x)
        acc_full = 100 * accuracy(full_logits, test_y)
        acc_bundled = 100 * accuracy(full_logits[:N_TEST_BUNDLED], bundled_y)
        class_acc, confusions = per_class(full_logits.argmax(1).numpy(), test_y_np)
        ref = predict(model, bundled_x[:N_REFERENCE]).numpy().astype(np.float32)
        ref_file = f"data/reference_logits_{name}.npy"
        np.save(os.path.join(args.out_dir, ref_file), ref)

        onnx_path = os.path.join(args.out_dir, spec["file"])
        proto, removed_identity = export_onnx(model, onnx_path)
        if removed_identity:
            log(f"[{name}] inlined {removed_identity} Identity(initializer) nodes")
        ops = onnx_ops(proto)
        n_params = sum(p.numel() for p in model.parameters())
        entry = collections.OrderedDict([
            ("id", name),
            ("file", spec["file"]),
            ("name", os.path.splitext(spec["file"])[0]),
            ("title", spec["title"]),
            ("description", spec["description"]),
            ("card", spec["card"]),
            ("opset", OPSET),
            ("input", {"name": proto.graph.input[0].name, "dtype": "float32",
                       "shape": shape_of(proto.graph.input[0])}),
            ("output", {"name": proto.graph.output[0].name, "dtype": "float32",
                        "shape": shape_of(proto.graph.output[0])}),
            ("class_names", data.CLASS_NAMES),
            ("input_preprocessing", {"scale": data.SCALE, "mean": data.MEAN, "std": data.STD}),
            ("accuracy", {"fp32_full_test": round(acc_full, 2),
                          "fp32_full_test_images": int(len(test_y)),
                          "fp32_bundled_test": round(acc_bundled, 2),
                          "fp32_bundled_test_images": N_TEST_BUNDLED,
                          "per_class_full_test": class_acc,
                          "confusions_full_test": confusions}),
            ("parameters", int(n_params)),
            ("file_size_bytes", os.path.getsize(onnx_path)),
            ("ops", ops),
            ("op_types", sorted(ops)),
            ("reference_logits", {"file": ref_file, "images": f"first {N_REFERENCE} of data/test_images_u8.npy",
                                  "shape": list(ref.shape), "dtype": "float32"}),
            ("training", {"epochs": epochs, "batch": spec["batch"], "optimizer": "AdamW",
                          "lr_schedule": "OneCycle", "max_lr": spec["lr"],
                          "weight_decay": spec["weight_decay"],
                          "augmentation": ("hflip+shift%d" % spec["shift"]) if spec["augment"] else "none",
                          "seed": args.seed, "threads": args.threads,
                          "wall_seconds": round(train_seconds, 1), "torch": torch.__version__}),
        ])
        entries[name] = entry
        rows = layer_table(model)
        write_card(os.path.join(args.out_dir, spec["card"]), name, spec, entry, rows, history,
                   train_seconds, epochs)
        log(f"[{name}] full test {acc_full:.2f}%  bundled {acc_bundled:.2f}%  params {n_params:,}  "
            f"{entry['file_size_bytes']:,} bytes  ops {ops}")

    order = [n for n in SPECS if n in entries] + [n for n in entries if n not in SPECS]
    manifest = collections.OrderedDict([
        ("version", 1),
        ("dataset", {
            "name": "Fashion-MNIST",
            "source": "Debian dataset-fashion-mnist, " + data.DATASET_DIR,
            "image_shape": [1, 28, 28],
            "train_images": int(len(train_y)), "test_images": int(len(test_y)),
        }),
        ("class_names", data.CLASS_NAMES),
        ("input_preprocessing", {
            "scale": data.SCALE, "mean": data.MEAN, "std": data.STD,
            "formula": "x = (u8 * scale - mean) / std, i.e. (u8 / 255 - mean) / std, float32",
        }),
        ("data", {
            "calib": {"images": "data/calib_images_u8.npy", "labels": "data/calib_labels.npy",
                      "count": int(len(calib_idx)), "images_dtype": "uint8", "labels_dtype": "int64",
                      "shape": [int(len(calib_idx)), 1, 28, 28], "normalized": False,
                      "source": f"training set, the first {CALIB_PER_CLASS} images of each class in dataset order"},
            "test": {"images": "data/test_images_u8.npy", "labels": "data/test_labels.npy",
                     "count": N_TEST_BUNDLED, "images_dtype": "uint8", "labels_dtype": "int64",
                     "shape": [N_TEST_BUNDLED, 1, 28, 28], "normalized": False,
                     "source": f"test set (t10k), the first {N_TEST_BUNDLED} images"},
        }),
        ("models", [entries[n] for n in order]),
    ])
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log(f"done in {time.time() - t_all:.0f} s; wrote {manifest_path}")


if __name__ == "__main__":
    main()
