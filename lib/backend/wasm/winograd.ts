/**
 * 3x3 stride-1 convolutions by Winograd F(4x4, 3x3) on the project's wasm kernels (`native/winograd_conv.c`):
 * 36 products per 4x4 output tile, input and output channel pair, instead of 144 (4x fewer than the direct
 * convolution; the transforms cost a few additions per pixel). Results match the direct convolution within fp32
 * rounding of the transforms: measured relative error (max |error| / max |output|) up to about 2e-5 at 512
 * channels (test/wasmWinograd.test.ts checks 1e-4). The filter gradient uses the adjoint transforms of the same
 * tiling (`native/winograd_grad.c`), with the same 4x saving.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../core/internals';
import type { NativeKernels } from './nativeModule';
import * as native from './nativeCalls';
import { cachedWeights } from './weightCache';

/** Where the output tiles start and how big the output is. */
export interface WinogradGeometry {
  outHeight: number;
  outWidth: number;
  padTop: number;
  padLeft: number;
}

/** Activations the kernel applies itself. */
export const WINOGRAD_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

/** Input and output channels below which the direct convolution is as fast (the transforms cost about the same). */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * The geometry of a convolution that the Winograd kernel handles, else undefined: NHWC float32, a 3x3 filter,
 * stride and dilation 1, channel counts that are multiples of 4 and at least WINOGRAD_MIN_CHANNELS.
 */
export function winogradGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): WinogradGeometry | undefined {
  const one = (v: unknown): boolean => v === undefined || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
  if (xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const [kh, kw, c, k] = filterShape;
  if (kh !== 3 || kw !== 3 || c !== xShape[3] || c % 4 || k % 4) return undefined;
  if (c < WINOGRAD_MIN_CHANNELS || k < WINOGRAD_MIN_CHANNELS) return undefined;
  if (!one(attrs.strides) || !one(attrs.dilations)) return undefined;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast')
    return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    1,
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
  );
  if (info.outHeight < 1 || info.outWidth < 1) return undefined;
  return { outHeight: info.outHeight, outWidth: info.outWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

/** Floats of the packed transform of a [3, 3, cin, cout] convolution: 36 x panels of 8 outputs x cin x 8. */
export function filterTransformSize(cin: number, cout: number): number {
  return 36 * Math.ceil(cout / 8) * cin * 8;
}

/**
 * The heap address of the packed transform of `filter` [3, 3, C, K] (cached per filter): for the convolution by
 * the filter, or with `flip` for the one giving the input gradient (K inputs, C outputs).
 */
export function filterTransform(b: tf.KernelBackend, nk: NativeKernels, filter: tf.TensorInfo, flip: boolean): number {
  const [, , c, k] = filter.shape;
  const [cin, cout] = flip ? [k, c] : [c, k];
  return cachedWeights(
    b,
    filter,
    flip ? 'winograd-flip' : 'winograd',
    filterTransformSize(cin, cout),
    cout % 8 !== 0,
    (u) => native.winogradFilter(nk, { filter: heapAddress(b, filter), u, inChannels: c, outChannels: k, flip }),
  );
}

/** Floats of scratch per thread for `tiles` tiles per chunk and `cin` input channels. */
function scratchFloats(tiles: number, cin: number): number {
  return 36 * tiles * cin + 36 * tiles * 8 + 144;
}

/**
 * Tiles per chunk: as many as keep a chunk's transformed input (36 x tiles x cin floats) within about 1.5 MiB of the
 * core's cache, a multiple of 4 (the product's row block), and few enough for every thread to get several chunks.
 */
export function tilesPerChunk(cin: number, tiles: number, threads: number): number {
  const byCache = Math.floor((1536 * 1024) / (36 * cin * 4) / 4) * 4;
  const byBalance = Math.ceil(tiles / (4 * threads) / 4) * 4;
  return Math.max(4, Math.min(96, byCache, byBalance));
}

/** Options of `winogradConv`. */
export interface WinogradConvArgs {
  /** The input [N, H, W, C]. */
  x: tf.TensorInfo;
  /** The filter [3, 3, C, K] (for `flip`: [3, 3, K', C'] of the forward convolution whose input gradient this is). */
  filter: tf.TensorInfo;
  /** Convolve with the filter turned by 180 degrees and its channels swapped (the input gradient). */
  flip: boolean;
  geometry: WinogradGeometry;
  bias?: tf.TensorInfo;
  /** 0 linear, 1 relu, 2 relu6 (`WINOGRAD_ACTIVATIONS`). */
  activation: number;
}

/** The sizes wino_conv and wino_dw_transform read: the input x [N, H, W, C], K outputs, the output and its pads. */
function sizeArgs(x: tf.TensorInfo, k: number, g: WinogradGeometry) {
  const [batch, height, width, inChannels] = x.shape;
  const { outHeight, outWidth, padTop, padLeft } = g;
  return { batch, height, width, inChannels, outChannels: k, outHeight, outWidth, padTop, padLeft };
}

/** The convolution by Winograd F(4x4, 3x3) on the wasm heap; returns the output [N, outHeight, outWidth, K]. */
export function winogradConv(b: tf.KernelBackend, nk: NativeKernels, args: WinogradConvArgs): tf.TensorInfo {
  const [n, , , c] = args.x.shape;
  const k = args.flip ? args.filter.shape[2] : args.filter.shape[3];
  const { outHeight: oh, outWidth: ow } = args.geometry;
  const u = filterTransform(b, nk, args.filter, args.flip);
  const out = heapOutput(b, [n, oh, ow, k], 'float32');
  const tiles = n * Math.ceil(oh / 4) * Math.ceil(ow / 4);
  const tt = tilesPerChunk(c, tiles, nk.threads);
  const s = nk.scratch(scratchFloats(tt, c));
  native.winogradConv(nk, {
    x: heapAddress(b, args.x),
    u,
    bias: args.bias ? heapAddress(b, args.bias) : 0,
    y: heapAddress(b, out),
    ...sizeArgs(args.x, k, args.geometry),
    activation: args.activation,
    tilesPerChunk: tt,
    scratch: s,
  });
  return out;
}

/** The filter gradient [3, 3, C, K] of the convolution of x [N, H, W, C] giving dy, by Winograd F(4x4, 3x3). */
export function winogradFilterGradient(
  b: tf.KernelBackend,
  nk: NativeKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  geometry: WinogradGeometry,
): tf.TensorInfo {
  const [n, , , c] = x.shape;
  const k = dy.shape[3];
  const k8 = Math.ceil(k / 8) * 8;
  const { outHeight: oh, outWidth: ow } = geometry;
  const tiles = n * Math.ceil(oh / 4) * Math.ceil(ow / 4);
  const temps = [
    heapOutput(b, [36 * tiles * c], 'float32'),
    heapOutput(b, [36 * tiles * k8], 'float32'),
    heapOutput(b, [36 * c * k8], 'float32'),
  ];
  const [v, d, m] = temps.map((t) => heapAddress(b, t));
  try {
    const s = nk.scratch(144);
    const chunk = Math.max(1, Math.ceil(tiles / (8 * nk.threads)));
    native.winogradGradTransform(nk, {
      x: heapAddress(b, x),
      dy: heapAddress(b, dy),
      v,
      d,
      ...sizeArgs(x, k, geometry),
      tilesPerChunk: chunk,
      scratch: s,
    });
    native.winogradGradGemm(nk, {
      v,
      d,
      m,
      tiles,
      inChannels: c,
      outChannels8: k8,
      rowsPerJob: Math.min(48, c),
      columnsPerJob: Math.min(64, k8),
      tilesPerSegment: 256,
    });
    const out = heapOutput(b, [3, 3, c, k], 'float32');
    native.winogradGradOutput(nk, { m, dW: heapAddress(b, out), inChannels: c, outChannels: k });
    return out;
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
}
