/**
 * Evaluating a classifier on a dataset and showing the results, Keras-style:
 * `evaluateModel` (loss, accuracy, per-image predictions, batch by batch without leaks), `confusionMatrix`,
 * `perClassMetrics`, `mostConfidentMistakes`, and figures: confusion matrix heatmap and learning curves from a
 * History (train vs validation accuracy and loss). Figure builders are pure (they return plotly figures);
 * the `show*` functions display them with lib/plot.ts and lib/display.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { heatmap, lineChart, showFigure, type Figure } from '../ui/plot';

/** A batch of images and labels (`ys`: [B], [B, 1] with 0/1 or class ids, or one-hot [B, n]). */
export interface LabeledBatch {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

/** Batches to evaluate; `filePaths` / `classNames` (as `ImageDataset` has them) are passed through. */
export type EvalBatches = (AsyncIterable<LabeledBatch> | Iterable<LabeledBatch>) & { filePaths?: string[]; classNames?: string[]; numBatches?: number };

/** What `evaluateModel` returns (all plain numbers: nothing to dispose). */
export interface EvaluationResult {
  /** Mean binary (1 output) or categorical cross-entropy. */
  loss: number;
  accuracy: number;
  /** Predicted class per image. */
  predictions: number[];
  /** True class per image. */
  labels: number[];
  /** Probability of the predicted class per image. */
  confidences: number[];
  /** Per-image class probabilities ([1 - p, p] for a sigmoid output). */
  probabilities: number[][];
  numClasses: number;
  filePaths?: string[];
  classNames?: string[];
}

/** Options of `evaluateModel`. */
export interface EvaluateOptions {
  /** Decision threshold for a single sigmoid output (default 0.5). */
  threshold?: number;
  /** Dispose each batch's tensors after use (default true). */
  disposeBatches?: boolean;
  /** Class names for captions (default: the dataset's `classNames`). */
  classNames?: string[];
}

const EPS = 1e-7; // Keras's backend epsilon, used to clip probabilities in the cross-entropy

/**
 * Runs the model over every batch and returns loss, accuracy and per-image predictions.
 * Works for one sigmoid output (binary) and for n softmax outputs; memory stays bounded.
 */
export async function evaluateModel(model: tf.LayersModel, batches: EvalBatches, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
  const threshold = opts.threshold ?? 0.5;
  const dispose = opts.disposeBatches ?? true;
  const predictions: number[] = [];
  const labels: number[] = [];
  const confidences: number[] = [];
  const probabilities: number[][] = [];
  let lossSum = 0;
  let numClasses = 0;
  for await (const { xs, ys } of batches as AsyncIterable<LabeledBatch>) {
    const probs = tf.tidy(() => {
      const p = model.predict(xs) as tf.Tensor;
      return p.reshape([xs.shape[0], -1]);
    });
    const [B, n] = probs.shape as [number, number];
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    const y = (await ys.data()) as Float32Array;
    const oneHot = ys.rank === 2 && ys.shape[1]! > 1;
    if (oneHot && ys.shape[1] !== n) throw new Error(`evaluateModel: labels are one-hot with ${ys.shape[1]} classes but the model has ${n} outputs.`);
    numClasses = n === 1 ? 2 : n;
    for (let i = 0; i < B; i++) {
      let label: number;
      if (oneHot) {
        label = 0;
        for (let j = 1; j < n; j++) if (y[i * n + j] > y[i * n + label]) label = j;
      } else label = Math.round(y[i]);
      if (label < 0 || label >= numClasses) throw new Error(`evaluateModel: label ${y[i]} of image ${labels.length} is outside 0..${numClasses - 1}; does the model's output (${n} units) match the dataset?`);
      let row: number[];
      if (n === 1) {
        const q = Math.min(Math.max(p[i], EPS), 1 - EPS);
        const t = oneHot ? label : y[i];
        lossSum += -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
        row = [1 - p[i], p[i]];
      } else {
        row = Array.from(p.subarray(i * n, (i + 1) * n));
        lossSum += -Math.log(Math.min(Math.max(row[label], EPS), 1 - EPS));
      }
      const pred = n === 1 ? (p[i] >= threshold ? 1 : 0) : row.indexOf(Math.max(...row));
      predictions.push(pred);
      labels.push(label);
      confidences.push(row[pred]);
      probabilities.push(row);
    }
    if (dispose) tf.dispose([xs, ys]);
  }
  if (labels.length === 0) throw new Error('evaluateModel: the dataset produced no batches.');
  const correct = predictions.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0);
  return {
    loss: lossSum / labels.length,
    accuracy: correct / labels.length,
    predictions,
    labels,
    confidences,
    probabilities,
    numClasses,
    filePaths: batches.filePaths?.slice(0, labels.length),
    classNames: opts.classNames ?? batches.classNames,
  };
}

/** Counts: `cm[true][predicted]`. */
export function confusionMatrix(labels: number[], preds: number[], numClasses: number): number[][] {
  if (labels.length !== preds.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${preds.length} predictions.`);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((t, i) => {
    const p = preds[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new Error(`confusionMatrix: item ${i} has label ${t} / prediction ${p}, outside 0..${numClasses - 1}.`);
    }
    cm[t][p]++;
  });
  return cm;
}

/** Precision, recall, F1 and support per class, from a confusion matrix (table-ready rows). */
export function perClassMetrics(cm: number[][], classNames?: string[]): { class: string; precision: number; recall: number; f1: number; support: number }[] {
  return cm.map((row, k) => {
    const tp = row[k];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, r) => a + r[k], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: classNames?.[k] ?? String(k), precision, recall, f1, support };
  });
}

/** A misclassified image, for an image grid. */
export interface Mistake {
  index: number;
  path?: string;
  trueLabel: string;
  predicted: string;
  confidence: number;
  caption: string;
}

/** The `k` misclassified images the model was most sure about (highest probability of the wrong class). */
export function mostConfidentMistakes(result: EvaluationResult, k = 8): Mistake[] {
  const name = (c: number) => result.classNames?.[c] ?? String(c);
  return result.predictions
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => p !== result.labels[i])
    .sort((a, b) => result.confidences[b.i] - result.confidences[a.i])
    .slice(0, k)
    .map(({ p, i }) => ({
      index: i,
      path: result.filePaths?.[i],
      trueLabel: name(result.labels[i]),
      predicted: name(p),
      confidence: result.confidences[i],
      caption: `true ${name(result.labels[i])}, predicted ${name(p)} (${(100 * result.confidences[i]).toFixed(1)}%)`,
    }));
}

/** Confusion matrix as a heatmap figure (rows: true class, columns: predicted). */
export function confusionMatrixFigure(cm: number[][], classNames?: string[], opts: { title?: string } = {}): Figure {
  const names = cm.map((_, k) => classNames?.[k] ?? String(k));
  return heatmap(cm, names, names, { title: opts.title ?? 'Confusion matrix', xTitle: 'predicted', yTitle: 'true' });
}

/** A History as `model.fit` returns it, or its `history` record. */
export type HistoryLike = { history: Record<string, (number | tf.Tensor)[]>; epoch?: number[] } | Record<string, (number | tf.Tensor)[]>;

/**
 * The history as plain numbers with Keras metric names: tfjs's `acc`/`val_acc` also appear as
 * `accuracy`/`val_accuracy` (and the other way round), so notebooks can use either.
 */
export function historyRecord(h: HistoryLike): Record<string, number[]> {
  const rec = (('history' in h && !Array.isArray(h.history) ? h.history : h) ?? {}) as Record<string, (number | tf.Tensor)[]>;
  const out: Record<string, number[]> = {};
  for (const [k, vs] of Object.entries(rec)) out[k] = vs.map((v) => (typeof v === 'number' ? v : (v.dataSync()[0] as number)));
  const alias: [string, string][] = [['acc', 'accuracy'], ['val_acc', 'val_accuracy']];
  for (const [a, b] of alias) {
    if (out[a] && !out[b]) out[b] = out[a];
    else if (out[b] && !out[a]) out[a] = out[b];
  }
  return out;
}

/** Learning curves: accuracy and loss, train vs validation, per epoch (two figures). */
export function learningCurveFigures(history: HistoryLike, opts: { title?: string; firstEpoch?: number } = {}): { accuracy: Figure; loss: Figure } {
  const h = historyRecord(history);
  const start = opts.firstEpoch ?? 1;
  const x = (ys: number[]) => ys.map((_, i) => i + start);
  const series = (train: string, val: string) => [
    ...(h[train] ? [{ name: 'training', x: x(h[train]), y: h[train] }] : []),
    ...(h[val] ? [{ name: 'validation', x: x(h[val]), y: h[val], dash: 'dash' as const }] : []),
  ];
  const prefix = opts.title ? `${opts.title}: ` : '';
  return {
    accuracy: lineChart(series('accuracy', 'val_accuracy'), { title: `${prefix}training and validation accuracy`, xTitle: 'epoch', yTitle: 'accuracy' }),
    loss: lineChart(series('loss', 'val_loss'), { title: `${prefix}training and validation loss`, xTitle: 'epoch', yTitle: 'loss' }),
  };
}

/** Shows both learning-curve figures (a one-line description outside a notebook). */
export function showLearningCurves(history: HistoryLike, opts: { title?: string } = {}): void {
  const f = learningCurveFigures(history, opts);
  showFigure(f.accuracy);
  showFigure(f.loss);
}

/** Shows the confusion matrix of an evaluation, with per-class precision/recall printed below. */
export function showConfusionMatrix(result: EvaluationResult, opts: { title?: string } = {}): number[][] {
  const cm = confusionMatrix(result.labels, result.predictions, result.numClasses);
  showFigure(confusionMatrixFigure(cm, result.classNames, opts));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { showTable } = require('../ui/display') as { showTable(rows: Record<string, unknown>[], o?: { caption?: string }): void };
  showTable(perClassMetrics(cm, result.classNames), { caption: `accuracy ${(100 * result.accuracy).toFixed(1)}%, loss ${result.loss.toFixed(4)}` });
  return cm;
}

/** Shows the most confident mistakes as an image grid (needs the dataset's `filePaths`). */
export async function showMostConfidentMistakes(result: EvaluationResult, k = 8, opts: { columns?: number; size?: number } = {}): Promise<Mistake[]> {
  const items = mostConfidentMistakes(result, k);
  if (items.length && items.some((m) => !m.path)) {
    throw new Error('showMostConfidentMistakes: the evaluation has no file paths; evaluate a dataset that has filePaths (imageDatasetFromDirectory).');
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { showImageGrid, inNotebook } = require('../ui/display') as typeof import('../ui/display');
  if (!inNotebook()) {
    for (const m of items) console.log(`${m.path}: ${m.caption}`);
  } else await showImageGrid(items.map((m) => ({ image: m.path as string, caption: m.caption })), opts);
  return items;
}
