/**
 * Loading a model this project saved (`saveModel` from io/modelIO.ts): its custom layers (the random
 * augmentation layers, FrozenBatchNormalization, ImageNetPreprocessing) must be registered before tfjs reads
 * its config. Importing this module registers all of them (each module registers its class when imported: these
 * imports are for that effect), and `loadSavedModel` loads with them in place.
 */
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../io/modelIO';
import '../layers/frozenBatchNorm';
import '../layers/randomFlip';
import '../layers/randomRotation';
import '../layers/randomTranslation';
import '../layers/randomZoom';
import './imageNetPreprocessing';

/** Loads a model folder written by `saveModel` (model.json + weights.bin), custom layers included. */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  return loadModel(dir);
}
