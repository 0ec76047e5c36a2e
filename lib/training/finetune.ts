/**
 * Transfer learning with a pretrained convolutional base, as in Keras:
 * - `buildTransferModel(base, opts)`: [augmentation] → [preprocessing] → frozen base → new head
 *   (the lesson's head: Flatten → Dense 256 relu → Dropout 0.5 → Dense 1 sigmoid);
 * - `freeze` / `unfreeze` / `setFineTuneStrategy` ('classifier' | 'top' | 'all'): change what trains;
 * - TF.js only notices `trainable` changes at compile time, so `compileModel` remembers the compile
 *   arguments and every change here recompiles the model (with a fresh optimizer of the same kind: the
 *   old one's slots belong to the old set of trainable weights);
 * - `trainableSummary`: trainable vs non-trainable parameter counts and a table-ready per-layer view.
 */
import * as tf from '@tensorflow/tfjs';
import { type PreprocessMode } from '../models/imagenet';
import { ImageNetPreprocessing } from '../models/imageNetPreprocessing';
import { setTrainable } from '../layers/frozenBatchNorm';
import { applyLayers, classifierHead } from '../models/heads';

/** Options of `buildTransferModel`. */
export interface TransferModelOptions {
  /** Augmentation layers applied first (active only in training), e.g. `defaultAugmentation()`. */
  augmentation?: tf.layers.Layer[];
  /** ImageNet preprocessing mode of the base ('caffe' for VGG16/ResNet, 'tf' for MobileNet) or a layer; none by default. */
  preprocess?: PreprocessMode | tf.layers.Layer | null;
  /** How the base's feature map becomes a vector: 'flatten' (default), 'gap' (global average) or 'gmp' (global max). */
  head?: 'flatten' | 'gap' | 'gmp';
  /** Hidden Dense (relu) layer width(s); default [256]; [] for none. */
  dense?: number | number[];
  /** Dropout rate after each hidden Dense layer (default 0: none; the lesson uses 0.5). */
  dropout?: number;
  /** 1 = binary (sigmoid), n > 1 = n classes (softmax). Default 1. */
  outputs?: number;
  /** Output activation (default sigmoid for 1 output, softmax otherwise). */
  activation?: 'sigmoid' | 'softmax' | 'linear';
  /** Freeze the base (default true). */
  freezeBase?: boolean;
  /** Input shape [h, w, c] (default: the base's input shape). */
  inputShape?: [number, number, number];
  /** Model name (default 'transfer_model'). */
  name?: string;
}

/**
 * Builds base + head as one functional model; the base is nested as a single layer (like
 * `keras.Sequential([conv_base, ...])`), frozen by default. Compile it with `compileModel`.
 */
export function buildTransferModel(base: tf.LayersModel, opts: TransferModelOptions = {}): tf.LayersModel {
  const baseShape = base.inputs[0].shape.slice(1) as (number | null)[];
  const shape = opts.inputShape ?? baseShape;
  if (shape.some((d) => d === null || d === undefined)) {
    throw new Error(`buildTransferModel: the base '${base.name}' has input shape [${baseShape}] with unknown sizes; pass inputShape: [height, width, 3].`);
  }
  const outputs = opts.outputs ?? 1;
  if (!Number.isInteger(outputs) || outputs < 1) throw new Error(`buildTransferModel: outputs=${outputs} must be 1 (binary) or the number of classes.`);
  const dropout = opts.dropout ?? 0;
  if (dropout < 0 || dropout >= 1) throw new Error(`buildTransferModel: dropout=${dropout} must be in [0, 1).`);
  const dense = opts.dense === undefined ? [256] : Array.isArray(opts.dense) ? opts.dense : [opts.dense];

  const input = tf.input({ shape: shape as number[], name: 'image' });
  let x: tf.SymbolicTensor = input;
  for (const layer of opts.augmentation ?? []) x = layer.apply(x) as tf.SymbolicTensor;
  if (opts.preprocess) {
    const pre = typeof opts.preprocess === 'string' ? new ImageNetPreprocessing({ mode: opts.preprocess, name: 'preprocess_input' }) : opts.preprocess;
    x = pre.apply(x) as tf.SymbolicTensor;
  }
  if (opts.freezeBase ?? true) freeze(base);
  x = base.apply(x) as tf.SymbolicTensor;
  const head = opts.head ?? 'flatten';
  if (!['flatten', 'gap', 'gmp'].includes(head)) throw new Error(`buildTransferModel: head='${head}' is not one of 'flatten', 'gap', 'gmp'.`);
  const out = applyLayers(x, classifierHead(head, { hidden: dense, dropout, outputs, activation: opts.activation }));
  return tf.model({ inputs: input, outputs: out, name: opts.name ?? 'transfer_model' });
}

/** Sets `trainable` on a layer and, for a model, on every layer inside it (recursively, as Keras does). */
const setTrainableDeep = (layer: tf.layers.Layer | tf.LayersModel, value: boolean): void => setTrainable(layer, value);

/** Makes a layer or model non-trainable (recursively). Recompiles `recompile` if given (see `compileModel`). */
export function freeze(target: tf.LayersModel | tf.layers.Layer, recompile?: tf.LayersModel): void {
  setTrainableDeep(target, false);
  if (recompile) recompileModel(recompile);
}

/** Finds a layer by name in a model, searching nested models; returns it with its parent model. */
export function findLayer(model: tf.LayersModel, name: string): { layer: tf.layers.Layer; parent: tf.LayersModel } | undefined {
  for (const l of model.layers) {
    if (l.name === name) return { layer: l, parent: model };
    if (l instanceof tf.LayersModel) {
      const found = findLayer(l, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Makes `model` trainable from the layer named `from` (inclusive) to the end, and the layers before it frozen.
 * `from` may name a layer of a nested base (e.g. 'block5_conv1' inside vgg16); the containers on the way are
 * made trainable. Without `from`, everything is unfrozen. Recompiles `opts.recompile` if given.
 */
export function unfreeze(model: tf.LayersModel, opts: { from?: string; recompile?: tf.LayersModel } = {}): void {
  if (!opts.from) {
    setTrainableDeep(model, true);
  } else {
    const found = findLayer(model, opts.from);
    if (!found) {
      const names = model.layers.flatMap((l) => (l instanceof tf.LayersModel ? l.layers.map((s) => s.name) : [l.name]));
      throw new Error(`unfreeze: no layer named '${opts.from}' in model '${model.name}'. Layers: ${names.join(', ')}.`);
    }
    const { parent } = found;
    // Containers on the path must be trainable for their layers' weights to count.
    const path = containerPath(model, parent) ?? [model];
    for (const c of path) c.trainable = true;
    const idx = parent.layers.indexOf(found.layer);
    parent.layers.forEach((l, i) => setTrainableDeep(l, i >= idx));
  }
  if (opts.recompile) recompileModel(opts.recompile);
}

function containerPath(root: tf.LayersModel, target: tf.LayersModel): tf.LayersModel[] | undefined {
  if (root === target) return [root];
  for (const l of root.layers) {
    if (l instanceof tf.LayersModel) {
      const p = containerPath(l, target);
      if (p) return [root, ...p];
    }
  }
  return undefined;
}

const compileArgs = new WeakMap<tf.LayersModel, tf.ModelCompileArgs>();

/** `model.compile(args)`, remembering the arguments so the model can be recompiled after `trainable` changes. */
export function compileModel(model: tf.LayersModel, args: tf.ModelCompileArgs): tf.LayersModel {
  model.compile(args);
  compileArgs.set(model, args);
  return model;
}

/** A new optimizer of the same class and config (optionally another learning rate). */
export function cloneOptimizer(opt: tf.Optimizer, learningRate?: number): tf.Optimizer {
  const ctor = opt.constructor as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>;
  const config = { ...opt.getConfig() };
  if (learningRate !== undefined) {
    if (!('learningRate' in config)) throw new Error(`cloneOptimizer: ${opt.getClassName()} has no learningRate to change.`);
    config.learningRate = learningRate;
  }
  return ctor.fromConfig(ctor, config);
}

/**
 * Recompiles after `trainable` changes, with the arguments recorded by `compileModel` (or, for a model
 * compiled with `model.compile`, its current optimizer/loss/metrics). The optimizer is replaced by a fresh one
 * of the same kind; `overrides` may change any argument, `learningRate` only the rate.
 */
export function recompileModel(model: tf.LayersModel, overrides: Partial<tf.ModelCompileArgs> & { learningRate?: number } = {}): tf.LayersModel {
  const { learningRate, ...rest } = overrides;
  let args = compileArgs.get(model);
  if (!args && model.optimizer) {
    args = { optimizer: model.optimizer, loss: model.loss as tf.ModelCompileArgs['loss'], metrics: (model as unknown as { metrics?: tf.ModelCompileArgs['metrics'] }).metrics };
  }
  if (!args && !rest.optimizer) {
    throw new Error(`The model '${model.name}' was never compiled: call compileModel(model, { optimizer, loss, metrics }) first (then trainable changes recompile it for you).`);
  }
  const merged = { ...(args ?? {}), ...rest } as tf.ModelCompileArgs;
  if (!merged.loss) throw new Error(`recompileModel('${model.name}'): no loss known; pass { loss } or use compileModel first.`);
  if (typeof merged.optimizer === 'string') {
    if (learningRate !== undefined) merged.optimizer = cloneOptimizer(makeOptimizer(merged.optimizer), learningRate);
  } else if (!rest.optimizer || learningRate !== undefined) {
    merged.optimizer = cloneOptimizer(merged.optimizer, learningRate);
  }
  return compileModel(model, merged);
}

function makeOptimizer(name: string): tf.Optimizer {
  const n = name.toLowerCase();
  const table: Record<string, () => tf.Optimizer> = {
    sgd: () => tf.train.sgd(0.01),
    adam: () => tf.train.adam(0.001),
    rmsprop: () => tf.train.rmsprop(0.001),
    adagrad: () => tf.train.adagrad(0.01),
    adadelta: () => tf.train.adadelta(1),
    adamax: () => tf.train.adamax(0.002),
  };
  if (!table[n]) throw new Error(`Unknown optimizer '${name}': use one of ${Object.keys(table).join(', ')} or an optimizer object.`);
  return table[n]();
}

/** The lesson's fine-tuning strategies: train only the new head, the head plus the top of the base, or everything. */
export type FineTuneStrategy = 'classifier' | 'top' | 'all';

/** Options of `setFineTuneStrategy`. */
export interface FineTuneOptions {
  /** For 'top': the first base layer to train (default: the first layer of the base's last `blockN_` block). */
  from?: string;
  /** New learning rate (fine-tuning usually wants a small one, e.g. 1e-5). */
  learningRate?: number;
  /** Other compile arguments to change. */
  compile?: Partial<tf.ModelCompileArgs>;
}

/** The first layer of the highest-numbered `blockN_` block (e.g. 'block5_conv1' in VGG16). */
export function lastBlockStart(base: tf.LayersModel): string | undefined {
  let best: { n: number; name: string } | undefined;
  for (const l of base.layers) {
    const m = /^block(\d+)_/.exec(l.name);
    if (m && (!best || Number(m[1]) > best.n)) best = { n: Number(m[1]), name: l.name };
  }
  return best?.name;
}

/**
 * Applies a fine-tuning strategy and recompiles:
 * - 'classifier': the base is frozen, only the head trains (feature extraction with augmentation);
 * - 'top': the base's layers from `from` (default its last block, e.g. 'block5_conv1') train with the head;
 * - 'all': every layer trains.
 * Returns the resulting `trainableSummary`.
 */
export function setFineTuneStrategy(model: tf.LayersModel, base: tf.LayersModel, strategy: FineTuneStrategy, opts: FineTuneOptions = {}): TrainableSummary {
  if (!containerPath(model, base)) {
    throw new Error(`setFineTuneStrategy: the base '${base.name}' is not part of model '${model.name}'.`);
  }
  for (const l of model.layers) if (l !== (base as unknown as tf.layers.Layer)) setTrainableDeep(l, true);
  model.trainable = true;
  if (strategy === 'classifier') freeze(base);
  else if (strategy === 'all') unfreeze(base);
  else if (strategy === 'top') {
    const from = opts.from ?? lastBlockStart(base);
    if (!from) throw new Error(`setFineTuneStrategy('top'): the base '${base.name}' has no blockN_ layers; pass { from: '<first layer to train>' }.`);
    setTrainableDeep(base, false);
    unfreeze(base, { from });
  } else throw new Error(`setFineTuneStrategy: strategy '${strategy as string}' is not one of 'classifier', 'top', 'all'.`);
  recompileModel(model, { ...(opts.compile ?? {}), learningRate: opts.learningRate });
  return trainableSummary(model);
}

/** One row of `trainableSummary`. */
export interface TrainableRow {
  layer: string;
  type: string;
  params: number;
  trainableParams: number;
  trainable: 'yes' | 'no' | 'partly' | '-';
}

/** Parameter counts: what `fit` will update and what it will not. */
export interface TrainableSummary {
  trainableParams: number;
  nonTrainableParams: number;
  totalParams: number;
  /** Number of trainable weight tensors (Keras: `len(model.trainable_weights)`). */
  trainableWeights: number;
  /** Per layer (nested models expanded as `base/layer`), ready for `showTable`. */
  rows: TrainableRow[];
}

const size = (ws: tf.LayerVariable[]) => ws.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);

/** Counts trainable / non-trainable parameters, overall and per layer. */
export function trainableSummary(model: tf.LayersModel): TrainableSummary {
  const rows: TrainableRow[] = [];
  const walk = (layers: tf.layers.Layer[], prefix: string, parentOn: boolean) => {
    for (const l of layers) {
      const inner = l instanceof tf.LayersModel;
      if (inner) {
        walk((l as tf.LayersModel).layers, `${prefix}${l.name}/`, parentOn && l.trainable);
        continue;
      }
      const params = size(l.weights);
      const tp = parentOn ? size(l.trainableWeights) : 0;
      rows.push({
        layer: prefix + l.name,
        type: l.getClassName(),
        params,
        trainableParams: tp,
        trainable: params === 0 ? '-' : tp === params ? 'yes' : tp === 0 ? 'no' : 'partly',
      });
    }
  };
  walk(model.layers, '', model.trainable);
  const trainableParams = size(model.trainableWeights);
  const nonTrainableParams = size(model.nonTrainableWeights);
  return { trainableParams, nonTrainableParams, totalParams: trainableParams + nonTrainableParams, trainableWeights: model.trainableWeights.length, rows };
}

/** One line: "trainable 2,097,665 / non-trainable 14,714,688 / total 16,812,353 parameters (4 weight tensors)". */
export function describeTrainable(s: TrainableSummary): string {
  const f = (n: number) => n.toLocaleString('en-US');
  return `trainable ${f(s.trainableParams)} / non-trainable ${f(s.nonTrainableParams)} / total ${f(s.totalParams)} parameters (${s.trainableWeights} trainable weight tensors)`;
}

/** Prints the counts, and in a notebook shows the per-layer table (lib/display.ts) when it is available. */
export function showTrainableSummary(model: tf.LayersModel, opts: { layers?: boolean } = {}): TrainableSummary {
  const s = trainableSummary(model);
  console.log(describeTrainable(s));
  if (opts.layers ?? true) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const display = require('../ui/display') as { inNotebook(): boolean; showTable(rows: Record<string, unknown>[], o?: { caption?: string }): void };
      if (display.inNotebook()) {
        display.showTable(s.rows as unknown as Record<string, unknown>[], { caption: `${model.name}: ${describeTrainable(s)}` });
        return s;
      }
    } catch {
      /* lib/display.ts missing: plain text below */
    }
    console.table(s.rows);
  }
  return s;
}
