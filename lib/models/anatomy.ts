/**
 * A model's anatomy in numbers, for tables that explain an architecture: its size (layers, convolutions,
 * parameters, output shape), its layers grouped into blocks or stages by name (`block1_conv1` -> `block1`,
 * `conv2_block1_1_conv` -> `conv2`), and its layers one by one with the layers each one takes its input from.
 */
import type * as tf from '@tensorflow/tfjs';

/** The size of a model. */
export interface ModelStats {
  /** Layers as TF.js counts them (the input layer included, as in Keras's `len(model.layers)`). */
  layers: number;
  /** Conv2D and DepthwiseConv2D layers. */
  convLayers: number;
  params: number;
  /** Output shape without the batch dimension. */
  outputShape: number[];
}

/** A group of layers with a common name prefix: a VGG block, a ResNet stage, or one layer of a top. */
export interface LayerGroup {
  name: string;
  layers: number;
  convLayers: number;
  /** Filters of the group's first convolution (undefined without one). */
  filters?: number;
  /** Kernel size of the group's first convolution, e.g. [3, 3]. */
  kernel?: number[];
  /** Strides of the group's first convolution, e.g. [2, 2]. */
  strides?: number[];
  /** Residual blocks in the group (layer names `<group>_block<n>_...`); 0 for none. */
  blocks: number;
  /** The group has a projection shortcut (a layer named `..._0_conv`, a 1x1 convolution beside the block). */
  projection: boolean;
  /** Output shape of the group's last layer, without the batch dimension. */
  outputShape: number[];
  params: number;
}

/** One layer: its name, class, output shape, parameters and the layers its input comes from. */
export interface LayerRow {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
  inputs: string[];
}

const CONV = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

/** Output shape of a layer without the batch dimension (an unknown size, Keras's None, as -1). */
function shapeOf(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape;
  const first = Array.isArray(shape[0]) ? shape[0] : shape;
  return (first as (number | null)[]).slice(1).map((d) => d ?? -1);
}

/** Layers, convolutions, parameters and output shape of `model`. */
export function modelStats(model: tf.LayersModel): ModelStats {
  const out = model.outputs[0].shape.slice(1).map((d) => d ?? -1);
  return {
    layers: model.layers.length,
    convLayers: model.layers.filter((l) => CONV.has(l.getClassName())).length,
    params: model.countParams(),
    outputShape: out,
  };
}

/**
 * The block or stage of a layer name: `block<n>`, `conv<n>` or `pool<n>` before the first '_' (VGG16's
 * `block1_conv1` -> `block1`, ResNet's `conv2_block1_1_conv` -> `conv2`), else the whole name (`fc1`, `avg_pool`).
 */
export function blockOf(name: string): string {
  return /^((?:block|conv|pool)\d+)_/.exec(name)?.[1] ?? name;
}

/** The model's layers grouped by `keyOf(name)` (default `blockOf`), in model order; input layers left out. */
export function groupLayers(model: tf.LayersModel, keyOf: (name: string) => string = blockOf): LayerGroup[] {
  const groups = new Map<string, tf.layers.Layer[]>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const key = keyOf(layer.name);
    groups.set(key, [...(groups.get(key) ?? []), layer]);
  }
  return [...groups].map(([name, layers]) => {
    const convs = layers.filter((l) => CONV.has(l.getClassName()));
    const config = convs[0]?.getConfig() as { filters?: number; kernelSize?: number[]; strides?: number[] } | undefined;
    const blockNames = layers.map((l) => /_block(\d+)_/.exec(l.name)?.[1]).filter((b) => b !== undefined);
    return {
      name,
      layers: layers.length,
      convLayers: convs.length,
      filters: config?.filters,
      kernel: config?.kernelSize,
      strides: config?.strides,
      blocks: new Set(blockNames).size,
      projection: layers.some((l) => l.name.endsWith('_0_conv')),
      outputShape: shapeOf(layers[layers.length - 1]),
      params: layers.reduce((s, l) => s + l.countParams(), 0),
    };
  });
}

/** Every layer of `model` (the input layer included) with the names of the layers it takes its input from (each once). */
export function layerRows(model: tf.LayersModel): LayerRow[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: shapeOf(layer),
    params: layer.countParams(),
    // A layer shared by several models (a base under two heads) has a node per use: its inputs are named once.
    inputs: [...new Set(layer.inboundNodes.flatMap((node) => node.inboundLayers.map((l) => l.name)))],
  }));
}
