"""PyTorch counterpart of scripts/bench.ts: the same shapes, batch 20, 150x150, channels-first.

Prints one JSON line: vgg_forward_images_s, vgg_finetune_ms, convnet_ms, head_ms (medians after a warm-up).
Usage: /usr/bin/python3 scripts/bench_torch.py [--reps N] [--threads N]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

BATCH, SIZE = 20, 150


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(BATCH, 3, SIZE, SIZE)
    y = torch.randint(0, 2, (BATCH, 1)).float()
    out = {}

    base = vgg16_features().eval()
    with torch.no_grad():
        ms = timed(a.reps, lambda: base(x))
    out['vgg_forward_images_s'] = BATCH * 1000 / ms

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

    net = small_convnet()
    out['convnet_ms'] = timed(a.reps, train_step(net, torch.optim.RMSprop(net.parameters(), lr=1e-4), x, y))

    h = head(4 * 4 * 512)
    f = torch.rand(BATCH, 512, 4, 4)
    out['head_ms'] = timed(a.reps * 4, train_step(h, torch.optim.RMSprop(h.parameters(), lr=2e-5), f, y))
    print(json.dumps(out))


if __name__ == '__main__':
    main()
