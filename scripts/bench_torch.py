"""PyTorch counterpart of scripts/bench.ts: the same shapes, batch 20, 150x150, channels-first.

Prints one JSON line: vgg_forward_images_s, vgg_finetune_ms, convnet_ms, head_ms, mobilenet_forward_images_s,
mobilenet_finetune_ms (medians after a warm-up; --only keeps some of them).
Usage: /usr/bin/python3 scripts/bench_torch.py [--reps N] [--threads N] [--only key,key]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

BATCH, SIZE = 20, 150
MOBILE_BATCH, MOBILE_SIZE = 16, 160


def vgg16_features():
    layers, cin = [], 3
    for n, f in zip([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]):
        for _ in range(n):
            layers += [nn.Conv2d(cin, f, 3, padding=1), nn.ReLU(inplace=True)]
            cin = f
        layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)


def head(features):
    return nn.Sequential(nn.Flatten(), nn.Linear(features, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 1), nn.Sigmoid())


def small_convnet():
    layers, cin = [], 3
    for f in [32, 64, 128, 128]:
        layers += [nn.Conv2d(cin, f, 3), nn.ReLU(), nn.MaxPool2d(2)]
        cin = f
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 7 * 7, 512), nn.ReLU(), nn.Linear(512, 1), nn.Sigmoid())


def mobilenet_v1(alpha=0.25):
    """keras.applications.MobileNet without top: conv1 then 13 depthwise/pointwise blocks, BatchNorm + ReLU6 each."""
    def bn_relu(c):
        return [nn.BatchNorm2d(c, eps=1e-3), nn.ReLU6()]
    cin = int(32 * alpha)
    # Keras pads stride-2 layers by (0, 1) on each spatial axis, then a 'valid' 3x3 convolution.
    layers = [nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(3, cin, 3, 2, bias=False), *bn_relu(cin)]
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
            (1024, 2), (1024, 1)]
    blocks = []
    for f, s in plan:
        cout = int(f * alpha)
        pad = [nn.ZeroPad2d((0, 1, 0, 1))] if s == 2 else []
        dw = nn.Conv2d(cin, cin, 3, s, padding=1 if s == 1 else 0, groups=cin, bias=False)
        blocks.append(nn.Sequential(*pad, dw, *bn_relu(cin), nn.Conv2d(cin, cout, 1, bias=False), *bn_relu(cout)))
        cin = cout
    return nn.Sequential(*layers), blocks, cin


def timed(reps, fn):
    fn()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms)


def train_step(model, opt, x, y):
    def step():
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def mobilenet_runs(a, out, keys):
    stem, blocks, c = mobilenet_v1(0.25)
    base = nn.Sequential(stem, *blocks)
    x = torch.rand(MOBILE_BATCH, 3, MOBILE_SIZE, MOBILE_SIZE)
    y = torch.randint(0, 2, (MOBILE_BATCH, 1)).float()
    if 'mobilenet_forward_images_s' in keys:
        base.eval()
        with torch.no_grad():
            ms = timed(a.reps * 2, lambda: base(x))
        out['mobilenet_forward_images_s'] = MOBILE_BATCH * 1000 / ms
    if 'mobilenet_finetune_ms' in keys:
        # Trained from conv_dw_12 on (blocks 12 and 13); the frozen part's BatchNorm runs in inference mode.
        model = nn.Sequential(base, head(c * 5 * 5))
        model.train()
        for p in base.parameters():
            p.requires_grad = False
        for m in [stem, *blocks[:11]]:
            m.eval()
        for b in blocks[11:]:
            for p in b.parameters():
                p.requires_grad = True
        params = [p for p in model.parameters() if p.requires_grad]
        out['mobilenet_finetune_ms'] = timed(a.reps * 2, train_step(model, torch.optim.RMSprop(params, lr=2e-5), x, y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--only', default='vgg_forward_images_s,vgg_finetune_ms,convnet_ms,head_ms,mobilenet_forward_images_s,mobilenet_finetune_ms')
    a = ap.parse_args()
    keys = set(a.only.split(','))
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(BATCH, 3, SIZE, SIZE)
    y = torch.randint(0, 2, (BATCH, 1)).float()
    out = {}
    vgg_runs(a, out, keys, x, y)
    if 'convnet_ms' in keys:
        net = small_convnet()
        out['convnet_ms'] = timed(a.reps, train_step(net, torch.optim.RMSprop(net.parameters(), lr=1e-4), x, y))
    if 'head_ms' in keys:
        h = head(4 * 4 * 512)
        f = torch.rand(BATCH, 512, 4, 4)
        out['head_ms'] = timed(a.reps * 4, train_step(h, torch.optim.RMSprop(h.parameters(), lr=2e-5), f, y))
    mobilenet_runs(a, out, keys)
    print(json.dumps(out))


def vgg_runs(a, out, keys, x, y):
    base = vgg16_features().eval()
    if 'vgg_forward_images_s' in keys:
        with torch.no_grad():
            ms = timed(a.reps, lambda: base(x))
        out['vgg_forward_images_s'] = BATCH * 1000 / ms
    if 'vgg_finetune_ms' not in keys:
        return
    base.train()
    model = nn.Sequential(base, head(512 * 4 * 4))
    block5 = list(base.children())[24:]  # conv layers of block 5 and its pool
    for p in base.parameters():
        p.requires_grad = False
    for m in block5:
        for p in m.parameters():
            p.requires_grad = True
    params = [p for p in model.parameters() if p.requires_grad]
    out['vgg_finetune_ms'] = timed(a.reps, train_step(model, torch.optim.RMSprop(params, lr=1e-5), x, y))


if __name__ == '__main__':
    main()
