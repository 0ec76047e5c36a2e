/**
 * `exportOnnx(model, file)`: any model this library builds or saves (the keras.applications builders with or
 * without top, the lesson's heads, `buildTransferModel` models with their nested base, models loaded with
 * `loadSavedModel`) as one self-contained ONNX file: the same input (float32 NHWC pixels 0..255, the
 * preprocessing inside), the same output, the class names and the preprocessing in its `metadata_props`.
 * Opset 13 (IR version 7), which every ONNX Runtime since 1.7 runs; the protobuf is encoded by `onnx-proto`,
 * generated from ONNX's own schema (ONNX 1.10). Augmentation and Dropout layers are identity, as in inference.
 */
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { writeFileAtomic } from '../core/atomicFile';
import { walkLayers } from '../layers/walk';
import { emitModel, type LayerJson } from './modelGraph';
import { OnnxGraph, type Value } from './onnxGraph';

/** The ONNX operator set the exporter writes (every operator it uses exists there in the form it uses). */
export const ONNX_OPSET = 13;
/** The ONNX IR version that goes with opset 13. */
export const ONNX_IR_VERSION = 7;
/** `metadata_props` keys the exporter writes (and `onnxMetadata` reads back). */
export const METADATA_KEYS = { classNames: 'class_names', preprocessing: 'preprocessing', input: 'input' } as const;

/** Options of `exportOnnx` / `modelToOnnx`. */
export interface OnnxExportOptions {
  /** Class names for the metadata (default: the model's `userDefinedMetadata.classNames`, if any). */
  classNames?: string[];
}

/** A graph input or output as ONNX's ValueInfoProto: float32 with the model's shape (unknown sizes named). */
function valueInfo(name: string, shape: (number | null)[]): onnx.IValueInfoProto {
  const names = ['batch', 'height', 'width', 'channels'];
  const dim = shape.map((d, i) => (d === null || d < 0 ? { dimParam: names[i] ?? `dim${i}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

/** The preprocessing layers inside `model` (class, path, mode / scale), for the metadata. */
function preprocessingOf(model: tf.LayersModel): object[] {
  const found: object[] = [];
  walkLayers(model, ({ layer, path }) => {
    const cls = layer.getClassName();
    if (cls !== 'ImageNetPreprocessing' && cls !== 'Rescaling') return;
    const { mode, scale, offset } = layer.getConfig() as Record<string, unknown>;
    const where = [...path.slice(1).map((m) => m.name), layer.name].join('/');
    found.push({ layer: where, class: cls, ...(mode ? { mode } : { scale, offset }) });
  });
  return found;
}

/** The model's metadata: class names, preprocessing, what the input is. */
function metadata(model: tf.LayersModel, opts: OnnxExportOptions): onnx.IStringStringEntryProto[] {
  const saved = (model.getUserDefinedMetadata() as { classNames?: unknown } | undefined)?.classNames;
  const classNames = opts.classNames ?? (Array.isArray(saved) ? saved.map(String) : undefined);
  const entries: [string, string][] = [
    [METADATA_KEYS.preprocessing, JSON.stringify(preprocessingOf(model))],
    [METADATA_KEYS.input, 'float32 NHWC RGB pixels 0..255 (the preprocessing is inside the graph)'],
  ];
  if (classNames) entries.unshift([METADATA_KEYS.classNames, JSON.stringify(classNames)]);
  return entries.map(([key, value]) => ({ key, value }));
}

/** The graph of `model`: inputs and outputs named after the model's input and output layers. */
function buildGraph(model: tf.LayersModel): onnx.IGraphProto {
  const g = new OnnxGraph();
  const json = model.toJSON(null, false) as unknown as LayerJson;
  const inputNames = model.inputs.map((t, i) => g.unique(model.inputNames[i] ?? t.name));
  const outputNames = model.outputs.map((t, i) => g.unique(model.outputNames[i] ?? t.name));
  const inputs: Value[] = model.inputs.map((t, i) => {
    if (t.dtype !== 'float32')
      throw new Error(`exportOnnx: input '${inputNames[i]}' is ${t.dtype}; only float32 exports.`);
    return { name: inputNames[i], rank: t.shape.length, layout: t.shape.length === 4 ? 'nhwc' : 'plain' };
  });
  const outputs = emitModel(g, model, json, inputs, '');
  outputs.forEach((v, i) => g.rename(g.nhwc(v).name, outputNames[i]));
  return {
    name: model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: model.inputs.map((t, i) => valueInfo(inputNames[i], t.shape)),
    output: model.outputs.map((t, i) => valueInfo(outputNames[i], t.shape)),
  };
}

/** `model` as the bytes of an ONNX file (see the file comment); throws, naming the layer, on one it cannot write. */
export function modelToOnnx(model: tf.LayersModel, opts: OnnxExportOptions = {}): Uint8Array {
  const proto: onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'transfer-learning-ts',
    producerVersion: tf.version.tfjs,
    docString: `${model.name}, exported from TensorFlow.js by transfer-learning-ts`,
    graph: buildGraph(model),
    metadataProps: metadata(model, opts),
  };
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * Writes `model` to `file` as ONNX (see the file comment) and returns the path. The file appears whole or not at
 * all: a layer with no ONNX form is an error naming the layer, its class and the supported classes, and nothing
 * is written. Run the file with any ONNX Runtime (`onnxruntime-node`, Python's `onnxruntime`, a browser's).
 *
 * @example
 * ```ts
 * import { mobilenet } from './lib/models/mobilenet';
 * import { exportOnnx } from './lib/onnx/exportOnnx';
 * import { buildTransferModel } from './lib/training/transferModel';
 *
 * const base = await mobilenet({ alpha: 0.25, includeTop: false, inputShape: [160, 160, 3] });
 * const model = buildTransferModel(base, { preprocess: 'tf', head: 'gap' });
 * await exportOnnx(model, 'build/cats-vs-dogs.onnx');
 * ```
 */
export async function exportOnnx(model: tf.LayersModel, file: string, opts: OnnxExportOptions = {}): Promise<string> {
  const bytes = modelToOnnx(model, opts);
  return writeFileAtomic(file, bytes);
}
