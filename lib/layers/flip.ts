/** Flipping images of a batch left-right and/or up-down, in JavaScript (any backend). */
import * as tf from '@tensorflow/tfjs';

/** Flips image b left-right where `horizontal[b]`, up-down where `vertical[b]`; returns a new tensor. */
export function flipImages(images: tf.Tensor4D, horizontal: boolean[], vertical: boolean[]): tf.Tensor4D {
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
