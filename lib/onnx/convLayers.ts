/**
 * The convolutional layers as ONNX nodes, channels-first as ONNX's operators want them: Conv2D and
 * DepthwiseConv2D (kernel [kh, kw, in, out] → [out, in, kh, kw]; depthwise as a grouped Conv), the 2-D pools,
 * the global pools, ZeroPadding2D and BatchNormalization (FrozenBatchNormalization is the same in inference).
 */
import { activation } from './activations';
import {
  constant,
  expectConfig,
  layerError,
  pair,
  single,
  weight,
  weightsByName,
  type Converter,
  type LayerContext,
} from './layerContext';
import type { AttributeValue, Value } from './onnxGraph';

/** Keras's padding as ONNX's `auto_pad` ('same' pads more at the end, as TensorFlow does: SAME_UPPER). */
function autoPad(ctx: LayerContext): string {
  const padding = ctx.config.padding ?? 'valid';
  if (padding === 'same') return 'SAME_UPPER';
  if (padding === 'valid') return 'VALID';
  throw layerError(ctx, `padding '${String(padding)}' has no ONNX form here (supported: 'same', 'valid').`);
}

/** The settings every 2-D window shares: channels last in Keras, strides, padding. */
function windowAttributes(ctx: LayerContext, kernel: unknown): Record<string, AttributeValue> {
  expectConfig(ctx, 'data_format', ['channels_last', null]);
  return { kernel_shape: pair(kernel), strides: pair(ctx.config.strides ?? 1), auto_pad: autoPad(ctx) };
}

/** A Conv node (kernel and bias already constants), then the layer's activation. */
function conv(ctx: LayerContext, x: Value, inputs: string[], attributes: Record<string, AttributeValue>): Value {
  const dilations = pair(ctx.config.dilation_rate ?? 1);
  const out = ctx.graph.node('Conv', [x.name, ...inputs], ctx.path, { ...attributes, dilations });
  return activation(ctx, { name: out, rank: 4, layout: 'nchw' }, ctx.config.activation);
}

/** `Conv2D`. */
export const conv2d: Converter = (ctx, inputs) => {
  const x = ctx.graph.nchw(single(ctx, inputs));
  const w = weightsByName(ctx);
  const kernel = constant(ctx, weight(ctx, w, 'kernel'), 'kernel', [3, 2, 0, 1]);
  const bias = ctx.config.use_bias === false ? [] : [constant(ctx, weight(ctx, w, 'bias'), 'bias')];
  return conv(ctx, x, [kernel, ...bias], { ...windowAttributes(ctx, ctx.config.kernel_size), group: 1 });
};

/** `DepthwiseConv2D`: a Conv with one group per input channel (output channel c * multiplier + m). */
export const depthwiseConv2d: Converter = (ctx, inputs) => {
  const x = ctx.graph.nchw(single(ctx, inputs));
  const w = weightsByName(ctx);
  const k = weight(ctx, w, 'depthwise_kernel');
  const [kh, kw, channels, multiplier] = k.shape;
  const kernel = constant(ctx, k, 'kernel', [2, 3, 0, 1], [channels * multiplier, 1, kh, kw]);
  const bias = ctx.config.use_bias === false ? [] : [constant(ctx, weight(ctx, w, 'bias'), 'bias')];
  return conv(ctx, x, [kernel, ...bias], { ...windowAttributes(ctx, [kh, kw]), group: channels });
};

/** `MaxPooling2D` / `AveragePooling2D` (an average over the window's pixels inside the image, as Keras). */
function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx, inputs) => {
    const x = ctx.graph.nchw(single(ctx, inputs));
    const size = ctx.config.pool_size ?? 2;
    const attributes = { ...windowAttributes(ctx, size), strides: pair(ctx.config.strides ?? size) };
    return { name: ctx.graph.node(op, [x.name], ctx.path, attributes), rank: 4, layout: 'nchw' };
  };
}

/** `MaxPooling2D`. */
export const maxPooling2d = pooling('MaxPool');
/** `AveragePooling2D`. */
export const averagePooling2d = pooling('AveragePool');

/** `GlobalAveragePooling2D` / `GlobalMaxPooling2D`: [N, C] (or [N, 1, 1, C] with keepdims). */
function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (ctx, inputs) => {
    expectConfig(ctx, 'data_format', ['channels_last', null]);
    const g = ctx.graph;
    const x = g.nchw(single(ctx, inputs));
    const pooled = g.node(op, [x.name], ctx.path);
    if (ctx.config.keepdims === true) return { name: pooled, rank: 4, layout: 'nchw' };
    return { name: g.node('Flatten', [pooled], `${ctx.path}/flatten`, { axis: 1 }), rank: 2, layout: 'plain' };
  };
}

/** `GlobalAveragePooling2D`. */
export const globalAveragePooling2d = globalPooling('GlobalAveragePool');
/** `GlobalMaxPooling2D`. */
export const globalMaxPooling2d = globalPooling('GlobalMaxPool');

/** `ZeroPadding2D`: padding [[top, bottom], [left, right]] as an ONNX Pad (constant 0). */
export const zeroPadding2d: Converter = (ctx, inputs) => {
  expectConfig(ctx, 'data_format', ['channels_last', null]);
  const x = ctx.graph.nchw(single(ctx, inputs));
  const p = ctx.config.padding;
  const [[top, bottom], [left, right]] = (typeof p === 'number' ? [pair(p), pair(p)] : (p as unknown[]).map(pair)) as [
    number,
    number,
  ][];
  const pads = ctx.graph.int64s(`${ctx.path}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return { name: ctx.graph.node('Pad', [x.name, pads], ctx.path, { mode: 'constant' }), rank: 4, layout: 'nchw' };
};

/** `BatchNormalization` / `FrozenBatchNormalization` in inference: (x − mean) / √(var + ε) · γ + β. */
export const batchNormalization: Converter = (ctx, inputs) => {
  const input = single(ctx, inputs);
  const axis = Number(ctx.config.axis ?? -1);
  if (axis !== -1 && axis !== input.rank - 1)
    throw layerError(
      ctx,
      `axis ${axis} is not the channels (last) axis; only channels-last BatchNormalization exports.`,
    );
  if (input.rank !== 4 && input.rank !== 2) throw layerError(ctx, `inputs of rank ${input.rank} (supported: 2, 4).`);
  const g = ctx.graph;
  const x = g.nchw(input);
  const w = weightsByName(ctx);
  const mean = weight(ctx, w, 'moving_mean');
  const channels = mean.shape[0];
  const scale = w.has('gamma')
    ? constant(ctx, w.get('gamma')!, 'gamma')
    : g.floats(`${ctx.path}/gamma`, ones(channels), [channels]);
  const bias = w.has('beta')
    ? constant(ctx, w.get('beta')!, 'beta')
    : g.floats(`${ctx.path}/beta`, new Float32Array(channels), [channels]);
  const stats = [
    constant(ctx, mean, 'moving_mean'),
    constant(ctx, weight(ctx, w, 'moving_variance'), 'moving_variance'),
  ];
  const epsilon = { float: Number(ctx.config.epsilon ?? 1e-3) };
  return { ...x, name: g.node('BatchNormalization', [x.name, scale, bias, ...stats], ctx.path, { epsilon }) };
};

function ones(n: number): Float32Array {
  return new Float32Array(n).fill(1);
}
