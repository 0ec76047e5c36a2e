/**
 * Changing what trains, as in Keras: `freeze` / `unfreeze` (from a named layer on, nested bases included) and the
 * lesson's three fine-tuning strategies, `setFineTuneStrategy` ('classifier' | 'top' | 'all'). Every change can
 * recompile the model for you (training/compile.ts), since TF.js only notices `trainable` at compile time.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { setTrainable } from '../layers/frozenBatchNorm';
import { allLayers, findLayer, leafLayers } from '../layers/walk';
import { APPLICATIONS } from '../models/applications';
import { recompileModel } from './compile';
import { trainableSummary, type TrainableSummary } from './trainableSummary';

/** Makes a layer or model non-trainable (recursively). Recompiles `recompile` if given (see `compileModel`). */
export function freeze(target: tf.LayersModel | tf.layers.Layer, recompile?: tf.LayersModel): void {
  setTrainable(target, false);
  if (recompile) recompileModel(recompile);
}

/**
 * Makes `model` trainable from the layer named `from` (inclusive) to the end, and the layers before it frozen.
 * `from` may name a layer of a nested base (e.g. 'block5_conv1' inside vgg16); the containers on the way are
 * made trainable. Without `from`, everything is unfrozen. Recompiles `opts.recompile` if given.
 */
export function unfreeze(model: tf.LayersModel, opts: { from?: string; recompile?: tf.LayersModel } = {}): void {
  if (!opts.from) {
    setTrainable(model, true);
  } else {
    const found = findLayer(model, opts.from);
    if (!found?.parent) {
      const names = leafLayers(model).map((l) => l.name);
      throw new ArgumentError({
        en: `unfreeze: model '${model.name}' has no layer named '${opts.from}'. Its layers: ${names.join(', ')}.`,
        ko: `unfreeze: 모델 '${model.name}'에 '${opts.from}'이라는 층이 없습니다. 층 이름: ${names.join(', ')}.`,
      });
    }
    // Containers on the path must be trainable for their layers' weights to count.
    for (const c of found.path) c.trainable = true;
    const idx = found.parent.layers.indexOf(found.layer);
    found.parent.layers.forEach((l, i) => setTrainable(l, i >= idx));
  }
  if (opts.recompile) recompileModel(opts.recompile);
}

/** The lesson's fine-tuning strategies: train only the new head, the head plus the top of the base, or everything. */
export type FineTuneStrategy = 'classifier' | 'top' | 'all';

/** How much training data there is, and how much its classes resemble those the base learned (ImageNet's). */
export type DataSize = 'small' | 'large';
/** How much the new classes resemble the classes the base was trained on. */
export type Similarity = 'low' | 'high';

/**
 * The lesson's rule for choosing a strategy: much data and little similarity -> 'all'; little data and much
 * similarity -> 'classifier'; the two mixed cases -> 'top'. The classifier trains in every strategy.
 */
export function recommendedStrategy(size: DataSize, similarity: Similarity): FineTuneStrategy {
  if (size === 'large' && similarity === 'low') return 'all';
  if (size === 'small' && similarity === 'high') return 'classifier';
  return 'top';
}

/** Options of `setFineTuneStrategy`. */
export interface FineTuneOptions {
  /** For 'top': the first base layer to train (default `lastBlockStart(base)`: the family's `fineTuneFrom`). */
  from?: string;
  /** New learning rate (fine-tuning usually wants a small one, e.g. 1e-5). */
  learningRate?: number;
  /** Other compile arguments to change. */
  compile?: Partial<tf.ModelCompileArgs>;
}

/** Each family's `fineTuneFrom`, once. */
const familyFineTuneLayers = (): string[] => [...new Set(Object.values(APPLICATIONS).map((a) => a.fineTuneFrom))];

/**
 * Where 'top' fine-tuning starts in `base`: the family's `fineTuneFrom` from lib/models/applications.ts (the one
 * table: 'block5_conv1' for VGG, 'conv5_block1_1_conv' for ResNet, 'conv_dw_12' for MobileNet, 'block_13_expand'
 * for MobileNetV2) when `base` has that layer; for another base with Keras's VGG names, the first layer of its
 * highest-numbered `blockN_` block; else undefined.
 */
export function lastBlockStart(base: tf.LayersModel): string | undefined {
  const fromTable = familyFineTuneLayers().find((name) => findLayer(base, name));
  if (fromTable) return fromTable;
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
 * - 'top': the base's layers from `from` (default `lastBlockStart`: the family's last stage, e.g. 'block5_conv1',
 *   'conv_dw_12') train with the head;
 * - 'all': every layer trains.
 * Returns the resulting `trainableSummary`.
 *
 * @example
 * ```ts
 * import { vgg16 } from './lib/models/vgg';
 * import { compileBinaryClassifier } from './lib/training/compile';
 * import { setFineTuneStrategy } from './lib/training/finetune';
 * import { buildTransferModel } from './lib/training/transferModel';
 *
 * const convBase = await vgg16({ includeTop: false, inputShape: [180, 180, 3] });
 * const model = buildTransferModel(convBase, { preprocess: 'caffe' });
 * compileBinaryClassifier(model, 1e-4);
 * const summary = setFineTuneStrategy(model, convBase, 'top', { from: 'block5_conv1', learningRate: 1e-5 });
 * console.log(summary);
 * ```
 */
export function setFineTuneStrategy(
  model: tf.LayersModel,
  base: tf.LayersModel,
  strategy: FineTuneStrategy,
  opts: FineTuneOptions = {},
): TrainableSummary {
  if (!allLayers(model).includes(base as unknown as tf.layers.Layer)) {
    throw new ArgumentError({
      en: `setFineTuneStrategy: the base '${base.name}' is not part of model '${model.name}': pass the base the model was built on.`,
      ko: `setFineTuneStrategy: 베이스 '${base.name}'이(가) 모델 '${model.name}' 안에 없습니다. 모델을 만들 때 쓴 베이스를 주세요.`,
    });
  }
  for (const l of model.layers) if (l !== (base as unknown as tf.layers.Layer)) setTrainable(l, true);
  model.trainable = true;
  if (strategy === 'classifier') freeze(base);
  else if (strategy === 'all') unfreeze(base);
  else if (strategy === 'top') {
    const from = opts.from ?? lastBlockStart(base);
    if (!from)
      throw new ArgumentError({
        en:
          `setFineTuneStrategy('top'): the base '${base.name}' is not a known application (none of ` +
          `${familyFineTuneLayers().join(', ')}) and has no blockN_ layers; pass { from: '<first layer to train>' }.`,
        ko:
          `setFineTuneStrategy('top'): 베이스 '${base.name}'은(는) 알려진 모델이 아니고(${familyFineTuneLayers().join(', ')} ` +
          `중 어느 것도 없음) blockN_ 층도 없습니다. { from: '<학습을 시작할 층>' }을 주세요.`,
      });
    setTrainable(base, false);
    unfreeze(base, { from });
  } else
    throw new ArgumentError({
      en: `setFineTuneStrategy: strategy must be 'classifier', 'top' or 'all'. Received: '${strategy as string}'.`,
      ko: `setFineTuneStrategy: strategy는 'classifier', 'top', 'all' 중 하나여야 합니다. 받은 값: '${strategy as string}'.`,
    });
  recompileModel(model, { ...(opts.compile ?? {}), learningRate: opts.learningRate });
  return trainableSummary(model);
}
