/**
 * Notebook 08's second cats/dogs model, the one notebook 00 ends with: the profile's frozen base, then
 * GlobalAveragePooling2D and one Dense(1, sigmoid) — a head of (channels + 1) weights that treats every position of
 * the feature map alike, next to 07's Flatten head that has a weight per position. It trains on 05's cached
 * features (the base runs once), and the same layers, put behind the preprocessing and the base, make a model on
 * photos for Grad-CAM (for this head, Grad-CAM is 00's CAM up to a scale). Also the table that sets the two heads
 * side by side (parameters of base and head, training photos, test accuracy).
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { call } from '../layers/call';
import { ImageNetPreprocessing } from '../models/imageNetPreprocessing';
import { applyLayers, classifierHead } from '../models/heads';
import { compileBinaryClassifier } from '../training/compile';
import { evaluateModel } from '../training/evaluate';
import { showTable } from '../ui/display';
import { loadBackbone } from './backbone';
import { lessonFeatures } from './fastFeatureExtraction';
import type { LessonProfile } from './profile';
import { lessonDatasets } from './profileDatasets';

/** A trained GAP-head model on photos, with its class names and the seconds it took (features included). */
export interface GapHeadModel {
  model: tf.LayersModel;
  classNames: string[];
  seconds: number;
}

/**
 * The epochs (05's `epochs.features`) and learning rate of the GAP head. Its one Dense layer underfits at 05's
 * 1e-4: in the mini profile, training accuracy 0.75 after 30 epochs, against 0.985 at 1e-3 (chosen on training
 * accuracy, the smallest rate that fits the 200 photos; 1e-2 was not needed).
 */
export function gapHeadSettings(profile: LessonProfile): { epochs: number; learningRate: number } {
  return { epochs: profile.epochs.features, learningRate: 1e-3 };
}

/** Trains base -> GAP -> Dense(1, sigmoid) on the profile's cached features; returns the model on photos. */
export async function trainGapHeadModel(profile: LessonProfile): Promise<GapHeadModel> {
  const t0 = Date.now();
  const backbone = await loadBackbone(profile);
  const data = await lessonDatasets(profile);
  const feats = await lessonFeatures(profile, backbone, data);
  const head = classifierHead('gap', { hidden: [], name: 'gap_head' });
  const features = tf.input({ shape: feats.train.features.shape.slice(1), name: 'features' });
  const onFeatures = tf.model({ inputs: features, outputs: applyLayers(features, head), name: 'gap_classifier' });
  const { epochs, learningRate } = gapHeadSettings(profile);
  compileBinaryClassifier(onFeatures, learningRate);
  await onFeatures.fit(feats.train.features, feats.train.labels, {
    epochs,
    batchSize: profile.batchSize,
    verbose: 0,
  });
  const image = tf.input({ shape: [...backbone.inputShape], name: 'image' });
  const pre = call(new ImageNetPreprocessing({ mode: backbone.preprocessMode, name: 'preprocess_input' }), image);
  const model = tf.model({
    inputs: image,
    outputs: applyLayers(call(backbone.convBase, pre), head),
    name: 'gap_model',
  });
  for (const split of Object.values(feats)) tf.dispose([split.features, split.labels]);
  onFeatures.optimizer.dispose();
  return { model, classNames: feats.train.classNames, seconds: (Date.now() - t0) / 1000 };
}

/** Parameters of a model's nested base (its layers that are models) and of everything else (its head). */
export function baseAndHeadParams(model: tf.LayersModel): { base: number; head: number } {
  const base = model.layers.filter((l) => l instanceof tf.LayersModel).reduce((s, l) => s + l.countParams(), 0);
  return { base, head: model.countParams() - base };
}

/** Shows the models side by side: base and head parameters, head / base, training photos, test accuracy (measured here). */
export async function showHeadComparison(
  profile: LessonProfile,
  models: { title: string; model: tf.LayersModel }[],
): Promise<void> {
  const data = await lessonDatasets(profile);
  const rows = [];
  for (const m of models) {
    const p = baseAndHeadParams(m.model);
    const test = await evaluateModel(m.model, data.test);
    rows.push({
      [say({ en: 'model', ko: '모델' })]: m.title,
      [say({ en: 'base parameters', ko: '합성곱 기반 파라미터' })]: p.base,
      [say({ en: 'head parameters', ko: '분류기 파라미터' })]: p.head,
      [say({ en: 'head / base', ko: '분류기 / 합성곱 기반' })]: `${(p.head / Math.max(1, p.base)).toPrecision(3)}배`,
      [say({ en: 'training photos', ko: '학습 사진' })]: data.train.filePaths.length,
      [say({ en: 'test accuracy', ko: '테스트 정확도' })]: test.accuracy.toFixed(2),
    });
  }
  showTable(rows, { caption: say({ en: 'Two heads on the same base', ko: '같은 합성곱 기반 위의 두 분류기' }) });
}
