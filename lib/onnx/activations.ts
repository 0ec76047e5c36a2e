/**
 * Keras activations as ONNX nodes: the `activation` of Conv2D / Dense / Activation layers, and the ReLU and
 * LeakyReLU layers. Element-wise activations keep the value's layout; softmax runs over the channels, so a 4-D
 * value is made channels-last first.
 */
import { layerError, single, type Converter, type LayerContext } from './layerContext';
import type { Value } from './onnxGraph';

/** Activation names this exporter writes (Keras spells them in snake_case, TF.js in camelCase). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'softmax',
  'tanh',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'hard_sigmoid',
  'swish',
] as const;

/** ONNX operators that are the activation of the same name, element-wise. */
const ELEMENTWISE: Record<string, string> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  softsign: 'Softsign',
  hard_sigmoid: 'HardSigmoid',
};

/** `min(max(x, low), high)` as an ONNX Clip (bounds as inputs, opset 11+). */
export function clip(ctx: LayerContext, x: Value, low: number, high: number | null): Value {
  const g = ctx.graph;
  const inputs = [x.name, g.floats(`${ctx.path}/clip_min`, [low], [])];
  if (high !== null) inputs.push(g.floats(`${ctx.path}/clip_max`, [high], []));
  return { ...x, name: g.node('Clip', inputs, `${ctx.path}/clip`) };
}

/** `x` through the activation `name` (a Keras or TF.js spelling); an unknown one is an error naming the layer. */
export function activation(ctx: LayerContext, x: Value, name: unknown): Value {
  const key = String(name ?? 'linear')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  const g = ctx.graph;
  if (key === 'linear') return x;
  if (key === 'relu6') return clip(ctx, x, 0, 6);
  const op = ELEMENTWISE[key];
  if (op) return { ...x, name: g.node(op, [x.name], `${ctx.path}/${key}`) };
  if (key === 'swish') {
    const s = g.node('Sigmoid', [x.name], `${ctx.path}/swish_sigmoid`);
    return { ...x, name: g.node('Mul', [x.name, s], `${ctx.path}/swish`) };
  }
  if (key === 'softmax') {
    const last = g.nhwc(x);
    return { ...last, name: g.node('Softmax', [last.name], `${ctx.path}/softmax`, { axis: -1 }) };
  }
  throw layerError(ctx, `activation '${String(name)}' has no ONNX form here (supported: ${ACTIVATIONS.join(', ')}).`);
}

/** `Activation`: the activation alone. */
export const activationLayer: Converter = (ctx, inputs) => activation(ctx, single(ctx, inputs), ctx.config.activation);

/** `ReLU`: max(x, 0), capped at `max_value` when it has one (ReLU6); TF.js's ReLU has no slope or threshold. */
export const reluLayer: Converter = (ctx, inputs) => {
  const x = single(ctx, inputs);
  const max = ctx.config.max_value;
  const slope = Number(ctx.config.negative_slope ?? 0);
  const threshold = Number(ctx.config.threshold ?? 0);
  if (slope !== 0 || threshold !== 0)
    throw layerError(ctx, 'negative_slope / threshold other than 0 are not supported.');
  if (max === null || max === undefined) return { ...x, name: ctx.graph.node('Relu', [x.name], `${ctx.path}/relu`) };
  return clip(ctx, x, 0, Number(max));
};

/** `LeakyReLU`: x for x > 0, alpha x otherwise. */
export const leakyReluLayer: Converter = (ctx, inputs) => {
  const x = single(ctx, inputs);
  const alpha = Number(ctx.config.alpha ?? 0.3);
  return { ...x, name: ctx.graph.node('LeakyRelu', [x.name], `${ctx.path}/leaky_relu`, { alpha: { float: alpha } }) };
};
