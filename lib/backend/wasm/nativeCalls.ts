/**
 * The project's native kernels (`native/*.c`), each declared once with its arguments named, in the order the C
 * reads them (`ARG_I(n)`, `ARG_F(n)`, `ARG_P(n)`), as tfjs-backend-wasm declares its kernels with `cwrap`. Callers
 * write `native.conv1x1(nk, { x, packedW, ... })`: every argument by name, floats and booleans converted here.
 * Pointers are byte addresses on the wasm heap (`heapAddress`); 0 stands for "none" where the C allows it. A spec
 * lists a kernel's arguments in the C's order, a few to a line (the `...{ }` groups only keep the lines short).
 */
import { floatArg } from './pool';
import type { NativeKernels } from './nativeModule';

/** Scratch memory from `NativeKernels.scratch`: its address and the floats between threads' parts (two words). */
export type Scratch = ReturnType<NativeKernels['scratch']>;

/**
 * How an argument travels in the job's int32 words: `ptr` an address, `i32` an integer, `f32` a float (its bits),
 * `bool` 0 or 1, `dims4` four integers, `scratch` address then stride, `unused` a 0 the caller does not pass.
 */
type Kind = 'ptr' | 'i32' | 'f32' | 'bool' | 'dims4' | 'scratch' | 'unused';
type Value<K extends Kind> = K extends 'bool'
  ? boolean
  : K extends 'dims4'
    ? readonly number[]
    : K extends 'scratch'
      ? Scratch
      : number;
type Spec = Record<string, Kind>;
/** The named arguments of a kernel declared with `spec`. */
export type NativeArgs<S extends Spec> = { [P in keyof S as S[P] extends 'unused' ? never : P]: Value<S[P]> };
/**
 * A declared kernel: runs on every thread unless `parallel` is false (see `KernelPool.run`); `kernel` and `words`
 * say which export of the kernels module it runs and how many int32 words of arguments it writes.
 */
export type NativeCall<S extends Spec> = ((nk: NativeKernels, args: NativeArgs<S>, parallel?: boolean) => void) & {
  kernel: string;
  words: number;
};

const WORDS: Record<Kind, number> = { ptr: 1, i32: 1, f32: 1, bool: 1, dims4: 4, scratch: 2, unused: 1 };

function push(words: number[], kind: Kind, value: unknown, where: string): void {
  if (kind === 'unused') words.push(0);
  else if (kind === 'f32') words.push(floatArg(value as number));
  else if (kind === 'bool') words.push(value ? 1 : 0);
  else if (kind === 'scratch') words.push((value as Scratch).address, (value as Scratch).stride);
  else if (kind === 'dims4') {
    const dims = value as readonly number[];
    if (dims.length !== 4) throw new Error(`${where}: expected 4 sizes, got [${dims}]`);
    words.push(...dims);
  } else words.push(value as number);
}

/** Declares kernel `name` of the kernels module with its arguments, in the C's order. */
function declare<const S extends Spec>(name: string, spec: S): NativeCall<S> {
  const entries = Object.entries(spec);
  const run = (nk: NativeKernels, args: NativeArgs<S>, parallel?: boolean): void => {
    const words: number[] = [];
    const named = args as Record<string, unknown>;
    for (const [key, kind] of entries) push(words, kind, named[key], `${name}.${key}`);
    nk.run(name, words, parallel);
  };
  return Object.assign(run, { kernel: name, words: entries.reduce((sum, [, kind]) => sum + WORDS[kind], 0) });
}

/** The 14 geometry arguments of native/depthwise.c, named as in tfjs's `Conv2DInfo`. */
const DEPTHWISE_GEOMETRY = {
  ...{ batchSize: 'i32', inHeight: 'i32', inWidth: 'i32', inChannels: 'i32', outHeight: 'i32', outWidth: 'i32' },
  ...{ filterHeight: 'i32', filterWidth: 'i32', strideHeight: 'i32', strideWidth: 'i32' },
  ...{ dilationHeight: 'i32', dilationWidth: 'i32', padTop: 'i32', padLeft: 'i32' },
} satisfies Spec;

/**
 * native/pointwise.c: y [P][K] = x [P][C] w + bias (0: none), then the activation (0 linear, 1 relu, 2 relu6). w is
 * packed into panels [K/8][C][8] by `matmulPackB`; K a multiple of 4; scratch: pixels per chunk x 8 floats.
 */
export const conv1x1 = declare('conv1x1', {
  ...{ x: 'ptr', packedW: 'ptr', bias: 'ptr', y: 'ptr', pixels: 'i32', inChannels: 'i32', outChannels: 'i32' },
  ...{ activation: 'i32', pixelsPerChunk: 'i32', scratch: 'scratch' },
});

/** native/matmul.c: packs A [batches][M][K] (or its transpose) into panels of 4 rows; one chunk per 64 rows. */
export const matmulPackA = declare('matmul_pack_a', {
  ...{ a: 'ptr', packedA: 'ptr', batches: 'i32', m: 'i32', k: 'i32', transposed: 'bool' },
});

/** native/matmul.c: packs B [batches][K][N] (or its transpose) into panels of 8 columns; batchStride 0 broadcasts. */
export const matmulPackB = declare('matmul_pack_b', {
  ...{ b: 'ptr', packedB: 'ptr', batches: 'i32', k: 'i32', n: 'i32', transposed: 'bool', batchStride: 'i32' },
});

/**
 * native/matmul.c: C [batches][M][N] = A B from the packed operands. Strides in floats between batches of the packed
 * operands (0 broadcasts); rows per chunk a multiple of 4; scratch: 32 floats per thread.
 */
export const matmul = declare('matmul', {
  ...{ packedA: 'ptr', packedB: 'ptr', c: 'ptr', batches: 'i32', m: 'i32', k: 'i32', n: 'i32' },
  ...{ packedAStride: 'i32', packedBStride: 'i32', rowsPerChunk: 'i32', panelsPerChunk: 'i32', scratch: 'scratch' },
});

/**
 * native/elementwise.c: out = a op b (op 0 add, 1 sub, 2 mul, 3 div); mode 0 same shape, 1 b scalar, 2 a scalar,
 * 3 b a vector along the last axis, 4 a such a vector (elements per chunk then a multiple of its length).
 */
export const binary = declare('binary', {
  ...{ a: 'ptr', b: 'ptr', out: 'ptr', elements: 'i32', op: 'i32', mode: 'i32' },
  ...{ vectorLength: 'i32', elementsPerChunk: 'i32' },
});

/** native/elementwise.c: out = op(x): 0 clip to [p, q], 1 square, 2 sqrt, 3 step (1 above 0, else p). */
export const unary = declare('unary', {
  ...{ x: 'ptr', out: 'ptr', elements: 'i32', op: 'i32', p: 'f32', q: 'f32', elementsPerChunk: 'i32' },
});

/** native/layout.c: out = (x - mean) scale + offset per channel of x [rows][C] (batch normalisation, folded). */
export const channelAffine = declare('channel_affine', {
  ...{ x: 'ptr', out: 'ptr', rows: 'i32', channels: 'i32', scale: 'ptr', offset: 'ptr', rowsPerChunk: 'i32' },
  ...{ mean: 'ptr' },
});

/** native/layout.c: out [N'][H'][W'][C'] = x [N][H][W][C] with `before` rows of `value` before each axis. */
export const pad4d = declare('pad4d', {
  ...{ x: 'ptr', out: 'ptr', shape: 'dims4', before: 'dims4', outShape: 'dims4', value: 'f32' },
});

/** native/layout.c: out = x [N][H][W][C] repeated `reps` times along each axis. */
export const tile4d = declare('tile4d', {
  ...{ x: 'ptr', out: 'ptr', shape: 'dims4', reps: 'dims4', outRowsPerChunk: 'i32' },
});

/** native/pool_grad.c: MaxPoolGrad, dy [N][OH][OW][C] sent to each window's first maximum of x, into dx. */
export const maxPoolGrad = declare('max_pool_grad', {
  ...{ x: 'ptr', dy: 'ptr', dx: 'ptr', batch: 'i32', height: 'i32', width: 'i32', channels: 'i32' },
  ...{ outHeight: 'i32', outWidth: 'i32', windowHeight: 'i32', windowWidth: 'i32' },
  ...{ strideHeight: 'i32', strideWidth: 'i32', padTop: 'i32', padLeft: 'i32', channelsPerChunk: 'i32' },
});

/** native/reduce.c, pass 1: float64 partial sums [segments][C] of segments of the rows of x [rows][C]. */
export const sumRowsPartial = declare('sum_rows_partial', {
  ...{ x: 'ptr', partials: 'ptr', rows: 'i32', columns: 'i32', rowsPerSegment: 'i32' },
});

/** native/reduce.c, pass 2: out [C] (float32) = the partials added in segment order. */
export const sumRowsFinal = declare('sum_rows_final', {
  ...{ partials: 'ptr', out: 'ptr', segments: 'i32', columns: 'i32', columnsPerChunk: 'i32' },
});

/**
 * native/depthwise.c: y [N][OH][OW][C] = the depthwise convolution (multiplier 1) of x by filter [KH][KW][C], + bias
 * (0: none), then the activation (0 linear, 1 relu, 2 relu6).
 */
export const depthwiseConv = declare('dw_conv', {
  ...{ x: 'ptr', filter: 'ptr', y: 'ptr', bias: 'ptr', activation: 'i32' },
  ...DEPTHWISE_GEOMETRY,
});

/**
 * native/conv_small.c: y [N][OH][OW][K] = the convolution of x [N][H][W][C] (few channels) by filter [KH][KW][C][K]
 * (K a multiple of 4), + bias (0: none), then the activation (0 linear, 1 relu, 2 relu6).
 */
export const smallConv = declare('conv_small', {
  ...{ x: 'ptr', filter: 'ptr', y: 'ptr', bias: 'ptr', activation: 'i32' },
  ...{ batchSize: 'i32', inHeight: 'i32', inWidth: 'i32', inChannels: 'i32', outHeight: 'i32', outWidth: 'i32' },
  ...{ filterHeight: 'i32', filterWidth: 'i32', strideHeight: 'i32', strideWidth: 'i32', padTop: 'i32' },
  ...{ padLeft: 'i32', outChannels: 'i32' },
});

/** native/depthwise.c: the input gradient dx [N][H][W][C] of a depthwise convolution (multiplier 1). */
export const depthwiseInputGradient = declare('dw_conv_dx', {
  ...{ dy: 'ptr', filter: 'ptr', dx: 'ptr', unused3: 'unused', unused4: 'unused' },
  ...DEPTHWISE_GEOMETRY,
});

/** native/depthwise.c: per-image partials [N][KH*KW][C] of a depthwise filter gradient (add them: `sumPartials`). */
export const depthwiseFilterPartials = declare('dw_conv_dw', {
  ...{ x: 'ptr', dy: 'ptr', partials: 'ptr', unused3: 'unused', unused4: 'unused' },
  ...DEPTHWISE_GEOMETRY,
});

/** native/depthwise.c: out [size] = the sum of partials [count][size] over count, in order. */
export const sumPartials = declare('sum_partials', { partials: 'ptr', out: 'ptr', count: 'i32', size: 'i32' });

/**
 * native/conv_grad.c: per-image partials [N][R][K8] of a convolution's filter gradient by patches (few input
 * channels; R = KH KW C). Scratch: OW x (R rounded up to 4, + 8) floats per thread.
 */
export const convFilterPartials = declare('conv_dw_patches', {
  ...{ x: 'ptr', dy: 'ptr', partials: 'ptr', batch: 'i32', height: 'i32', width: 'i32', inChannels: 'i32' },
  ...{ outHeight: 'i32', outWidth: 'i32', outChannels: 'i32', filterHeight: 'i32', filterWidth: 'i32' },
  ...{ strideHeight: 'i32', strideWidth: 'i32', dilationHeight: 'i32', dilationWidth: 'i32' },
  ...{ padTop: 'i32', padLeft: 'i32', scratch: 'scratch' },
});

/** native/conv_grad.c: dW [R][K] = the images' partials [N][R][K8] added in order. */
export const convFilterSum = declare('conv_dw_sum', {
  ...{ partials: 'ptr', dW: 'ptr', batch: 'i32', rows: 'i32', outChannels: 'i32' },
});

/**
 * native/winograd_filter.c: U, the packed Winograd transform of filter [3][3][C][K] (zeroed by the caller where
 * panels are partial); with `flip`, of the convolution giving the input gradient (K inputs, C outputs).
 */
export const winogradFilter = declare('wino_filter', {
  ...{ filter: 'ptr', u: 'ptr', inChannels: 'i32', outChannels: 'i32', flip: 'bool' },
});

/**
 * native/winograd_conv.c: y [N][OH][OW][K] = the 3x3 stride-1 convolution of x by U, + bias (0: none), activation
 * (0 linear, 1 relu, 2 relu6). C, K and tiles per chunk T: multiples of 4; scratch: 36 T C + 36 T 8 + 144 floats.
 */
export const winogradConv = declare('wino_conv', {
  ...{ x: 'ptr', u: 'ptr', bias: 'ptr', y: 'ptr', batch: 'i32', height: 'i32', width: 'i32' },
  ...{ inChannels: 'i32', outChannels: 'i32', outHeight: 'i32', outWidth: 'i32', padTop: 'i32', padLeft: 'i32' },
  ...{ activation: 'i32', tilesPerChunk: 'i32', scratch: 'scratch' },
});

/** native/winograd_grad.c, pass 1: V [36][tiles][C] of x and D [36][tiles][K8] of dy; scratch: 144 floats. */
export const winogradGradTransform = declare('wino_dw_transform', {
  ...{ x: 'ptr', dy: 'ptr', v: 'ptr', d: 'ptr', batch: 'i32', height: 'i32', width: 'i32' },
  ...{ inChannels: 'i32', outChannels: 'i32', outHeight: 'i32', outWidth: 'i32', padTop: 'i32', padLeft: 'i32' },
  ...{ tilesPerChunk: 'i32', scratch: 'scratch' },
});

/**
 * native/winograd_grad.c, pass 2: M [36][C][K8] = the sum over tiles of Vᵀ D per component (K8: K rounded up to 8;
 * columns per job a multiple of 8).
 */
export const winogradGradGemm = declare('wino_dw_gemm', {
  ...{ v: 'ptr', d: 'ptr', m: 'ptr', tiles: 'i32', inChannels: 'i32', outChannels8: 'i32' },
  ...{ rowsPerJob: 'i32', columnsPerJob: 'i32', tilesPerSegment: 'i32' },
});

/** native/winograd_grad.c, pass 3: dW [3][3][C][K] = Gᵀ M G per channel pair. */
export const winogradGradOutput = declare('wino_dw_output', {
  m: 'ptr',
  dW: 'ptr',
  inChannels: 'i32',
  outChannels: 'i32',
});
