/**
 * The lesson's data augmentation: Keras's tutorial stack of random layers (flip, rotation, zoom). Each layer
 * lives in its own file (`randomFlip.ts`, `randomRotation.ts`, `randomZoom.ts`, `randomTranslation.ts`), acts
 * only while training, and is registered for `tf.loadLayersModel` under its Keras class name with Keras config
 * keys (`fill_mode`, `height_factor`). For rescaling use tfjs's own `tf.layers.rescaling`.
 */
import * as tf from '@tensorflow/tfjs';
import { randomFlip } from './randomFlip';
import { randomRotation } from './randomRotation';
import { randomZoom } from './randomZoom';

/** The lesson's augmentation stack: flip horizontally, rotate ±10%, zoom ±20% (Keras tutorial values). */
export function defaultAugmentation(opts: { seed?: number } = {}): tf.layers.Layer[] {
  const s = opts.seed;
  return [
    randomFlip({ mode: 'horizontal', seed: s }),
    randomRotation({ factor: 0.1, seed: s === undefined ? undefined : s + 1 }),
    randomZoom({ heightFactor: 0.2, seed: s === undefined ? undefined : s + 2 }),
  ];
}
