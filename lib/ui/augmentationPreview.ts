/** Showing what augmentation does: the layers run in training mode on copies of one photo, as an image grid. */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { loadImage } from '../data/imageDataset';
import { showImageGrid } from './display';

/**
 * Runs the augmentation layers in training mode on a batch and returns the augmented copy (a new tensor; the
 * input is not disposed).
 */
export function augmentBatch(layers: tf.layers.Layer[], images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor = images;
    for (const l of layers) x = l.apply(x, { training: true }) as tf.Tensor;
    return (x === images ? tf.clone(x) : x) as tf.Tensor4D;
  });
}

/** The largest change the layers make to `images` in inference mode (0 for augmentation layers). */
export async function inferenceChange(layers: tf.layers.Layer[], images: tf.Tensor4D): Promise<number> {
  const change = tf.tidy(() => {
    let x: tf.Tensor = images;
    for (const l of layers) x = l.apply(x, { training: false }) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(x, images)));
  });
  // Read asynchronously: on webgpu Node has no synchronous GPU read.
  const [v] = await change.data();
  change.dispose();
  return v;
}

/** Options of `showAugmentationPreview`. */
export interface AugmentationPreviewOptions {
  /** Size the photo is loaded at, [height, width] (default: its own size). */
  imageSize?: [number, number];
  /** Number of augmented copies (default 8). */
  copies?: number;
  /** Thumbnail size in pixels (default 110). */
  size?: number;
}

/**
 * Shows one photo and `copies` augmented versions of it (the layers in training mode, as `fit` runs them), then
 * a line saying how much the layers change it in inference mode (nothing). Returns nothing, so a notebook cell
 * that ends with it prints no value.
 */
export async function showAugmentationPreview(
  layers: tf.layers.Layer[],
  photo: string,
  opts: AugmentationPreviewOptions = {},
): Promise<void> {
  const original = await loadImage(photo, { imageSize: opts.imageSize });
  const copies = tf.tidy(() => tf.stack(Array.from({ length: opts.copies ?? 8 }, () => original)) as tf.Tensor4D);
  const augmented = augmentBatch(layers, copies);
  const images = tf.unstack(augmented) as tf.Tensor3D[];
  const caption = (i: number) => say({ en: `augmented ${i + 1}`, ko: `증식 ${i + 1}` });
  const items = [
    { image: original, caption: say({ en: 'original', ko: '원본' }) },
    ...images.map((image, i) => ({ image, caption: caption(i) })),
  ];
  await showImageGrid(items, { columns: Math.min(items.length, 9), size: opts.size ?? 110 });
  const change = await inferenceChange(layers, copies);
  console.log(
    say({
      en: `In inference (training: false) the layers leave the photo as it is: largest change ${change}.`,
      ko: `예측할 때(training: false)는 증식 층이 사진을 바꾸지 않습니다: 가장 큰 변화량 ${change}`,
    }),
  );
  tf.dispose([original, copies, augmented, ...images]);
}
