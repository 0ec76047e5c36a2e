/**
 * `toStandardLayers(model)`: the same model (same outputs in inference) built from TF.js's own layer classes only,
 * so that a plain `@tensorflow/tfjs` — a web page, another project — loads it with `tf.loadLayersModel`:
 *
 *     const standard = await toStandardLayers(run.model);
 *     await saveModel(standard, 'my-model');          // model.json + weights.bin, no custom class inside
 *     standard.dispose();
 *
 * What changes (in the model's JSON, then the weights are copied by layer name):
 * - `FrozenBatchNormalization` → `BatchNormalization` with the same gamma, beta, moving statistics and epsilon,
 *   `trainable: false` (identical in inference; TF.js's own layer would use batch statistics inside `fit`);
 * - `ImageNetPreprocessing` 'tf' (x / 127.5 − 1) → `Rescaling({ scale: 1/127.5, offset: −1 })`; 'caffe'
 *   (RGB → BGR, minus the ImageNet BGR mean) → a fixed 1x1 `Conv2D` whose kernel swaps R and B and whose bias is
 *   −mean (exact: each output is one input times 1 plus zeros, minus the mean);
 * - the augmentation layers (`Random*`, identity in inference) → dropped, their consumers wired to their input.
 * Nested models (the base inside a transfer model) stay nested: TF.js loads them. Layer names, `trainable` flags and
 * `userDefinedMetadata` (class names) are kept. The original model is not changed; dispose the result when done.
 */
import * as tf from '@tensorflow/tfjs';
import { innerLayers, walkLayers } from '../layers/walk';
import { IMAGENET_BGR_MEAN } from './imagenet';

/** A JSON object of a saved model's topology (Keras's snake_case spelling). */
type Json = Record<string, unknown>;
/** One layer of a functional model's `config.layers` (or of a Sequential's). */
interface LayerJson {
  class_name: string;
  name?: string;
  config: Json;
  inbound_nodes?: unknown[][];
}
/** `[layerName, nodeIndex, tensorIndex, kwargs?]`: where a layer's input comes from. */
type NodeRef = [string, number, number, ...unknown[]];

/** The project's augmentation layers (lib/layers/random*.ts): identity in inference. */
const AUGMENTATION = new Set(['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation']);
/** Saved class names of models (a nested model is one layer of its parent). */
const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

const ZEROS = { class_name: 'Zeros', config: {} };

/** The standard layer(s) standing for one custom layer (same name); the layer itself when it is standard. */
function standardLayer(layer: LayerJson): LayerJson {
  const { class_name: cls, config } = layer;
  if (MODEL_CLASSES.has(cls)) return { ...layer, config: standardModelConfig(config) };
  if (cls === 'FrozenBatchNormalization') {
    const { inference: _inference, ...rest } = config;
    return { ...layer, class_name: 'BatchNormalization', config: { ...rest, trainable: false } };
  }
  if (cls !== 'ImageNetPreprocessing') return layer;
  const base = { name: config.name, trainable: false, dtype: 'float32' };
  if (config.mode === 'tf')
    return { ...layer, class_name: 'Rescaling', config: { ...base, scale: 1 / 127.5, offset: -1 } };
  if (config.mode !== 'caffe')
    throw new Error(`toStandardLayers: ImageNetPreprocessing '${config.name}' has an unknown mode '${config.mode}'.`);
  const conv = {
    ...base,
    filters: 3,
    kernel_size: [1, 1],
    strides: [1, 1],
    padding: 'valid',
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: 'linear',
    use_bias: true,
    kernel_initializer: ZEROS,
    bias_initializer: ZEROS,
  };
  return { ...layer, class_name: 'Conv2D', config: conv };
}

/** Where a dropped layer's output came from: its one input. */
function droppedInput(layer: LayerJson): NodeRef {
  const nodes = layer.inbound_nodes ?? [];
  if (nodes.length !== 1 || nodes[0].length !== 1)
    throw new Error(
      `toStandardLayers: the augmentation layer '${layer.name}' is used ${nodes.length} times or on several inputs; ` +
        'only a layer applied once to one tensor can be dropped.',
    );
  return nodes[0][0] as NodeRef;
}

/** `ref` with dropped layers replaced by their inputs (followed through chains of them). */
function rewire(ref: NodeRef, dropped: Map<string, NodeRef>): NodeRef {
  let r = ref;
  for (let to = dropped.get(r[0]); to; to = dropped.get(r[0])) r = [to[0], to[1], to[2], ...r.slice(3)] as NodeRef;
  return r;
}

/** A model's config (functional or Sequential) with standard layers only (see the file comment). */
function standardModelConfig(config: Json): Json {
  if (!Array.isArray(config.layers)) return config;
  const layers = config.layers as LayerJson[];
  const dropped = new Map<string, NodeRef>();
  const kept: LayerJson[] = [];
  for (const layer of layers) {
    if (!AUGMENTATION.has(layer.class_name)) kept.push(standardLayer(layer));
    else if (layer.inbound_nodes) dropped.set(layer.name ?? String(layer.config.name), droppedInput(layer));
  }
  if (!dropped.size) return { ...config, layers: kept };
  const wired = kept.map((l) => ({
    ...l,
    inbound_nodes: l.inbound_nodes?.map((node) => node.map((ref) => rewire(ref as NodeRef, dropped))),
  }));
  const outputs = (config.output_layers as NodeRef[]).map((ref) => rewire(ref, dropped));
  return { ...config, layers: wired, output_layers: outputs };
}

/** The fixed weights of the 'caffe' 1x1 convolution: kernel[0][0][in][out] = 1 where out is in's BGR place. */
function caffeWeights(): tf.Tensor[] {
  const kernel = tf.tidy(() => tf.reverse(tf.eye(3), 1).reshape([1, 1, 3, 3]));
  return [kernel, tf.tensor1d(IMAGENET_BGR_MEAN.map((m) => -m))];
}

/** Every leaf layer of `model`, keyed by its containers' names and its own ("model/base/conv1"). */
function leavesByPath(model: tf.LayersModel): Map<string, tf.layers.Layer> {
  const out = new Map<string, tf.layers.Layer>();
  walkLayers(model, ({ layer, path }) => {
    if (path.length && !innerLayers(layer)) out.set([...path.map((m) => m.name), layer.name].join('/'), layer);
  });
  return out;
}

/** Copies the weights of `from`'s layers into the layers of `to` at the same places; sets the caffe kernels. */
function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const source = leavesByPath(from);
  for (const [key, layer] of leavesByPath(to)) {
    const original = source.get(key);
    if (!original) throw new Error(`toStandardLayers: the converted model's layer ${key} has no original.`);
    if (original.getClassName() === 'ImageNetPreprocessing' && layer.getClassName() === 'Conv2D') {
      const w = caffeWeights();
      layer.setWeights(w);
      tf.dispose(w);
    } else if (layer.weights.length) layer.setWeights(original.getWeights());
  }
}

/**
 * The model `model` computes in inference, made of TF.js's standard layers only (see the file comment); a new
 * model with its own weights (dispose it), the original unchanged. Its saved `model.json` loads in any TF.js.
 */
export async function toStandardLayers(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as Json;
  const modelTopology = standardLayer(topology as unknown as LayerJson) as unknown as Json;
  const converted = await tf.models.modelFromJSON({ modelTopology } as tf.io.ModelJSON);
  try {
    copyWeights(model, converted);
  } catch (err) {
    converted.dispose();
    throw err;
  }
  const meta = model.getUserDefinedMetadata();
  if (meta) converted.setUserDefinedMetadata(meta);
  return converted;
}
