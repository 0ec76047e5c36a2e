/**
 * The layers around the convolutions as ONNX nodes: Dense (MatMul + Add on the last axis), Flatten and Reshape
 * (in Keras's channels-last order, so a channels-first value is transposed back first), Add, the layers that are
 * identity in inference (Dropout, the augmentation layers), and the preprocessing layers (ImageNetPreprocessing,
 * Rescaling) that put a model's pixels 0..255 into the range its weights expect.
 */
import { IMAGENET_BGR_MEAN } from '../models/imagenet';
import { activation } from './activations';
import { constant, layerError, single, weight, weightsByName, type Converter, type LayerContext } from './layerContext';
import type { Value } from './onnxGraph';

/** `Dense`: x · kernel + bias on the last axis, then the activation. */
export const dense: Converter = (ctx, inputs) => {
  const g = ctx.graph;
  const x = g.nhwc(single(ctx, inputs));
  const w = weightsByName(ctx);
  let y = g.node('MatMul', [x.name, constant(ctx, weight(ctx, w, 'kernel'), 'kernel')], `${ctx.path}/matmul`);
  if (ctx.config.use_bias !== false) y = g.node('Add', [y, constant(ctx, weight(ctx, w, 'bias'), 'bias')], ctx.path);
  return activation(ctx, { ...x, name: y }, ctx.config.activation);
};

/** `Flatten`: [N, ...] → [N, product] in channels-last order. */
export const flatten: Converter = (ctx, inputs) => {
  const x = ctx.graph.nhwc(single(ctx, inputs));
  if (x.rank === 2) return x;
  return { name: ctx.graph.node('Flatten', [x.name], ctx.path, { axis: 1 }), rank: 2, layout: 'plain' };
};

/** `Reshape`: the batch axis kept (0 = copy), then `target_shape`, in channels-last order. */
export const reshape: Converter = (ctx, inputs) => {
  const x = ctx.graph.nhwc(single(ctx, inputs));
  const target = ctx.config.target_shape as number[];
  const shape = ctx.graph.int64s(`${ctx.path}/shape`, [0, ...target.map((d) => d ?? -1)]);
  const rank = target.length + 1;
  return { name: ctx.graph.node('Reshape', [x.name, shape], ctx.path), rank, layout: rank === 4 ? 'nhwc' : 'plain' };
};

/** `Add`: the inputs summed, all in the first one's layout. */
export const add: Converter = (ctx, inputs) => {
  if (inputs.length < 2) throw layerError(ctx, `expected at least two inputs, got ${inputs.length}.`);
  const g = ctx.graph;
  const first = inputs[0];
  const same = inputs.map((v) => (first.layout === 'nchw' ? g.nchw(v) : g.nhwc(v)));
  let sum = same[0].name;
  for (let i = 1; i < same.length; i++) sum = g.node('Add', [sum, same[i].name], ctx.path);
  return { ...same[0], name: sum };
};

/** Layers that are identity in inference: Dropout and the augmentation layers (active only in training). */
export const identity: Converter = (ctx, inputs) => single(ctx, inputs);

/** A per-channel constant of 3 values shaped for `x`'s layout ([3, 1, 1] channels-first, [3] channels-last). */
function perChannel(ctx: LayerContext, x: Value, name: string, values: number[]): string {
  return ctx.graph.floats(`${ctx.path}/${name}`, values, x.layout === 'nchw' ? [values.length, 1, 1] : [values.length]);
}

/** `ImageNetPreprocessing`: 'tf' = x / 127.5 − 1; 'caffe' = RGB → BGR, minus the ImageNet BGR mean. */
export const imageNetPreprocessing: Converter = (ctx, inputs) => {
  const g = ctx.graph;
  const x = single(ctx, inputs);
  const scalar = (name: string, v: number) => g.floats(`${ctx.path}/${name}`, [v], []);
  if (ctx.config.mode === 'tf') {
    const scaled = g.node('Div', [x.name, scalar('divisor', 127.5)], `${ctx.path}/div`);
    return { ...x, name: g.node('Sub', [scaled, scalar('one', 1)], ctx.path) };
  }
  if (ctx.config.mode !== 'caffe')
    throw layerError(ctx, `mode '${String(ctx.config.mode)}' (supported: 'caffe', 'tf').`);
  const axis = x.layout === 'nchw' ? 1 : x.rank - 1;
  const reversed = g.int64s(`${ctx.path}/bgr`, [2, 1, 0]);
  const bgr = g.node('Gather', [x.name, reversed], `${ctx.path}/bgr`, { axis });
  return { ...x, name: g.node('Sub', [bgr, perChannel(ctx, x, 'mean', [...IMAGENET_BGR_MEAN])], ctx.path) };
};

/** `Rescaling`: x · scale + offset. */
export const rescaling: Converter = (ctx, inputs) => {
  const g = ctx.graph;
  const x = single(ctx, inputs);
  const scale = Number(ctx.config.scale ?? 1);
  const offset = Number(ctx.config.offset ?? 0);
  const scaled = g.node('Mul', [x.name, g.floats(`${ctx.path}/scale`, [scale], [])], `${ctx.path}/mul`);
  return { ...x, name: g.node('Add', [scaled, g.floats(`${ctx.path}/offset`, [offset], [])], ctx.path) };
};
