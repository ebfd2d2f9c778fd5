"""Fashion-MNIST loading and the one preprocessing every quantlab model uses.

Reads Debian's ``dataset-fashion-mnist`` IDX files directly (gzip + numpy), so
nothing is downloaded. Every bundled model takes the normalized float tensor

    x = (u8 / 255 - MEAN) / STD          (float32, shape [N, 1, 28, 28])

where ``u8`` are the raw 0..255 pixels. ``normalize`` below is the reference
implementation; the bundled .npy files hold raw uint8 pixels.
"""

import gzip
import os

import numpy as np

DATASET_DIR = "/usr/share/datasets/fashion-mnist"

# Mean and standard deviation of the 60,000 training images after /255,
# rounded to 4 decimals (exact: 0.28604, 0.35302).
SCALE = 1.0 / 255.0
MEAN = 0.2860
STD = 0.3530

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def _read_idx(path):
    """Parse one gzipped IDX file into a numpy array (big-endian header)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code != 0x08:
        raise ValueError(f"{path}: expected unsigned byte data, got type 0x{dtype_code:02x}")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    data = np.frombuffer(raw, dtype=np.uint8, offset=offset)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {np.prod(dims)} values, got {data.size}")
    return data.reshape(dims)


def load_split(split, dataset_dir=DATASET_DIR):
    """Return (images uint8 [N,1,28,28], labels int64 [N]) for 'train' or 'test'."""
    prefix = {"train": "train", "test": "t10k"}[split]
    images = _read_idx(os.path.join(dataset_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(dataset_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images.reshape(-1, 1, 28, 28).copy(), labels.astype(np.int64)


def normalize(u8):
    """uint8 pixels -> model input, float32: (u8 / 255 - MEAN) / STD."""
    x = u8.astype(np.float32) / np.float32(255.0)
    return (x - np.float32(MEAN)) / np.float32(STD)


def calibration_indices(labels, per_class=20):
    """The first ``per_class`` training images of every class, in dataset order."""
    picked = []
    for c in range(len(CLASS_NAMES)):
        picked.extend(np.flatnonzero(labels == c)[:per_class].tolist())
    return np.array(sorted(picked), dtype=np.int64)
