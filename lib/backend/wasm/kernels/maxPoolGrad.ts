/**
 * MaxPoolGrad that is right for negative inputs and faster. wasm 4.22's own MaxPoolGrad (and MaxPoolWithArgmax)
 * start each window's maximum at FLT_MIN instead of -infinity, so a window of negative values sends its gradient
 * to the wrong pixel. This one scans each window on the wasm heap for its first strict maximum (row-major taps,
 * from -infinity, as the cpu backend does; a window of NaN/-infinity gets none) and adds dy there, so overlapping
 * windows sum. One pass over the input, no intermediate tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOutput, heapView } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';

type Floats = tf.backend_util.TypedArray;

/**
 * Adds each dy to the first maximum of its pooling window in `dx` (zeroed by the caller): `xv` is the pool's input
 * [N, H, W, C], `dyv` its output's gradient [N, OH, OW, C], both flat.
 */
function scatterToMaxima(xv: Floats, dyv: Floats, dx: Floats, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  const wc = w * c;
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - padInfo.top;
      const kyStart = Math.max(0, -y0);
      const kyEnd = Math.min(kh, h - y0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - padInfo.left;
        const kxStart = Math.max(0, -x0);
        const kxEnd = Math.min(kw, w - x0);
        const dyBase = ((bi * oh + oy) * ow + ox) * c;
        const winBase = ((bi * h + y0) * w + x0) * c;
        if (kh === 2 && kw === 2 && kyStart === 0 && kxStart === 0 && kyEnd === 2 && kxEnd === 2) {
          // The common 2x2 window, unrolled: taps p, p + C (right), p + W*C (below), p + W*C + C.
          for (let ch = 0; ch < c; ch++) {
            const p = winBase + ch;
            let m = -Infinity;
            let q = -1;
            const v0 = xv[p];
            const v1 = xv[p + c];
            const v2 = xv[p + wc];
            const v3 = xv[p + wc + c];
            if (v0 > m) { m = v0; q = p; }
            if (v1 > m) { m = v1; q = p + c; }
            if (v2 > m) { m = v2; q = p + wc; }
            if (v3 > m) q = p + wc + c;
            if (q >= 0) dx[q] += dyv[dyBase + ch];
          }
          continue;
        }
        for (let ch = 0; ch < c; ch++) {
          best[ch] = -Infinity;
          at[ch] = -1;
        }
        // Taps in row-major order, channels innermost (contiguous reads); strict > keeps the first maximum.
        for (let ky = kyStart; ky < kyEnd; ky++) {
          for (let kx = kxStart; kx < kxEnd; kx++) {
            const p = winBase + (ky * w + kx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[p + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = p + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dyv[dyBase + ch];
      }
    }
  }
}

const maxPoolGradFn: KernelFn = ({ inputs, backend, attrs }) => {
  const x = inputs.input as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`MaxPoolGrad on wasm: input and dy must be float32 (got ${x.dtype}, ${dy.dtype}); cast them first.`);
  }
  const a = (attrs ?? {}) as Attrs;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize as [number, number], a.strides as [number, number], 1, a.pad as 'same', a.dimRoundingMode as 'floor' | undefined);
  const want = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
  if (dy.shape.join() !== want.join()) {
    throw new Error(`MaxPoolGrad on wasm: dy has shape ${JSON.stringify(dy.shape)}, the pool's output is ${JSON.stringify(want)}.`);
  }
  const out = heapOutput(backend, x.shape, 'float32');
  // Views after the allocation: allocating may grow (and so replace) the heap's buffer.
  const dx = heapView(backend, out);
  dx.fill(0);
  scatterToMaxima(heapView(backend, x), heapView(backend, dy), dx, info);
  return out;
};

/** The MaxPoolGrad kernel for wasm (see the file's comment). */
export const maxPoolGrad: tf.KernelConfig = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradFn as tf.KernelFunc };
