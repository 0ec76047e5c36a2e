/**
 * A small try at ResNet's degradation problem (He et al. 2016, Figure 1: a 56-layer plain net trains to a higher
 * training error than a 20-layer one): plain and residual fully connected nets of 20 and 56 weighted layers on a
 * 3-class spiral (500 points per class), trained the same way, their training error after every epoch.
 *
 * The protocol was fixed before the first run and is not tuned to agree: every hidden layer is Dense(32) ->
 * BatchNormalization -> ReLU (He-normal weights, as in the paper); a residual net pairs the hidden layers into
 * blocks x -> ReLU(x + BN(Dense(ReLU(BN(Dense(x)))))); SGD with momentum 0.9, learning rate 0.1 and batches of 128
 * (the paper's), 30 epochs, the data and the batch order seeded. (It first said 40 epochs; cut to 30 for the run
 * time before any result was seen; seed 2 ran after seed 1, unchanged.) `scripts/degradation.ts` runs it and writes
 * `lib/assets/degradation.json`, which notebook 03 plots whatever it shows.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random';
import { call } from '../layers/call';

/** The fixed protocol of the experiment. */
export const DEGRADATION_PROTOCOL = {
  pointsPerClass: 500,
  classes: 3,
  noise: 0.2,
  width: 32,
  depths: [20, 56],
  learningRate: 0.1,
  momentum: 0.9,
  batchSize: 128,
  epochs: 30,
  seeds: [1, 2],
} as const;

/** One net's training: its name, depth, shortcut or not, seed, training error after each epoch, seconds. */
export interface DegradationRun {
  name: string;
  depth: number;
  residual: boolean;
  seed: number;
  trainError: number[];
  seconds: number;
}

/** The spiral: `classes` arms of `perClass` points each, angle noise `noise` (cs231n's toy data), seeded. */
export function spiralData(
  perClass: number,
  classes: number,
  noise: number,
  seed: number,
): { x: number[][]; y: number[] } {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / Math.max(1, perClass - 1);
      const t = c * 4 + 4 * r + noise * gauss();
      x.push([r * Math.sin(t), r * Math.cos(t)]);
      y.push(c);
    }
  }
  return { x, y };
}

/** Dense -> BatchNormalization (-> ReLU when `relu`), He-normal weights seeded by `seed`. */
function denseBn(h: tf.SymbolicTensor, units: number, seed: number, relu: boolean): tf.SymbolicTensor {
  const dense = tf.layers.dense({ units, kernelInitializer: tf.initializers.heNormal({ seed }) });
  const out = call(tf.layers.batchNormalization(), call(dense, h));
  return relu ? call(tf.layers.reLU(), out) : out;
}

/**
 * A net of `depth` weighted layers (Dense): a stem layer, depth - 2 hidden layers (in pairs with a shortcut around
 * each pair when `residual`; depth must then be even), and a softmax output.
 */
export function degradationNet(
  depth: number,
  residual: boolean,
  seed: number,
  width = 32,
  classes = 3,
): tf.LayersModel {
  if (depth < 4 || (residual && depth % 2 !== 0))
    throw new Error(`degradationNet: depth ${depth} must be 4 or more (and even for a residual net).`);
  const input = tf.input({ shape: [2] });
  let h = denseBn(input, width, seed, true);
  for (let i = 0; i < depth - 2; i += 2) {
    const f = denseBn(denseBn(h, width, seed + i + 1, true), width, seed + i + 2, !residual);
    h = residual ? call(tf.layers.reLU(), call(tf.layers.add(), [f, h])) : f;
  }
  const out = call(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: 'heNormal' }), h);
  return tf.model({ inputs: input, outputs: out, name: `${residual ? 'residual' : 'plain'}_${depth}` });
}

/** The share of `x` the model classifies wrong (inference mode). */
function errorRate(model: tf.LayersModel, x: tf.Tensor2D, y: Int32Array): number {
  const arg = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1));
  const pred = Array.from(arg.dataSync());
  arg.dispose();
  return pred.reduce((s: number, p, i) => s + (p === y[i] ? 0 : 1), 0) / y.length;
}

/** The protocol's numbers that a shorter run (a test) may change. */
export type ProtocolChanges = { pointsPerClass?: number; epochs?: number; width?: number };

/** Trains one net with the protocol (`changes` for a shorter run) and returns its training error after each epoch. */
export async function trainDegradationNet(
  depth: number,
  residual: boolean,
  seed: number,
  changes: ProtocolChanges = {},
): Promise<DegradationRun> {
  const p = { ...DEGRADATION_PROTOCOL, ...changes };
  const data = spiralData(p.pointsPerClass, p.classes, p.noise, 7);
  const [x, labels] = [tf.tensor2d(data.x), Int32Array.from(data.y)];
  const y = tf.tensor1d(data.y, 'float32');
  const model = degradationNet(depth, residual, seed * 1000, p.width, p.classes);
  const optimizer = tf.train.momentum(p.learningRate, p.momentum);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const rand = seededRandom(seed);
  const t0 = Date.now();
  const trainError: number[] = [];
  for (let e = 0; e < p.epochs; e++) {
    const order = data.y.map((_, i) => [rand(), i]).sort((a, b) => a[0] - b[0]);
    const idx = tf.tensor1d(
      order.map(([, i]) => i),
      'int32',
    );
    const [xs, ys] = [tf.gather(x, idx), tf.gather(y, idx)];
    await model.fit(xs, ys, { epochs: 1, batchSize: p.batchSize, shuffle: false, verbose: 0 });
    tf.dispose([idx, xs, ys]);
    trainError.push(errorRate(model, x, labels));
  }
  const seconds = (Date.now() - t0) / 1000;
  model.dispose();
  optimizer.dispose();
  tf.dispose([x, y]);
  return { name: `${residual ? 'residual' : 'plain'}-${depth}`, depth, residual, seed, trainError, seconds };
}
