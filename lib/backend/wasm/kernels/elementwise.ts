/**
 * Element-wise kernels of training on all threads (`native/elementwise.c`): Add, Sub, Multiply and RealDiv of
 * same-shaped float32 tensors, with a scalar, or with a vector along the last axis (a bias); Relu, Relu6,
 * ClipByValue, Square, Sqrt and Step. wasm's own run on one thread (or split statically between threads, which
 * waits for the slowest). Small tensors, other dtypes and other broadcasts keep wasm's kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

/** Below this many elements the kernels keep wasm's own (their cost is the call, not the work). */
const MIN_ELEMENTS = 1 << 14;
/** Elements per chunk (about 128 KiB of each operand). */
const CHUNK = 1 << 15;

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 };

/**
 * How `b` meets `a`: 0 same shape, 1 b scalar, 2 a scalar, 3 b a vector along a's last axis, 4 a a vector along
 * b's last axis; undefined for any other broadcast.
 */
export function broadcastMode(a: number[], b: number[]): number | undefined {
  const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);
  const vectorOf = (full: number[], v: number[]): boolean =>
    full.length >= v.length &&
    v.length >= 1 &&
    v[v.length - 1] === full[full.length - 1] &&
    size(v) === v[v.length - 1];
  if (a.length === b.length && a.every((d, i) => d === b[i])) return 0;
  if (size(b) === 1 && b.length <= a.length) return 1;
  if (size(a) === 1 && a.length <= b.length) return 2;
  if (vectorOf(a, b)) return 3;
  if (vectorOf(b, a)) return 4;
  return undefined;
}

function binaryKernel(name: string): tf.KernelConfig | undefined {
  const orig = tf.getKernel(name, 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const mode = a.dtype === 'float32' && b.dtype === 'float32' ? broadcastMode(a.shape, b.shape) : undefined;
    const big = mode === undefined ? undefined : mode === 1 || mode === 3 ? a : b;
    const size = big ? tf.util.sizeFromShape(big.shape) : 0;
    const nk = big && size >= MIN_ELEMENTS ? nativeKernels(args.backend) : undefined;
    if (!big || !nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const out = heapOutput(args.backend, big.shape, 'float32');
    const c = mode === 3 ? tf.util.sizeFromShape(b.shape) : mode === 4 ? tf.util.sizeFromShape(a.shape) : 1;
    const per = Math.ceil(CHUNK / c) * c;
    native.binary(nk, {
      a: heapAddress(args.backend, a),
      b: heapAddress(args.backend, b),
      out: heapAddress(args.backend, out),
      elements: size,
      op: BINARY[name],
      mode: mode ?? 0,
      vectorLength: c,
      elementsPerChunk: per,
    });
    return out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** op (native/elementwise.c) and its two float parameters, from a kernel's attributes. */
const UNARY: Record<string, (attrs: Attrs) => [number, number, number]> = {
  Relu: () => [0, 0, Infinity],
  Relu6: () => [0, 0, 6],
  ClipByValue: (a) => [0, a.clipValueMin as number, a.clipValueMax as number],
  Square: () => [1, 0, 0],
  Sqrt: () => [2, 0, 0],
  Step: (a) => [3, (a.alpha as number | undefined) ?? 0, 0],
};

function unaryKernel(name: string): tf.KernelConfig | undefined {
  const orig = tf.getKernel(name, 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const size = tf.util.sizeFromShape(x.shape);
    const nk = x.dtype === 'float32' && size >= MIN_ELEMENTS ? nativeKernels(args.backend) : undefined;
    if (!nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const [op, p, q] = UNARY[name]((args.attrs ?? {}) as Attrs);
    const out = heapOutput(args.backend, x.shape, 'float32');
    native.unary(nk, {
      x: heapAddress(args.backend, x),
      out: heapAddress(args.backend, out),
      elements: size,
      op,
      p,
      q,
      elementsPerChunk: CHUNK,
    });
    return out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** The element-wise kernels, each wrapping wasm's own (captured now, so call before registering the results). */
export function elementwiseKernels(): (tf.KernelConfig | undefined)[] {
  return [...Object.keys(BINARY).map(binaryKernel), ...Object.keys(UNARY).map(unaryKernel)];
}
