/**
 * Loading a model this project saved (`saveModel` from io/modelIO.ts): its custom layers (the random
 * augmentation layers, FrozenBatchNormalization, ImageNetPreprocessing) must be registered before tfjs reads
 * its config. Importing this module registers all of them, and `loadSavedModel` loads with them in place.
 */
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../io/modelIO';
import { FrozenBatchNormalization } from '../layers/frozenBatchNorm';
import { RandomFlip } from '../layers/randomFlip';
import { RandomRotation } from '../layers/randomRotation';
import { RandomTranslation } from '../layers/randomTranslation';
import { RandomZoom } from '../layers/randomZoom';
import { ImageNetPreprocessing } from './imageNetPreprocessing';

/** The custom layer classes a saved lesson model may contain (all registered by importing this module). */
export const CUSTOM_LAYER_CLASSES: readonly string[] = [
  RandomFlip,
  RandomRotation,
  RandomZoom,
  RandomTranslation,
  FrozenBatchNormalization,
  ImageNetPreprocessing,
].map((c) => c.className);

/** Loads a model folder written by `saveModel` (model.json + weights.bin), custom layers included. */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  return loadModel(dir);
}
