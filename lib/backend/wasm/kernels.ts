/**
 * Training kernels for the TensorFlow.js WebAssembly backend.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 can run inference but not train a convnet: it has no
 * `Conv2DBackpropFilter` (nor the depthwise backprops MobileNet needs), its `Conv2DBackpropInput` is several
 * times slower than the forward convolution, and `BatchMatMul` with a transposed operand falls back to a scalar
 * loop (every dense-layer gradient). `registerWasmKernels()` adds or replaces these kernels with compositions of
 * wasm's fast (XNNPACK) ops — convolutions, plain matrix products, pads, slices, transposes — and fills the
 * remaining gaps with the `cpu` backend's implementation run on copies of the data. It also replaces two wasm
 * kernels that give wrong results: MaxPoolGrad (any window whose values are all <= 0, e.g. after ReLU; now one
 * scan on the wasm heap) and Transform with fillMode 'reflect'; and two slow ones: Sum over leading axes (bias
 * gradients, summed in place without wasm's transpose) and Identity (shares the buffer instead of copying). For speed, FusedConv2D (what tfjs-layers' Conv2D runs) takes Winograd's
 * F(2x2, 3x3) for 3x3 stride-1 convolutions with many channels (lib/wasm/winograd.ts; `WASM_WINOGRAD=0` or
 * `setWasmWinograd(false)` turns it off). Still missing on wasm: complex-number kernels (FFT...), strings, Draw.
 */
import * as tf from '@tensorflow/tfjs';
import { winogradApplies, winogradConv2d, winogradFilter } from './winograd';

type Attrs = Record<string, unknown>;
type Tensors = Record<string, tf.Tensor>;
/** The parts of the wasm backend object that these kernels use. */
interface WasmBackendLike extends tf.KernelBackend {
  dataIdMap: { has(dataId: tf.DataId): boolean };
  incRef(dataId: tf.DataId): void;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}
type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Makes a kernel from a function of tf ops: inputs are wrapped as tensors (sharing the data), `fn` runs in a
 * tidy on the active (wasm) backend, and the result's data is handed to the engine without a copy.
 */
function composite(kernelName: string, fn: (x: Tensors, attrs: Attrs) => tf.Tensor): tf.KernelConfig {
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const engine = tf.engine();
    const wrapped: Tensors = {};
    for (const [k, info] of Object.entries(inputs)) {
      if (!info) continue;
      b.incRef(info.dataId); // the wrapper owns one reference, released by its dispose()
      wrapped[k] = engine.makeTensorFromTensorInfo(info, backend);
    }
    let out: tf.Tensor;
    try {
      out = tf.tidy(() => fn(wrapped, (attrs ?? {}) as Attrs));
    } finally {
      for (const t of Object.values(wrapped)) t.dispose();
    }
    b.incRef(out.dataId); // keep the data alive past the wrapper's dispose; the engine adopts this reference
    const result: tf.TensorInfo = { dataId: out.dataId, shape: out.shape.slice(), dtype: out.dtype };
    out.dispose();
    return result;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * A kernel that runs the `cpu` backend's implementation of `kernelName` on copies of the wasm inputs and
 * copies the outputs back; for kernels that wasm lacks and that have no fast composition.
 */
function cpuFallback(kernelName: string): tf.KernelConfig | undefined {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) return undefined;
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const cpu = tf.findBackend('cpu') as WasmBackendLike & { makeTensorInfo(s: number[], d: tf.DataType, v: tf.backend_util.BackendValues): tf.TensorInfo };
    if (!cpu) throw new Error(`the cpu backend is needed to run ${kernelName} on wasm but did not start`);
    const cpuInputs: tf.NamedTensorInfoMap = {};
    const made: tf.TensorInfo[] = [];
    for (const [k, info] of Object.entries(inputs)) {
      if (!info) continue;
      const t = cpu.makeTensorInfo(info.shape, info.dtype, b.readSync(info.dataId));
      cpuInputs[k] = t;
      made.push(t);
    }
    try {
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs: attrs ?? {} });
      const outs = Array.isArray(out) ? out : [out];
      const results = outs.map((o) => {
        const r = b.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId));
        cpu.disposeData(o.dataId);
        return r;
      });
      return Array.isArray(out) ? results : results[0];
    } finally {
      for (const t of made) cpu.disposeData(t.dataId);
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1]];
}

/**
 * Returns a function giving, for filter tap (i, j), the input pixels it meets at every output position:
 * [B, outH, outW, C]. `x` (NHWC) is padded with `value` by the convolution's pads. With strides > 1 the padded
 * input is reshaped once to [B, H/sh, sh*W/sw, sw*C] so that every tap is a plain 4-D slice (wasm's
 * StridedSlice and its slices of rank > 4 are an order of magnitude slower).
 */
function tapper(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, value = 0): (i: number, j: number) => tf.Tensor4D {
  const { padInfo, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const [b, h, w, c] = x.shape;
  // Rows/cols the taps read, rounded up to whole stride blocks.
  const needH = Math.ceil(((oh - 1) * sh + info.effectiveFilterHeight) / sh) * sh;
  const needW = Math.ceil(((ow - 1) * sw + info.effectiveFilterWidth) / sw) * sw;
  const bottom = needH - h - padInfo.top;
  const right = needW - w - padInfo.left;
  let xp: tf.Tensor4D = x;
  if (padInfo.top || padInfo.left || bottom > 0 || right > 0) {
    xp = tf.pad(x, [[0, 0], [padInfo.top, Math.max(0, bottom)], [padInfo.left, Math.max(0, right)], [0, 0]], value);
  }
  if (xp.shape[1] > needH || xp.shape[2] > needW) xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
  if (sh === 1 && sw === 1) return (i, j) => tf.slice(xp, [0, i * dh, j * dw, 0], [b, oh, ow, c]);
  // [B, H/sh, sh * W/sw, sw*C]: row phase and column block share an axis, so every tap is one 4-D slice.
  const wq = needW / sw;
  const blocks = tf.reshape(xp, [b, needH / sh, sh * wq, sw * c]) as tf.Tensor4D;
  return (i, j) => {
    const r = i * dh;
    const q = j * dw;
    return tf.slice(blocks, [0, Math.floor(r / sh), (r % sh) * wq + Math.floor(q / sw), (q % sw) * c], [b, oh, ow, c]);
  };
}

/** Inserts stride-1 zeros between the rows/cols of dy (the transposed convolution's input). */
function dilateByStride(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, h, w, c] = dy.shape;
  // [B,H,W,C] -> [B*H, 1, W, C] -> pad rows -> [B, H*sh, W, C]; then the same for columns.
  let t: tf.Tensor = dy;
  if (sh > 1) {
    t = tf.pad(tf.reshape(t, [b * h, 1, w, c]), [[0, 0], [0, sh - 1], [0, 0], [0, 0]]);
    t = tf.slice(tf.reshape(t, [b, h * sh, w, c]), [0, 0, 0, 0], [b, (h - 1) * sh + 1, w, c]);
  }
  const h2 = t.shape[1] as number;
  if (sw > 1) {
    t = tf.pad(tf.reshape(t, [b * h2 * w, 1, c]), [[0, 0], [0, sw - 1], [0, 0]]);
    t = tf.slice(tf.reshape(t, [b, h2, w * sw, c]), [0, 0, 0, 0], [b, h2, (w - 1) * sw + 1, c]);
  }
  return t as tf.Tensor4D;
}

/**
 * Explicit pads that turn the transposed convolution into a plain stride-1 `valid` convolution of the dilated dy
 * with the flipped filter; negative amounts become a crop.
 */
function transposedPads(info: tf.backend_util.Conv2DInfo, dilated: tf.Tensor4D): { pads: [[number, number], [number, number]]; crop: [number, number, number, number] } {
  const { padInfo, inHeight, inWidth, effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  const bottom = inHeight + kh - 1 - top - dilated.shape[1];
  const right = inWidth + kw - 1 - left - dilated.shape[2];
  // Negative pads: crop the dilated dy first.
  const crop: [number, number, number, number] = [Math.max(0, -top), Math.max(0, -bottom), Math.max(0, -left), Math.max(0, -right)];
  return { pads: [[Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)]], crop };
}

function cropHW(t: tf.Tensor4D, crop: [number, number, number, number]): tf.Tensor4D {
  const [ct, cb, cl, cr] = crop;
  if (!(ct || cb || cl || cr)) return t;
  return tf.slice(t, [0, ct, cl, 0], [-1, t.shape[1] - ct - cb, t.shape[2] - cl - cr, -1]);
}

function checkNHWC(name: string, attrs: Attrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${name} on wasm supports dataFormat NHWC only (got ${String(attrs.dataFormat)}); use channelsLast layers.`);
  }
}

function conv2dInfo(name: string, xShape: number[], filterShape: number[], attrs: Attrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  checkNHWC(name, attrs);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    pair(attrs.strides),
    pair(attrs.dilations ?? 1),
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
}

/**
 * dW as one XNNPACK convolution over the image plane with the batch as channels: x as [Ci, H, W, B] convolved
 * with dy as a [OH, OW, B, Co] filter (dilated by the forward stride) gives [Ci, KH, KW, Co].
 */
const conv2DBackpropFilter = composite('Conv2DBackpropFilter', (t, attrs) => {
  const x = t.x as tf.Tensor4D;
  const dy = t.dy as tf.Tensor4D;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = conv2dInfo('Conv2DBackpropFilter', x.shape, filterShape, attrs, false);
  const [kh, kw] = filterShape;
  const { padInfo, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const bottom = Math.max(0, (outHeight - 1) * sh + kh - x.shape[1] - padInfo.top);
  const right = Math.max(0, (outWidth - 1) * sw + kw - x.shape[2] - padInfo.left);
  const xt = tf.transpose(x, [3, 1, 2, 0]);
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]];
  let out = tf.conv2d(xt, dyt, 1, pads, 'NHWC', [sh, sw]); // [Ci, >=KH, >=KW, Co]
  if (out.shape[1] !== kh || out.shape[2] !== kw) out = tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(out, [1, 2, 0, 3]);
});

/**
 * The filter [KH, KW, Ci, Co] flipped in both spatial axes with in/out channels swapped, [KH, KW, Co, Ci], by one
 * loop on the wasm heap (wasm's Reverse and Transpose of a 3x3x128x128 filter take milliseconds each).
 */
function flippedSwappedFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const b = tf.backend() as WasmBackendLike;
  const [kh, kw, ci, co] = filter.shape;
  const out = b.makeOutput([kh, kw, co, ci], filter.dtype);
  const src = b.typedArrayFromHeap(filter); // views after makeOutput (which may grow the heap)
  const dst = b.typedArrayFromHeap(out);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * ci * co;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * co * ci;
      for (let c = 0; c < ci; c++) for (let k = 0; k < co; k++) dst[to + k * ci + c] = src[from + c * co + k];
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out, b) as tf.Tensor4D;
}

/** dx = stride-1 convolution of the zero-dilated dy with the spatially flipped, in/out-swapped filter. */
const conv2DBackpropInput = composite('Conv2DBackpropInput', (t, attrs) => {
  const dy = t.dy as tf.Tensor4D;
  const filter = t.filter as tf.Tensor4D;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = conv2dInfo('Conv2DBackpropInput', inputShape, filter.shape, attrs, false);
  const dilated = dilateByStride(dy, info.strideHeight, info.strideWidth);
  const { pads, crop } = transposedPads(info, dilated);
  const w = flippedSwappedFilter(filter);
  return tf.conv2d(cropHW(dilated, crop), w, 1, [[0, 0], pads[0], pads[1], [0, 0]], 'NHWC', [info.dilationHeight, info.dilationWidth]);
});

/** dx for depthwise conv: depthwise conv of the dilated dy with the flipped filter, summed over the multiplier. */
const depthwiseBackpropInput = composite('DepthwiseConv2dNativeBackpropInput', (t, attrs) => {
  const dy = t.dy as tf.Tensor4D;
  const filter = t.filter as tf.Tensor4D;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = conv2dInfo('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, attrs, true);
  const [fh, fw, c, mult] = filter.shape;
  const dilated = dilateByStride(dy, info.strideHeight, info.strideWidth);
  const { pads, crop } = transposedPads(info, dilated);
  const w = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * mult, 1]) as tf.Tensor4D;
  let src = cropHW(dilated, crop);
  if (pads[0][0] || pads[0][1] || pads[1][0] || pads[1][1]) src = tf.pad(src, [[0, 0], pads[0], pads[1], [0, 0]]);
  const out = tf.depthwiseConv2d(src, w, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
  if (mult === 1) return out;
  const [b, h, wd] = out.shape;
  return tf.sum(tf.reshape(out, [b, h, wd, c, mult]), -1);
});

/** dF for depthwise conv: per filter tap, Σ over batch and positions of x-tap · dy. */
const depthwiseBackpropFilter = composite('DepthwiseConv2dNativeBackpropFilter', (t, attrs) => {
  const x = t.x as tf.Tensor4D;
  const dy = t.dy as tf.Tensor4D;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = conv2dInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, attrs, true);
  const [kh, kw, c, mult] = filterShape;
  const m = dy.shape[0] * dy.shape[1] * dy.shape[2];
  const tap = tapper(x, info);
  const dy3 = tf.reshape(dy, [m, c, mult]);
  const rows: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      rows.push(tf.tidy(() => tf.sum(tf.mul(tf.reshape(tap(i, j), [m, c, 1]), dy3), 0)));
    }
  }
  return tf.reshape(tf.stack(rows), [kh, kw, c, mult]);
});

/**
 * MaxPoolGrad that is right for negative inputs and faster. wasm 4.22's own MaxPoolGrad (and MaxPoolWithArgmax)
 * start each window's maximum at FLT_MIN instead of -infinity, so a window of negative values sends its gradient
 * to the wrong pixel. This one scans each window on the wasm heap for its first strict maximum (row-major taps,
 * from -infinity, as the cpu backend does; a window of NaN/-infinity gets none) and adds dy there, so overlapping
 * windows sum. One pass over the input, no intermediate tensors.
 */
const maxPoolGrad: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const x = inputs.input as tf.TensorInfo;
    const dy = inputs.dy as tf.TensorInfo;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
      throw new Error(`MaxPoolGrad on wasm: input and dy must be float32 (got ${x.dtype}, ${dy.dtype}); cast them first.`);
    }
    const a = (attrs ?? {}) as Attrs;
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize as [number, number], a.strides as [number, number], 1, a.pad as 'same', a.dimRoundingMode as 'floor' | undefined);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
    if (dy.shape.join() !== [n, oh, ow, c].join()) {
      throw new Error(`MaxPoolGrad on wasm: dy has shape ${JSON.stringify(dy.shape)}, the pool's output is ${JSON.stringify([n, oh, ow, c])}.`);
    }
    const out = b.makeOutput(x.shape, 'float32');
    // Views after makeOutput: allocating may grow (and so replace) the heap's buffer.
    const xv = b.typedArrayFromHeap(x);
    const dyv = b.typedArrayFromHeap(dy);
    const dx = b.typedArrayFromHeap(out);
    dx.fill(0);
    const best = new Float32Array(c);
    const at = new Int32Array(c);
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
            const wc = w * c;
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
    return out;
  }) as KernelFn as tf.KernelFunc,
};

/**
 * Identity (tf.clone, and the many clones in tfjs-layers and the optimizers) that shares the input's buffer,
 * as the cpu backend does, instead of wasm's full copy; tensors are immutable, so sharing is safe.
 */
const sharedIdentity: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend }) => {
    const x = inputs.x as tf.TensorInfo;
    (backend as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  }) as KernelFn as tf.KernelFunc,
};

/** Below this many elements, Sum keeps wasm's own kernel. */
const SUM_LEADING_MIN = 1 << 16;

/**
 * Sum over leading axes (a bias gradient: dy [B, H, W, C] summed to [C]) read in place on the wasm heap, rows
 * added into float64 accumulators: wasm's own Sum first transposes x so that the reduced axes are innermost (a
 * full copy) and then adds in float32. Other reductions, small inputs and non-float32 inputs keep wasm's kernel.
 */
function sumLeadingAxes(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Sum', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo | undefined;
    const attrs = (args.attrs ?? {}) as Attrs;
    let k = 0;
    if (x && x.dtype === 'float32' && x.shape.length >= 2 && tf.util.sizeFromShape(x.shape) >= SUM_LEADING_MIN) {
      const axes = [...new Set(tf.util.parseAxisParam(attrs.axis as number | number[], x.shape))].sort((p, q) => p - q);
      if (axes.length < x.shape.length && axes.every((a, i) => a === i)) k = axes.length;
    }
    if (!x || k === 0) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const b = args.backend as WasmBackendLike;
    const rest = x.shape.slice(k);
    const c = tf.util.sizeFromShape(rest);
    const rows = tf.util.sizeFromShape(x.shape) / c;
    const out = b.makeOutput(attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, 'float32');
    const src = b.typedArrayFromHeap(x); // views after makeOutput (which may grow the heap)
    const dst = b.typedArrayFromHeap(out);
    const acc = new Float64Array(c);
    let r = 0;
    let o = 0;
    for (; r + 1 < rows; r += 2, o += 2 * c) for (let j = 0; j < c; j++) acc[j] += src[o + j] + src[o + c + j];
    for (; r < rows; r++, o += c) for (let j = 0; j < c; j++) acc[j] += src[o + j];
    dst.set(acc);
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Transform (tf.image.transform) with fillMode 'reflect' runs on the cpu implementation: wasm 4.22 reflects
 * rows across the wrong edge. It goes one image at a time, because cpu's kernel gets images after the first
 * wrong. Other fill modes keep wasm's kernel.
 */
function transformReflectFix(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Transform', 'wasm');
  const cpuOne = cpuFallback('Transform');
  if (!orig || !cpuOne) return undefined;
  const perImage = composite('Transform', (t, attrs) => {
    const images = t.image as tf.Tensor4D;
    const transforms = t.transforms as tf.Tensor2D;
    const backend = tf.backend();
    const outs: tf.Tensor[] = [];
    for (let i = 0; i < images.shape[0]; i++) {
      const image = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]);
      const row = tf.slice(transforms, [transforms.shape[0] === 1 ? 0 : i, 0], [1, -1]);
      const info = (cpuOne.kernelFunc as KernelFn)({ inputs: { image, transforms: row }, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
      outs.push(tf.engine().makeTensorFromTensorInfo(info, backend));
    }
    return outs.length === 1 ? outs[0] : tf.concat(outs, 0);
  });
  const kernelFunc: KernelFn = (args) =>
    (args.attrs as Attrs | undefined)?.fillMode === 'reflect' ? (perImage.kernelFunc as KernelFn)(args) : orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
  return { kernelName: 'Transform', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** Kernels wasm lacks that run via the cpu fallback (complex and string kernels cannot live on wasm). */
const FALLBACK_ONLY = ['UnsortedSegmentSum', 'Einsum', 'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor'];

let registered: string[] | undefined;

/**
 * Registers the training kernels on the `wasm` backend (idempotent). Call after the wasm backend package is
 * loaded, before or after `tf.setBackend('wasm')`. Returns the names of the kernels it added or replaced.
 */
export function registerWasmKernels(): string[] {
  if (registered) return registered;
  const names: string[] = [];
  const put = (cfg: tf.KernelConfig | undefined): void => {
    if (!cfg) return;
    const old = tf.getKernel(cfg.kernelName, 'wasm');
    if (old) tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(old?.setupFunc ? { ...cfg, setupFunc: old.setupFunc } : cfg);
    names.push(cfg.kernelName);
  };
  put(conv2DBackpropFilter);
  put(conv2DBackpropInput);
  put(depthwiseBackpropInput);
  put(depthwiseBackpropFilter);
  put(batchMatMulWithTransposes());
  put(maxPoolGrad);
  put(sumLeadingAxes());
  put(sharedIdentity);
  put(transformReflectFix());
  put(fusedConv2DWinograd());
  for (const name of FALLBACK_ONLY) if (!tf.getKernel(name, 'wasm')) put(cpuFallback(name));
  registered = names;
  return names;
}

/**
 * BatchMatMul whose transposed operands are transposed explicitly first (a fast XNNPACK transpose) so that the
 * product always takes wasm's fast, untransposed path.
 */
function batchMatMulWithTransposes(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return undefined;
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const a = attrs as { transposeA: boolean; transposeB: boolean };
    if (!a.transposeA && !a.transposeB) return orig.kernelFunc({ inputs, backend, attrs: attrs ?? {} });
    const swap = (info: tf.TensorInfo): tf.TensorInfo => {
      const r = info.shape.length;
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return transpose.kernelFunc({ inputs: { x: info }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const ta = a.transposeA ? swap(inputs.a as tf.TensorInfo) : (inputs.a as tf.TensorInfo);
    const tb = a.transposeB ? swap(inputs.b as tf.TensorInfo) : (inputs.b as tf.TensorInfo);
    try {
      return orig.kernelFunc({ inputs: { ...inputs, a: ta, b: tb }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (ta !== inputs.a) b.disposeData(ta.dataId);
      if (tb !== inputs.b) b.disposeData(tb.dataId);
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

let winogradOn = !/^(0|false|off|no)$/i.test((process.env.WASM_WINOGRAD ?? '').trim());

/**
 * Turns the Winograd path of FusedConv2D on wasm on or off (default on; `WASM_WINOGRAD=0` starts it off).
 * Returns the previous setting. Off, every convolution runs XNNPACK's direct kernel.
 */
export function setWasmWinograd(enabled: boolean): boolean {
  const was = winogradOn;
  winogradOn = enabled;
  return was;
}

/**
 * Winograd filter transforms (16 [C, K] matrices, 16/9 of the filter's size) by the filter's dataId, held as
 * backend buffers outside the engine's tensor count. Weights are immutable (assigning a variable gives it a new
 * dataId), so an entry stays right while its filter lives; entries of disposed filters are freed on the next call.
 */
const filterTransforms = new Map<tf.DataId, tf.TensorInfo[]>();
let transformsBackend: tf.KernelBackend | undefined;

function cachedFilterTransform(b: WasmBackendLike, filter: tf.Tensor4D): tf.Tensor2D[] {
  if (transformsBackend !== b) {
    filterTransforms.clear(); // a new backend instance: the old buffers went with the old one
    transformsBackend = b;
  }
  for (const [id, infos] of filterTransforms) {
    if (!b.dataIdMap.has(id)) {
      for (const info of infos) b.disposeData(info.dataId);
      filterTransforms.delete(id);
    }
  }
  let infos = filterTransforms.get(filter.dataId);
  if (!infos) {
    const u = winogradFilter(filter);
    infos = u.map((t) => {
      b.incRef(t.dataId); // our reference, released when the filter is gone
      return { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
    });
    tf.dispose(u);
    filterTransforms.set(filter.dataId, infos);
  }
  return infos.map((info) => {
    b.incRef(info.dataId); // the wrapper's reference, released when the calling tidy disposes it
    return tf.engine().makeTensorFromTensorInfo(info, b) as tf.Tensor2D;
  });
}

/** [N, H, W, C] -> [N, oh, ow, C] (top-left corner) by row copies on the wasm heap; wasm's 4-D Slice is slow. */
function heapCrop(y: tf.Tensor4D, oh: number, ow: number): tf.Tensor4D {
  const b = tf.backend() as WasmBackendLike;
  const [n, h, w, c] = y.shape;
  const out = b.makeOutput([n, oh, ow, c], y.dtype);
  // Views after makeOutput: allocating may grow (and so replace) the heap's buffer.
  const src = b.typedArrayFromHeap(y);
  const dst = b.typedArrayFromHeap(out);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < oh; r++) {
      const from = (i * h + r) * w * c;
      dst.set(src.subarray(from, from + ow * c), (i * oh + r) * ow * c);
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out, b) as tf.Tensor4D;
}

/**
 * FusedConv2D that runs 3x3 stride-1 convolutions with >= 128 input and output channels by Winograd F(2x2, 3x3)
 * (1.15-1.9x faster there on 2 threads), with bias and linear/relu folded in and the filter transform cached per
 * weight tensor; everything else, and other activations, go to wasm's own kernel.
 */
function fusedConv2DWinograd(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('FusedConv2D', 'wasm');
  if (!orig) return undefined;
  const wino = composite('FusedConv2D', (t, attrs) =>
    winogradConv2d({
      x: t.x as tf.Tensor4D,
      filter: t.filter as tf.Tensor4D,
      pad: attrs.pad as 'same' | 'valid',
      bias: t.bias,
      activation: attrs.activation as 'linear' | 'relu',
      u: cachedFilterTransform(tf.backend() as WasmBackendLike, t.filter as tf.Tensor4D),
      crop: heapCrop,
    }));
  const kernelFunc: KernelFn = (args) => {
    const { x, filter, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as Attrs;
    const use = winogradOn && x !== undefined && filter !== undefined && x.dtype === 'float32' &&
      preluActivationWeights === undefined && (attrs.activation === 'linear' || attrs.activation === 'relu') &&
      winogradApplies(x.shape, filter.shape, attrs);
    return use ? (wino.kernelFunc as KernelFn)(args) : orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
  };
  return { kernelName: 'FusedConv2D', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** Kernels the cpu backend has and wasm still lacks (after `registerWasmKernels`), e.g. complex-number FFTs. */
export function missingWasmKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((k) => !wasm.has(k)).sort();
}
