/**
 * Flipping images of a batch left-right and/or up-down: in JavaScript where the backend reads synchronously, with
 * tensor ops (reverse + select: the same numbers) on webgpu.
 */
import * as tf from '@tensorflow/tfjs';
import { backendReadsSync } from '../core/syncReads';

/** The flip as tensor ops: each image replaced by its reversed copy where its flag is set. */
function flipWithOps(images: tf.Tensor4D, horizontal: boolean[], vertical: boolean[]): tf.Tensor4D {
  return tf.tidy(() => {
    const B = images.shape[0];
    const pick = (x: tf.Tensor4D, flags: boolean[], axis: number): tf.Tensor4D =>
      flags.some(Boolean) ? tf.where(tf.tensor4d(flags, [B, 1, 1, 1], 'bool'), tf.reverse(x, axis), x) : x;
    const out = pick(pick(images, horizontal, 2), vertical, 1);
    return out === images ? tf.clone(images) : out;
  });
}

/** Flips image b left-right where `horizontal[b]`, up-down where `vertical[b]`; returns a new tensor. */
export function flipImages(images: tf.Tensor4D, horizontal: boolean[], vertical: boolean[]): tf.Tensor4D {
  if (!backendReadsSync()) return flipWithOps(images, horizontal, vertical);
  const [B, H, W, C] = images.shape;
  const src = images.dataSync();
  const out = new (src.constructor as Float32ArrayConstructor)(src.length);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      const sy = vertical[b] ? H - 1 - y : y;
      const dst = (b * H + y) * W * C;
      const row = (b * H + sy) * W * C;
      if (!horizontal[b]) {
        out.set(src.subarray(row, row + W * C), dst);
        continue;
      }
      for (let x = 0; x < W; x++) {
        const q = row + (W - 1 - x) * C;
        for (let c = 0; c < C; c++) out[dst + x * C + c] = src[q + c];
      }
    }
  }
  return tf.tensor4d(out, [B, H, W, C], images.dtype as 'float32' | 'int32');
}
