#!/usr/bin/python3
"""Independent reference for `npm run bench:train`: a multinomial logistic regression on pooled features.

Reads <dir>/x_train.npy, y_train.npy, x_val.npy, y_val.npy (features already globally average pooled by the
bench, class indices as integers), standardises the features with the training mean and standard deviation, and
fits softmax regression with an L2 penalty of 1 / (2C) on the weights (scikit-learn's default C = 1.0, intercept
not penalised) by Newton's method to convergence. Prints one JSON line: validation accuracy, loss, iterations.

NumPy only (Debian's python3-numpy); none of the project's training code.
"""
import json
import sys

import numpy as np


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(x, y, classes, c=1.0, iterations=50):
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    onehot = np.eye(classes)[y]
    penalty = np.full(d + 1, 1.0 / c)
    penalty[-1] = 1e-8  # the intercept is not penalised (a tiny ridge keeps the Hessian invertible)
    w = np.zeros((d + 1, classes))

    def objective(w):
        p = softmax(xb @ w)
        return -np.log(p[np.arange(n), y] + 1e-300).sum() + 0.5 * (penalty[:, None] * w * w).sum()

    for it in range(1, iterations + 1):
        p = softmax(xb @ w)
        grad = xb.T @ (p - onehot) + penalty[:, None] * w
        h = np.zeros((classes * (d + 1), classes * (d + 1)))
        for k in range(classes):
            for l in range(k, classes):
                s = p[:, k] * ((k == l) - p[:, l])
                block = xb.T @ (s[:, None] * xb)
                h[k::classes, l::classes] = block
                h[l::classes, k::classes] = block.T
        h += np.diag(np.repeat(penalty, classes))
        step = np.linalg.solve(h, grad.reshape(-1)).reshape(d + 1, classes)
        f0, t = objective(w), 1.0
        while objective(w - t * step) > f0 - 1e-4 * t * (grad * step).sum() and t > 1e-8:
            t /= 2
        w = w - t * step
        if np.abs(grad).max() < 1e-6:
            break
    return w, it


def main(folder):
    load = lambda name: np.load(f"{folder}/{name}.npy")
    x_train, y_train = load("x_train").astype(np.float64), load("y_train").astype(int)
    x_val, y_val = load("x_val").astype(np.float64), load("y_val").astype(int)
    classes = int(max(y_train.max(), y_val.max()) + 1)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-8
    standard = lambda x: (x - mean) / std
    w, iterations = fit(standard(x_train), y_train, classes)
    p = softmax(np.hstack([standard(x_val), np.ones((len(x_val), 1))]) @ w)
    accuracy = float((p.argmax(axis=1) == y_val).mean())
    loss = float(-np.log(p[np.arange(len(y_val)), y_val] + 1e-300).mean())
    print(json.dumps({"accuracy": accuracy, "loss": loss, "iterations": iterations, "C": 1.0}))


if __name__ == "__main__":
    main(sys.argv[1])
