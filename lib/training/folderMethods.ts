/**
 * The lesson's three ways to train on a folder, as `trainOnFolder` runs them (any number of classes: 2 gives one
 * sigmoid output and binary cross-entropy, the lesson's head; more give softmax and categorical cross-entropy):
 *
 * - 'extract' (notebook 05): the frozen base runs once over the images; a head (global average pooling, Dense) is
 *   trained on the features, then put on the base;
 * - 'augment' (06): frozen base + augmentation layers + head, trained end to end on the images;
 * - 'finetune' (07): the head first (as 'extract'), then the top stage of the base unfrozen (the family's
 *   `fineTuneFrom`) and trained with augmentation at a small learning rate.
 *
 * Each returns the model to keep: input 0..255 pixels → preprocessing → base → head, without augmentation layers.
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import type { ProgressSink } from '../core/progress';
import { defaultAugmentation } from '../layers/augmentation';
import { setBatchNormInference } from '../layers/frozenBatchNorm';
import { preprocessInput } from '../models/imagenet';
import { compileModel } from './compile';
import { extractFeatures } from './features';
import type { FolderBackbone } from './folderBackbone';
import type { FolderData } from './folderData';
import { setFineTuneStrategy } from './finetune';
import { joinHistories } from './logs';
import { phaseProgress } from './phaseProgress';
import { applyLayers, classifierHead } from '../models/heads';
import { buildTransferModel } from './transferModel';

/** The three methods. */
export const METHODS = ['extract', 'augment', 'finetune'] as const;
/** One of `METHODS`. */
export type Method = (typeof METHODS)[number];

/** What a method needs. */
export interface MethodContext {
  data: FolderData;
  backbone: FolderBackbone;
  /** Epochs of the method's main stage (for 'finetune': of the fine-tuning stage). */
  epochs: number;
  /** Epochs of the head on features before fine-tuning ('finetune'). */
  headEpochs: number;
  batchSize: number;
  seed: number;
  /** Weight per class index in the loss (`classWeight: 'balanced'`), or undefined. */
  classWeight?: Record<number, number>;
  signal?: AbortSignal;
  quiet?: boolean;
  sink?: ProgressSink;
}

/** The trained model (no augmentation) and its history. */
export interface MethodResult {
  model: tf.LayersModel;
  history: Record<string, number[]>;
}

/** Adam's learning rate for the new head (on features and on images). */
const HEAD_LEARNING_RATE = 1e-2;

const outputsFor = (classes: number) => (classes === 2 ? 1 : classes);
const lossFor = (classes: number) => (classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy');

/** Compiles with Adam at `lr`, the loss for the number of classes, accuracy. */
function compileFor(model: tf.LayersModel, classes: number, lr: number): void {
  compileModel(model, { optimizer: tf.train.adam(lr), loss: lossFor(classes), metrics: ['accuracy'] });
}

/** The image model: [augmentation] → preprocessing → base → GAP → Dense (the head's layer names: `head_*`). */
function imageModel(ctx: MethodContext, augment: boolean): tf.LayersModel {
  const { base, info } = ctx.backbone;
  return buildTransferModel(base, {
    augmentation: augment ? defaultAugmentation({ seed: ctx.seed }) : undefined,
    preprocess: info.preprocess,
    head: 'gap',
    dense: [],
    outputs: outputsFor(ctx.data.classes.length),
    name: 'folder_classifier',
  });
}

/** Copies the weights of every layer of `from` that has some into the layer of `to` with the same name. */
function copyHead(from: tf.LayersModel, to: tf.LayersModel): void {
  for (const l of from.layers) if (l.weights.length) to.getLayer(l.name).setWeights(l.getWeights());
}

/** Throws the abort reason when the run was stopped (training stops between batches, then this ends the run). */
function checkAborted(signal?: AbortSignal): void {
  signal?.throwIfAborted();
}

/** The image model's head without its pooling layer (same layer names), on pooled feature vectors. */
function vectorHead(channels: number, classes: number): tf.LayersModel {
  const input = tf.input({ shape: [channels], name: 'pooled_features' });
  const layers = classifierHead('gap', { hidden: [], outputs: outputsFor(classes) }).slice(1);
  return tf.model({ inputs: input, outputs: applyLayers(input, layers), name: 'head_on_features' });
}

/** 'extract' up to the head: features of training and validation images, a head fitted on them. */
async function headOnFeatures(ctx: MethodContext, epochs: number): Promise<MethodResult> {
  const mode = ctx.backbone.info.preprocess;
  const common = {
    preprocess: (x: tf.Tensor4D) => preprocessInput(x, mode),
    preprocessName: `preprocessInput(${mode})`,
    quiet: ctx.quiet,
    sink: ctx.sink,
    rate: { unit: say({ en: 'images', ko: '장' }), per: ctx.batchSize },
  };
  const tr = await extractFeatures(ctx.backbone.base, ctx.data.train, {
    ...common,
    label: say({ en: 'features (train)', ko: '특성 (학습)' }),
  });
  const va = await extractFeatures(ctx.backbone.base, ctx.data.validation, {
    ...common,
    label: say({ en: 'features (validation)', ko: '특성 (검증)' }),
  });
  // Global average pooling once, here: the head then trains on vectors (the image model pools with its GAP layer).
  const pooled = tf.tidy(() => [tr.features, va.features].map((f) => f.mean([1, 2])));
  tf.dispose([tr.features, va.features]);
  try {
    const classes = ctx.data.classes.length;
    const head = vectorHead(pooled[0].shape[1] as number, classes);
    compileFor(head, classes, HEAD_LEARNING_RATE);
    const label = say({ en: 'train head', ko: '분류기 학습' });
    const h = await head.fit(pooled[0], tr.labels, {
      epochs,
      batchSize: ctx.batchSize,
      shuffle: true,
      validationData: [pooled[1], va.labels],
      classWeight: ctx.classWeight,
      callbacks: [
        phaseProgress(head, { label, batchSize: ctx.batchSize, quiet: ctx.quiet, sink: ctx.sink, signal: ctx.signal }),
      ],
      verbose: 0,
    });
    checkAborted(ctx.signal);
    return { model: head, history: h.history as Record<string, number[]> };
  } finally {
    tf.dispose([...pooled, tr.labels, va.labels]);
  }
}

/** Fits `model` on the training images (augmented inside the model), validating on the validation images. */
async function fitOnImages(
  ctx: MethodContext,
  model: tf.LayersModel,
  label: string,
): Promise<Record<string, number[]>> {
  const steps = Math.ceil(ctx.data.train.size / ctx.batchSize);
  const progress = { label, batchSize: ctx.batchSize, steps, quiet: ctx.quiet, sink: ctx.sink, signal: ctx.signal };
  const h = await model.fitDataset(ctx.data.train.toTfData(), {
    epochs: ctx.epochs,
    validationData: ctx.data.validation.toTfData(),
    classWeight: ctx.classWeight,
    callbacks: [phaseProgress(model, progress)],
    verbose: 0,
  });
  checkAborted(ctx.signal);
  return h.history as Record<string, number[]>;
}

/** The model to keep: the same base and trained head without augmentation layers. */
function inferenceModel(ctx: MethodContext, trained: tf.LayersModel): tf.LayersModel {
  const model = imageModel(ctx, false);
  copyHead(trained, model);
  compileFor(model, ctx.data.classes.length, 1e-3);
  return model;
}

/** Runs `method` (see the file comment). */
export async function runMethod(method: Method, ctx: MethodContext): Promise<MethodResult> {
  const classes = ctx.data.classes.length;
  if (method === 'extract') {
    const { model: head, history } = await headOnFeatures(ctx, ctx.epochs);
    return { model: inferenceModel(ctx, head), history };
  }
  const model = imageModel(ctx, true);
  compileFor(model, classes, HEAD_LEARNING_RATE);
  if (method === 'augment') {
    const history = await fitOnImages(ctx, model, say({ en: 'train (augmented)', ko: '학습 (증식)' }));
    return { model: inferenceModel(ctx, model), history };
  }
  const first = await headOnFeatures(ctx, ctx.headEpochs);
  copyHead(first.model, model);
  setFineTuneStrategy(model, ctx.backbone.base, 'top', { learningRate: 1e-5 });
  // Keras's `base(x, training=False)`, as notebook 07: the unfrozen BatchNormalization layers keep their ImageNet
  // statistics; in training mode they would normalise with a small batch's and undo what the head learned.
  setBatchNormInference(ctx.backbone.base, true);
  const second = await fitOnImages(ctx, model, say({ en: 'fine-tune', ko: '미세 조정' }));
  const joined = joinHistories(first.history, second); // also adds Keras's aliases (accuracy): keep the head's keys
  const history = Object.fromEntries(Object.keys(first.history).map((k) => [k, joined[k]]));
  return { model: inferenceModel(ctx, model), history };
}
