"""Independent NumPy reference for the shipped MobileNet α=0.25: writes test/fixtures/mobilenet-reference.json.

A forward pass of Keras's MobileNet v1 (keras/applications/mobilenet.py) in float64 NumPy, reading the shipped
weight files in lib/assets/keras-weights/ with h5py, on a few photos of the mini dataset decoded by PIL at their
native size (no resize). It never imports this project's TypeScript: test/reference.test.ts compares the
project's model against what this script wrote.

The network, as Keras defines it:
- conv1: Conv2D 3x3, stride 2, padding 'same', no bias; BN; ReLU6.
- 13 depthwise blocks: for stride 2, ZeroPadding2D(((0, 1), (0, 1))) then DepthwiseConv2D 3x3 'valid';
  for stride 1, DepthwiseConv2D 3x3 'same'; BN; ReLU6; Conv2D 1x1 (pointwise, no bias); BN; ReLU6.
- BatchNormalization epsilon 1e-3 everywhere.
- include_top: GlobalAveragePooling2D (keepdims) -> Dropout (identity at inference) -> conv_preds (1x1 conv with
  bias) -> reshape to 1000 -> softmax. Without the top, pooling='avg' is GlobalAveragePooling2D.
- preprocess_input mode 'tf': x / 127.5 - 1.
Older Keras 2 versions pad conv1 with ZeroPadding2D(((0, 1), (0, 1))) and use 'valid'; for an even input size
(200 here) TensorFlow's 'same' pads (0, 1) too, so the two definitions agree; the script checks the size is even.

Usage: /usr/bin/python3 scripts/reference_mobilenet.py [--out test/fixtures/mobilenet-reference.json]
(Debian packages python3-numpy, python3-h5py, python3-pil.)
"""
import argparse
import hashlib
import json
import os
import sys

import h5py
import numpy as np
import PIL
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHTS = os.path.join("lib", "assets", "keras-weights")
TOP_FILE = os.path.join(WEIGHTS, "mobilenet_2_5_224_tf.h5")
NO_TOP_FILE = os.path.join(WEIGHTS, "mobilenet_2_5_224_tf_no_top.h5")
PHOTOS = [
    "lib/assets/cats_and_dogs_mini/test/cats/cat.10150.jpg",
    "lib/assets/cats_and_dogs_mini/test/cats/cat.10151.jpg",
    "lib/assets/cats_and_dogs_mini/test/cats/cat.10152.jpg",
    "lib/assets/cats_and_dogs_mini/test/dogs/dog.10150.jpg",
    "lib/assets/cats_and_dogs_mini/test/dogs/dog.10151.jpg",
    "lib/assets/cats_and_dogs_mini/test/dogs/dog.10152.jpg",
]
BN_EPSILON = 1e-3
# (block id, stride) of the 13 depthwise blocks, as in Keras's MobileNet.
BLOCKS = [(1, 1), (2, 2), (3, 1), (4, 2), (5, 1), (6, 2), (7, 1), (8, 1), (9, 1), (10, 1), (11, 1), (12, 2), (13, 1)]


def read_weights(path):
    """{layer name: [arrays in the file's weight_names order]} from a Keras 2 HDF5 weight file, as float64."""
    out = {}
    with h5py.File(os.path.join(ROOT, path), "r") as f:
        for raw in f.attrs["layer_names"]:
            name = raw.decode() if isinstance(raw, bytes) else raw
            group = f[name]
            names = [w.decode() if isinstance(w, bytes) else w for w in group.attrs["weight_names"]]
            out[name] = [np.asarray(group[w], dtype=np.float64) for w in names]
    return out


def same_pads(size, kernel, stride):
    """TensorFlow's 'same' padding (before, after) for one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_same(x, kernel, stride):
    """Zero-pads an HWC map the way TensorFlow's padding='same' does."""
    top, bottom = same_pads(x.shape[0], kernel, stride)
    left, right = same_pads(x.shape[1], kernel, stride)
    return np.pad(x, ((top, bottom), (left, right), (0, 0)))


def taps(x, kernel, stride):
    """Yields (i, j, window) for each kernel tap of a 'valid' convolution over an already padded HWC map."""
    out_h = (x.shape[0] - kernel) // stride + 1
    out_w = (x.shape[1] - kernel) // stride + 1
    for i in range(kernel):
        for j in range(kernel):
            yield i, j, x[i : i + stride * (out_h - 1) + 1 : stride, j : j + stride * (out_w - 1) + 1 : stride, :]


def conv2d_valid(x, kernel, stride):
    """Full convolution (Keras kernel layout kh, kw, cin, cout) over a padded HWC map, padding 'valid'."""
    k = kernel.shape[0]
    return sum(np.tensordot(win, kernel[i, j], axes=([2], [0])) for i, j, win in taps(x, k, stride))


def depthwise_valid(x, kernel, stride):
    """Depthwise convolution (Keras kernel layout kh, kw, c, 1) over a padded HWC map, padding 'valid'."""
    k = kernel.shape[0]
    return sum(win * kernel[i, j, :, 0] for i, j, win in taps(x, k, stride))


def batch_norm(x, gamma, beta, mean, variance):
    """Inference BatchNormalization (Keras's weight order: gamma, beta, moving mean, moving variance)."""
    return (x - mean) / np.sqrt(variance + BN_EPSILON) * gamma + beta


def relu6(x):
    """ReLU capped at 6."""
    return np.clip(x, 0.0, 6.0)


def backbone(x, w):
    """MobileNet's convolutional base: HWC image (preprocessed) -> last feature map (HWC)."""
    x = conv2d_valid(pad_same(x, 3, 2), w["conv1"][0], 2)
    x = relu6(batch_norm(x, *w["conv1_bn"]))
    for block, stride in BLOCKS:
        if stride == 1:
            x = pad_same(x, 3, 1)
        else:
            x = np.pad(x, ((0, 1), (0, 1), (0, 0)))
        x = depthwise_valid(x, w[f"conv_dw_{block}"][0], stride)
        x = relu6(batch_norm(x, *w[f"conv_dw_{block}_bn"]))
        x = np.tensordot(x, w[f"conv_pw_{block}"][0][0, 0], axes=([2], [0]))
        x = relu6(batch_norm(x, *w[f"conv_pw_{block}_bn"]))
    return x


def top(feature_map, w):
    """Keras's ImageNet top: GAP -> dropout (identity) -> conv_preds 1x1 with bias -> reshape -> softmax."""
    pooled = feature_map.mean(axis=(0, 1))
    kernel, bias = w["conv_preds"]
    logits = pooled @ kernel[0, 0] + bias
    e = np.exp(logits - logits.max())
    return logits, e / e.sum()


def decode(path):
    """The photo's RGB pixels (uint8, HWC) as PIL decodes it, at its native size."""
    with Image.open(os.path.join(ROOT, path)) as im:
        return np.asarray(im.convert("RGB"))


def sig(values, digits=7):
    """Floats rounded to `digits` significant digits (keeps the JSON small)."""
    return [float(f"{v:.{digits - 1}e}") for v in np.asarray(values).ravel()]


def photo_entry(path, top_weights, base_weights):
    """The reference numbers for one photo."""
    pixels = decode(path)
    if pixels.shape[0] % 2 or pixels.shape[1] % 2:
        sys.exit(f"{path}: odd size {pixels.shape[:2]}; conv1's two Keras definitions differ there")
    x = pixels.astype(np.float64) / 127.5 - 1.0
    with_top_map = backbone(x, top_weights)
    _, probs = top(with_top_map, top_weights)
    features = backbone(x, base_weights).mean(axis=(0, 1))
    order = np.argsort(-probs)
    return {
        "path": path,
        "height": int(pixels.shape[0]),
        "width": int(pixels.shape[1]),
        "pixelsSha256": hashlib.sha256(pixels.tobytes()).hexdigest(),
        "pixelSum": int(pixels.astype(np.int64).sum()),
        "featureMapSize": list(with_top_map.shape[:2]),
        "top5": [int(i) for i in order[:5]],
        "probabilities": sig(probs),
        "features": sig(features),
    }


def main():
    """Runs the reference on PHOTOS and writes the JSON fixture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("test", "fixtures", "mobilenet-reference.json"))
    args = parser.parse_args()
    top_weights = read_weights(TOP_FILE)
    base_weights = read_weights(NO_TOP_FILE)
    photos = [photo_entry(p, top_weights, base_weights) for p in PHOTOS]
    doc = {
        "madeBy": "scripts/reference_mobilenet.py",
        "description": "Keras MobileNet alpha=0.25 forward pass in float64 NumPy from the shipped .h5 files",
        "numpy": np.__version__,
        "h5py": h5py.__version__,
        "decoder": f"PIL {PIL.__version__} Image.open(path).convert('RGB'), native size, no resize",
        "preprocessing": "tf mode: x / 127.5 - 1",
        "weights": {"top": TOP_FILE.replace(os.sep, "/"), "noTop": NO_TOP_FILE.replace(os.sep, "/")},
        "features": "no-top model, pooling='avg' (256 values)",
        "digits": 7,
        "photos": photos,
    }
    out = os.path.join(ROOT, args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    for p in photos:
        print(p["path"], p["featureMapSize"], p["top5"], [p["probabilities"][i] for i in p["top5"][:3]])
    print(f"wrote {args.out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
