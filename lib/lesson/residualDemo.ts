/**
 * Notebook 03's demonstrations of residual learning: ResNet50's own bottleneck blocks built alone (an identity
 * block and a projection block), the block that becomes the identity when its residual branch F(x) is zero, and
 * the input gradient of deep plain versus residual networks (H(x) = F(x) + x passes the gradient on with a +1).
 */
import * as tf from '@tensorflow/tfjs';
import { call } from '../layers/call';
import { bottleneckBlock } from '../models/resnet';
import { showTable } from '../ui/display';

/** Options of `residualBlock`. */
export interface ResidualBlockOptions {
  /** Stride of the block's first convolution and of its projection (default 1). */
  stride?: number;
  /** A 1x1 convolution on the shortcut (a projection block); default false (an identity block). */
  projection?: boolean;
  /** Prefix of the layer names (default 'block'). */
  name?: string;
}

/**
 * One ResNet50 bottleneck block as a model on `inputShape`: 1x1 -> 3x3 -> 1x1 (4 x filters) plus the shortcut.
 * An identity block needs `inputShape`'s channels = 4 x filters and stride 1.
 */
export function residualBlock(
  inputShape: [number, number, number],
  filters: number,
  opts: ResidualBlockOptions = {},
): tf.LayersModel {
  const stride = opts.stride ?? 1;
  const projection = opts.projection ?? false;
  if (!projection && (inputShape[2] !== 4 * filters || stride !== 1)) {
    throw new Error(
      `an identity block adds its input to an output of ${4 * filters} channels at stride 1; got ` +
        `${inputShape[2]} channels, stride ${stride}: use projection: true.`,
    );
  }
  const input = tf.input({ shape: inputShape, name: `${opts.name ?? 'block'}_input` });
  return tf.model({
    inputs: input,
    outputs: bottleneckBlock(input, filters, stride, projection, opts.name ?? 'block'),
    name: opts.name ?? 'block',
  });
}

/** Sets the scale (gamma) and offset (beta) of the residual branch's last BatchNormalization to 0: then F(x) = 0. */
export function zeroResidualBranch(block: tf.LayersModel): void {
  const bn = block.layers.find((l) => l.name.endsWith('_3_bn'));
  if (!bn) throw new Error(`model '${block.name}' has no layer '*_3_bn': build it with residualBlock.`);
  const [gamma, beta, ...moving] = bn.getWeights();
  // setWeights copies the values into the layer's variables: the zeros themselves are temporary.
  tf.tidy(() => bn.setWeights([tf.zerosLike(gamma), tf.zerosLike(beta), ...moving]));
}

/** max |H(x) - x| of an identity block on `x` (0 when the block passes its input through); read asynchronously. */
export async function maxChange(block: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const change = tf.tidy(() => {
    const y = block.predict(x);
    if (Array.isArray(y)) throw new Error(`model '${block.name}' has several outputs.`);
    return tf.max(tf.abs(tf.sub(y, x)));
  });
  const [value] = await change.data();
  change.dispose();
  return value;
}

/** A plain or residual stack of `depth` Dense(32, sigmoid) layers on 32 inputs, seeded, with one linear output. */
function denseStack(depth: number, residual: boolean, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [32] });
  let h = input;
  for (let i = 0; i < depth; i++) {
    const init = tf.initializers.glorotNormal({ seed: seed + i });
    const f = call(tf.layers.dense({ units: 32, activation: 'sigmoid', kernelInitializer: init }), h);
    h = residual ? call(tf.layers.add(), [f, h]) : f;
  }
  const out = call(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed }) }), h);
  return tf.model({ inputs: input, outputs: out });
}

/** The norm of d(sum of outputs)/d(input) on a fixed batch, for plain and residual stacks of each depth. */
export async function inputGradientNorms(
  depths: number[],
  seed = 100,
): Promise<{ depth: number; plain: number; residual: number }[]> {
  const probe = tf.randomNormal([8, 32], 0, 1, 'float32', 3);
  const norm = async (depth: number, residual: boolean): Promise<number> => {
    const net = denseStack(depth, residual, seed);
    const n = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(net.apply(x) as tf.Tensor))(probe)
        .norm(),
    );
    const [value] = await n.data();
    n.dispose();
    net.dispose();
    return value;
  };
  const rows = [];
  for (const depth of depths) rows.push({ depth, plain: await norm(depth, false), residual: await norm(depth, true) });
  probe.dispose();
  return rows;
}

/** Shows `inputGradientNorms` as a table. */
export async function showGradientNorms(depths: number[]): Promise<void> {
  const rows = (await inputGradientNorms(depths)).map((r) => ({
    '층 수': r.depth,
    '일반 망: |dy/dx|': r.plain.toExponential(2),
    '잔차 망: |dy/dx|': r.residual.toExponential(2),
  }));
  showTable(rows, { caption: '입력 쪽 기울기 크기: 일반 망 vs 잔차 망' });
}
