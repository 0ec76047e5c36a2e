/**
 * Evaluating a classifier on a dataset, Keras-style, as numbers: `evaluateModel` (loss, accuracy, per-image
 * predictions, batch by batch without leaks), `confusionMatrix`, `perClassMetrics`, `mostConfidentMistakes`.
 * Nothing here draws: lib/ui/evaluationView.ts shows the results (`showEvaluation`).
 */
import * as tf from '@tensorflow/tfjs';
import { modelRunner, type EngineChoice, type EngineName, type ModelRunner } from '../onnx/engine';

/** A batch of images and labels (`ys`: [B], [B, 1] with 0/1 or class ids, or one-hot [B, n]). */
export interface LabeledBatch {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

/** Batches to evaluate; `filePaths` / `classNames` (as `ImageDataset` has them) are passed through. */
export type EvalBatches = (AsyncIterable<LabeledBatch> | Iterable<LabeledBatch>) & {
  filePaths?: string[];
  classNames?: string[];
  numBatches?: number;
};

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
  /** The engine that ran the model, and why. */
  engine?: EngineChoice;
}

/** Options of `evaluateModel`. */
export interface EvaluateOptions {
  /** Decision threshold for a single sigmoid output (default 0.5). */
  threshold?: number;
  /** Dispose each batch's tensors after use (default true). */
  disposeBatches?: boolean;
  /** Class names for captions (default: the dataset's `classNames`). */
  classNames?: string[];
  /** What runs the model: 'auto' (default, or `LESSON_ENGINE`), 'tfjs' or 'onnxruntime' (lib/onnx/engine.ts). */
  engine?: EngineName;
}

const EPS = 1e-7; // Keras's backend epsilon, used to clip probabilities in the cross-entropy

/**
 * The class a single sigmoid output `p` predicts: 1 when `p > threshold`, as Keras's `binary_accuracy` (and
 * tfjs's) decide; exactly 0.5 is class 0.
 */
export function binaryClass(p: number, threshold = 0.5): 0 | 1 {
  return p > threshold ? 1 : 0;
}

/** One image's outcome: true class, predicted class, class probabilities and cross-entropy. */
interface Scored {
  label: number;
  pred: number;
  row: number[];
  loss: number;
}

/** What one batch holds: the model's outputs `p` ([B, n]) and the labels `y` (class ids, 0/1, or one-hot [B, n]). */
interface BatchOutputs {
  p: Float32Array;
  y: Float32Array;
  n: number;
  oneHot: boolean;
}

/** Scores image `i` of a batch; `index` (its place in the dataset) names it in errors. */
function scoreImage({ p, y, n, oneHot }: BatchOutputs, i: number, index: number, threshold: number): Scored {
  const numClasses = n === 1 ? 2 : n;
  let label = Math.round(y[i]);
  if (oneHot) {
    label = 0;
    for (let j = 1; j < n; j++) if (y[i * n + j] > y[i * n + label]) label = j;
  }
  if (label < 0 || label >= numClasses) {
    throw new Error(
      `evaluateModel: label ${y[i]} of image ${index} is outside 0..${numClasses - 1}; does the model's output ` +
        `(${n} units) match the dataset?`,
    );
  }
  const clip = (q: number) => Math.min(Math.max(q, EPS), 1 - EPS);
  if (n === 1) {
    const q = clip(p[i]);
    const t = oneHot ? label : y[i];
    return {
      label,
      pred: binaryClass(p[i], threshold),
      row: [1 - p[i], p[i]],
      loss: -(t * Math.log(q) + (1 - t) * Math.log(1 - q)),
    };
  }
  const row = Array.from(p.subarray(i * n, (i + 1) * n));
  return { label, pred: row.indexOf(Math.max(...row)), row, loss: -Math.log(clip(row[label])) };
}

/** The model's outputs for one batch, read out as numbers (the batch's own tensors are left to the caller). */
async function batchOutputs(runner: ModelRunner, { xs, ys }: LabeledBatch): Promise<BatchOutputs> {
  const out = await runner.run(xs);
  const probs = tf.tidy(() => out.reshape([xs.shape[0], -1]));
  out.dispose();
  const n = probs.shape[1] as number;
  const p = (await probs.data()) as Float32Array;
  probs.dispose();
  const oneHot = ys.rank === 2 && ys.shape[1]! > 1;
  if (oneHot && ys.shape[1] !== n)
    throw new Error(`evaluateModel: labels are one-hot with ${ys.shape[1]} classes but the model has ${n} outputs.`);
  return { p, y: (await ys.data()) as Float32Array, n, oneHot };
}

/**
 * Runs the model over every batch and returns loss, accuracy and per-image predictions.
 * Works for one sigmoid output (binary) and for n softmax outputs; memory stays bounded.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  batches: EvalBatches,
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const threshold = opts.threshold ?? 0.5;
  const dispose = opts.disposeBatches ?? true;
  const r = {
    predictions: [] as number[],
    labels: [] as number[],
    confidences: [] as number[],
    probabilities: [] as number[][],
  };
  let lossSum = 0;
  let numClasses = 0;
  const runner = await modelRunner(model, opts.engine);
  for await (const batch of batches as AsyncIterable<LabeledBatch>) {
    const out = await batchOutputs(runner, batch);
    numClasses = out.n === 1 ? 2 : out.n;
    for (let i = 0; i < batch.xs.shape[0]; i++) {
      const s = scoreImage(out, i, r.labels.length, threshold);
      lossSum += s.loss;
      r.predictions.push(s.pred);
      r.labels.push(s.label);
      r.confidences.push(s.row[s.pred]);
      r.probabilities.push(s.row);
    }
    if (dispose) tf.dispose([batch.xs, batch.ys]);
  }
  const count = r.labels.length;
  if (count === 0) throw new Error('evaluateModel: the dataset produced no batches.');
  const correct = r.predictions.reduce((a, p, i) => a + (p === r.labels[i] ? 1 : 0), 0);
  return {
    loss: lossSum / count,
    accuracy: correct / count,
    ...r,
    numClasses,
    filePaths: batches.filePaths?.slice(0, count),
    classNames: opts.classNames ?? batches.classNames,
    engine: { engine: runner.engine, reason: runner.reason },
  };
}

/** Counts: `cm[true][predicted]`. */
export function confusionMatrix(labels: number[], preds: number[], numClasses: number): number[][] {
  if (labels.length !== preds.length)
    throw new Error(`confusionMatrix: ${labels.length} labels but ${preds.length} predictions.`);
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
export function perClassMetrics(
  cm: number[][],
  classNames?: string[],
): { class: string; precision: number; recall: number; f1: number; support: number }[] {
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

/** A misclassified image (lib/ui/evaluationView.ts shows them as an image grid). */
export interface Mistake {
  /** Position of the image in the evaluated dataset. */
  index: number;
  /** Its file, when the dataset has `filePaths`. */
  path?: string;
  /** True class name (or id). */
  trueLabel: string;
  /** Predicted class name (or id). */
  predicted: string;
  /** Probability the model gave the predicted (wrong) class. */
  confidence: number;
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
    }));
}
