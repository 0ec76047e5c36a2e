/**
 * Keras HDF5 weight files in TF.js: download them as Keras does (`get_file` with its URLs and hashes, cached
 * under `data/models/`) and load them into a `tf.LayersModel` by layer name.
 *
 * The files are parsed with jsfive (pure JavaScript, CommonJS, so it works inside tslab notebooks). Weights stored
 * the way Keras writes them (contiguous, uncompressed, little-endian float32) are read as raw bytes at their file
 * offset, one at a time; chunked, compressed or other-typed datasets use jsfive's (slower) element reader. Both Keras 2
 * layouts are understood: `layer_names` at the root (`save_weights`, the keras.applications files) or under
 * `model_weights` (`model.save`); each layer group lists its `weight_names`, stored as `<layer>/<weight>:0`.
 * Kernels in the `tf_dim_ordering` files are already in TF.js order (height, width, in, out), so values are
 * copied as they are; weights are matched to the TF.js layer's weights by their short name (kernel, bias,
 * depthwise_kernel, gamma, beta, moving_mean, moving_variance), falling back to their order.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getFile } from '../io/download';
import { weightsCacheDir } from '../core/paths';

/** Where keras.applications keeps its weight files (override with `KERAS_WEIGHTS_BASE_URL`, e.g. a local mirror). */
export const KERAS_WEIGHTS_BASE_URL = 'https://storage.googleapis.com/tensorflow/keras-applications/';

/** One Keras weight file: the folder under the base URL, its file name, and the md5/sha256 Keras checks (if any). */
export interface KerasWeightsFile {
  /** Folder under the base URL, e.g. 'vgg16', 'resnet', 'mobilenet', 'mobilenet_v2'. */
  subdir: string;
  /** File name, e.g. 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'. */
  fileName: string;
  /** The file_hash Keras passes to get_file (md5), when it publishes one. */
  hash?: string;
}

/** The base URL in force: `KERAS_WEIGHTS_BASE_URL` from the environment, or Keras's own. Ends with '/'. */
export function kerasWeightsBaseUrl(): string {
  const env = process.env.KERAS_WEIGHTS_BASE_URL;
  const base = env && env.trim() ? env.trim() : KERAS_WEIGHTS_BASE_URL;
  return base.endsWith('/') ? base : `${base}/`;
}

/** The URL a weight file is downloaded from. */
export function kerasWeightsUrl(file: KerasWeightsFile): string {
  return `${kerasWeightsBaseUrl()}${file.subdir}/${file.fileName}`;
}

/** The cache folder: `KERAS_WEIGHTS_DIR`, or `data/models/` under the project root (not the cwd). */
export const kerasWeightsDir = weightsCacheDir;

/**
 * Returns the local path of a Keras weight file, downloading it first unless a verified copy is cached.
 * Keras publishes no hash for some files (MobileNet), so every file is also read as a Keras weight file before
 * it enters the cache and before a cached copy is used: an error page or a cut download is kept aside as
 * `<file>.bad` with an error (a cached one is moved aside and downloaded again; see lib/io/download.ts).
 */
export async function fetchKerasWeights(file: KerasWeightsFile, opts: { quiet?: boolean } = {}): Promise<string> {
  const dest = path.join(kerasWeightsDir(), file.fileName);
  const validate = (p: string) => {
    // Opening checks the HDF5 signature, the structure and that raw weights lie inside the file; others are read.
    for (const weights of readKerasWeights(p).layers.values()) for (const w of weights) if (w.storage === 'jsfive') w.read();
  };
  return getFile(kerasWeightsUrl(file), { dest, hash: file.hash, quiet: opts.quiet, label: file.fileName, validate });
}

/** One weight array of a Keras file; its values are read on demand (large files are not held in memory at once). */
export interface KerasWeight {
  /** Name as stored, e.g. 'conv1/kernel:0'. */
  name: string;
  shape: number[];
  /** Number of values (product of the shape). */
  size: number;
  /**
   * How `read` gets the values: 'contiguous-f32' reads the raw little-endian float32 bytes straight from the
   * file (what Keras writes; fast, one weight in memory at a time), 'jsfive' uses jsfive's element reader
   * (chunked or compressed datasets, other dtypes).
   */
  storage: 'contiguous-f32' | 'jsfive';
  /** Reads the values from the file (row-major, float32). */
  read(): Float32Array;
}

/** Options of `readKerasWeights`. */
export interface ReadKerasWeightsOptions {
  /** 'auto' (default): raw float32 reads where the layout allows, jsfive otherwise; 'jsfive': jsfive for all. */
  reader?: 'auto' | 'jsfive';
}

/** The content of a Keras weight file: layers in file order, each with its weights in Keras order. */
export interface KerasWeightsContent {
  file: string;
  kerasVersion?: string;
  backend?: string;
  /** All layer names of the file (also those without weights), in file order. */
  layerNames: string[];
  /** Weights per layer name (layers without weights map to []). */
  layers: Map<string, KerasWeight[]>;
}

/** What `loadKerasWeights` did. */
export interface LoadReport {
  file: string;
  kerasVersion?: string;
  /** Model layers that received weights. */
  loadedLayers: string[];
  /** Number of weight arrays set. */
  weightsLoaded: number;
  /** Number of scalar parameters set. */
  paramsLoaded: number;
  /** Model layers with weights that were left as they were (with `skipMismatch`), and why. */
  skipped: { layer: string; reason: string }[];
  /** File layers with weights that no model layer used. */
  unusedFileLayers: string[];
}

// jsfive has no type declarations; the few members used here.
interface H5Node {
  attrs: Record<string, unknown>;
  keys?: string[];
  shape?: number[];
  dtype?: unknown;
  value?: ArrayLike<number>;
  /** jsfive's object header of a dataset (its messages; `offset_to_message` is a file offset). */
  _dataobjects?: { find_msg_type(type: number): Map<string, number>[] };
  get(p: string): H5Node;
}

/** HDF5 Data Layout message type (spec IV.A.2.i). */
const LAYOUT_MSG_TYPE = 0x0008;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The file offset of a dataset's values when they are stored contiguously, uncompressed, as little-endian
 * float32 (HDF5 layout class 1, the layout h5py uses for Keras weights), else undefined (read with jsfive).
 */
function contiguousFloat32Offset(d: H5Node, size: number, buf: Buffer): number | undefined {
  if (!LITTLE_ENDIAN_HOST || d.dtype !== '<f4' || size === 0) return undefined;
  try {
    const msg = d._dataobjects?.find_msg_type(LAYOUT_MSG_TYPE)[0];
    const at = msg?.get('offset_to_message');
    if (typeof at !== 'number' || at < 0 || at + 24 > buf.length) return undefined;
    const version = buf[at];
    let address: bigint;
    if (version === 3 || version === 4) {
      if (buf[at + 1] !== 1) return undefined; // 0 compact, 2 chunked, 3 virtual
      address = buf.readBigUInt64LE(at + 2);
      if (buf.readBigUInt64LE(at + 10) !== BigInt(size * 4)) return undefined;
    } else if (version === 1 || version === 2) {
      if (buf[at + 2] !== 1) return undefined;
      address = buf.readBigUInt64LE(at + 8);
    } else {
      return undefined;
    }
    if (address === 0xffffffffffffffffn || address + BigInt(size * 4) > BigInt(buf.length)) return undefined;
    return Number(address);
  } catch {
    return undefined; // a layout this probe does not understand: jsfive reads it
  }
}

function rawFloat32Reader(file: string, offset: number, size: number, fileSize: number): () => Float32Array {
  return () => readFloat32At(file, offset, size, fileSize);
}

function jsfiveReader(d: H5Node): () => Float32Array {
  return () => {
    const raw = d.value ?? [];
    return raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
  };
}

/** Reads `size` float32 values at `offset` of `file`, checking the file is still the one that was opened. */
function readFloat32At(file: string, offset: number, size: number, fileSize: number): Float32Array {
  const out = new Float32Array(size);
  const bytes = new Uint8Array(out.buffer);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== fileSize) {
      throw new Error(`${file} changed size since it was opened (${fileSize} bytes then): read the weights again.`);
    }
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, bytes.length - done, offset + done);
      if (n <= 0) throw new Error(`${file} ended early at byte ${offset + done}: the file may be truncated; delete it and download it again.`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

function cleanString(s: unknown): string {
  const str = typeof s === 'string' ? s : s instanceof Uint8Array ? Buffer.from(s).toString('utf8') : String(s);
  return str.replace(/\0+$/, '').replace(/\0/g, '');
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [cleanString(v)];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).map(cleanString);
  return undefined;
}

/**
 * Opens a Keras HDF5 weight file (Keras 2 layouts): layer names, weight names and shapes; values on demand.
 * The file is read once to parse its metadata; contiguous float32 weights are then read one at a time from
 * the file at their offset, so the whole file is not kept in memory (unless some dataset needs jsfive).
 */
export function readKerasWeights(h5Path: string, opts: ReadKerasWeightsOptions = {}): KerasWeightsContent {
  const reader = opts.reader ?? 'auto';
  if (reader !== 'auto' && reader !== 'jsfive') throw new Error(`readKerasWeights: reader must be 'auto' or 'jsfive', not '${String(reader)}'.`);
  if (!fs.existsSync(h5Path)) {
    throw new Error(`Keras weight file not found: ${path.resolve(h5Path)}. Check the path (relative paths start at the cwd, ${process.cwd()}).`);
  }
  const filePath = path.resolve(h5Path);
  const buf = fs.readFileSync(h5Path);
  const fileSize = buf.length;
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89484446) {
    throw new Error(`${h5Path} is not an HDF5 file (no HDF5 signature). Keras weight files are .h5 files saved by model.save_weights / model.save.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const hdf5 = require('jsfive') as { File: new (b: ArrayBuffer, name: string) => H5Node };
  let root: H5Node;
  try {
    // A large file read by readFileSync owns its ArrayBuffer: use it without copying.
    const whole = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
    const ab = (whole ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) as ArrayBuffer;
    root = new hdf5.File(ab, path.basename(h5Path));
  } catch (err) {
    throw new Error(`Could not read ${h5Path} as HDF5 (${String((err as Error)?.message ?? err)}). The file may be truncated: delete it and download it again.`);
  }
  let group = root;
  let names = stringList(root.attrs.layer_names);
  if (!names && (root.keys ?? []).includes('model_weights')) {
    group = root.get('model_weights');
    names = stringList(group.attrs.layer_names);
  }
  if (!names) {
    throw new Error(`${h5Path} has no 'layer_names' attribute (at the root or under 'model_weights'): it is not a Keras 2 weight file. ` +
      `Keras 3 '.weights.h5' files are not supported; save with Keras 2 (h5 format) instead.`);
  }
  const attr = (k: string): string | undefined => {
    const v = root.attrs[k] ?? group.attrs[k];
    return v === undefined ? undefined : cleanString(v);
  };
  const layers = new Map<string, KerasWeight[]>();
  for (const layerName of names) {
    const g = group.get(layerName);
    const weightNames = stringList(g.attrs.weight_names) ?? [];
    layers.set(layerName, weightNames.map((wn) => {
      const d = g.get(wn);
      const shape = (d.shape ?? []).map(Number);
      const size = shape.reduce((a, b) => a * b, 1);
      const offset = reader === 'auto' ? contiguousFloat32Offset(d, size, buf) : undefined;
      // The readers come from top-level factories so that a fast reader's closure holds numbers only and
      // the file buffer can be released once the metadata is parsed.
      return offset !== undefined
        ? { name: wn, shape, size, storage: 'contiguous-f32' as const, read: rawFloat32Reader(filePath, offset, size, fileSize) }
        : { name: wn, shape, size, storage: 'jsfive' as const, read: jsfiveReader(d) };
    }));
  }
  return { file: h5Path, kerasVersion: attr('keras_version'), backend: attr('backend'), layerNames: names, layers };
}

/** Every layer with weights, nested models flattened, in model order. */
export function weightedLayers(model: tf.LayersModel | tf.layers.Layer): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  const visit = (layer: tf.layers.Layer): void => {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
    else if (layer.weights.length > 0) out.push(layer);
  };
  visit(model as tf.layers.Layer);
  return out;
}

/** The short name of a weight: 'conv1/kernel:0' → 'kernel', 'block1_conv1/bias_1' → 'bias'. */
function shortName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').replace(/_\d+$/, '');
}

const FAMILY_MARKERS: [RegExp, string][] = [
  [/^block\d+_conv\d+$/, 'VGG16/VGG19 (layer names block1_conv1, ...)'],
  [/^conv\d_block\d+_\d_conv$/, 'ResNet50/101/152 (layer names conv2_block1_1_conv, ...)'],
  [/^res\d[a-z]_branch/, 'the old Keras ResNet50 (layer names res2a_branch2a, ...)'],
  [/^conv_(dw|pw)_\d+$/, 'MobileNet v1 (layer names conv_dw_1, conv_pw_1, ...)'],
  [/^(block_\d+_(expand|depthwise|project)|expanded_conv_)/, 'MobileNetV2 (layer names block_1_expand, ...)'],
  [/^(mixed\d+|conv2d_\d+)$/, 'InceptionV3 or a model with default layer names'],
];

/** A guess of which architecture a list of layer names belongs to (for error messages). */
export function guessArchitecture(layerNames: string[]): string {
  let best = { name: 'an unknown architecture', count: 0 };
  for (const [re, name] of FAMILY_MARKERS) {
    const count = layerNames.filter((n) => re.test(n)).length;
    if (count > best.count) best = { name, count };
  }
  return best.name;
}

/**
 * Loads a Keras HDF5 weight file into `model`, layer by layer by name (default) or in order of the weighted
 * layers (`byName: false`, Keras's topological loading). Throws, naming the layer, weight and shapes, when a
 * layer is missing from the file or a shape differs, unless `skipMismatch` is set (those layers are then
 * skipped and listed in the report). A file whose layer names mostly do not match is reported as being for
 * another architecture. Nothing is written to the model until every weight has been checked.
 */
export async function loadKerasWeights(
  model: tf.LayersModel,
  h5Path: string,
  opts: { skipMismatch?: boolean; byName?: boolean } = {},
): Promise<LoadReport> {
  const byName = opts.byName ?? true;
  const content = readKerasWeights(h5Path);
  const fileWeighted = content.layerNames.filter((n) => (content.layers.get(n) ?? []).length > 0);
  const modelLayers = weightedLayers(model);
  const modelName = model.name;
  const report: LoadReport = {
    file: h5Path, kerasVersion: content.kerasVersion, loadedLayers: [], weightsLoaded: 0, paramsLoaded: 0, skipped: [], unusedFileLayers: [],
  };

  // Pair model layers with file layers.
  const pairs: [tf.layers.Layer, string | undefined][] = [];
  if (byName) {
    for (const layer of modelLayers) pairs.push([layer, fileWeighted.includes(layer.name) ? layer.name : undefined]);
    const matched = pairs.filter(([, f]) => f !== undefined).length;
    if (modelLayers.length > 0 && matched < Math.max(1, Math.ceil(modelLayers.length / 2))) {
      throw new Error(
        `${h5Path} does not fit model '${modelName}': only ${matched} of its ${modelLayers.length} layers with weights ` +
          `(e.g. ${modelLayers.slice(0, 3).map((l) => l.name).join(', ')}) are in the file. The file seems to be for ${guessArchitecture(content.layerNames)}; ` +
          `its layers are ${fileWeighted.slice(0, 4).join(', ')}${fileWeighted.length > 4 ? ', ...' : ''}. Use the weight file made for this model.`,
      );
    }
  } else {
    if (fileWeighted.length !== modelLayers.length && !opts.skipMismatch) {
      throw new Error(
        `${h5Path} has ${fileWeighted.length} layers with weights but model '${modelName}' has ${modelLayers.length}: loading by order needs the same ` +
          `architecture (the file seems to be for ${guessArchitecture(content.layerNames)}). Use byName: true or the matching file.`,
      );
    }
    modelLayers.forEach((layer, i) => pairs.push([layer, fileWeighted[i]]));
  }

  const plan: { layer: tf.layers.Layer; weights: KerasWeight[] }[] = [];
  for (const [layer, fileLayer] of pairs) {
    if (fileLayer === undefined) {
      const reason = `layer '${layer.name}' is not in ${h5Path}`;
      if (opts.skipMismatch) { report.skipped.push({ layer: layer.name, reason }); continue; }
      throw new Error(`Missing layer: ${reason} (model '${modelName}'). Pass skipMismatch: true to leave it as initialised.`);
    }
    const fileWeights = content.layers.get(fileLayer) ?? [];
    const targets = layer.weights;
    let problem: string | undefined;
    const ordered: KerasWeight[] = [];
    if (fileWeights.length !== targets.length) {
      problem = `layer '${layer.name}' has ${targets.length} weights (${targets.map((w) => shortName(w.originalName)).join(', ')}) but the file's '${fileLayer}' has ${fileWeights.length} (${fileWeights.map((w) => w.name).join(', ')})`;
    } else {
      targets.forEach((w, i) => {
        const want = shortName(w.originalName);
        const byShort = fileWeights.filter((fw) => shortName(fw.name) === want);
        ordered.push(byShort.length === 1 ? byShort[0] : fileWeights[i]);
      });
      for (let i = 0; i < targets.length && !problem; i++) {
        const expected = targets[i].shape as number[];
        const found = ordered[i].shape;
        if (!tf.util.arraysEqual(expected, found)) {
          problem = `shape mismatch in layer '${layer.name}', weight '${shortName(targets[i].originalName)}': the model expects [${expected.join(', ')}] ` +
            `but ${h5Path} has [${found.join(', ')}] (${ordered[i].name})`;
        }
      }
    }
    if (problem) {
      if (opts.skipMismatch) { report.skipped.push({ layer: layer.name, reason: problem }); continue; }
      throw new Error(`${problem}. Check the model options (alpha, classes, includeTop, inputShape) match the file, or pass skipMismatch: true.`);
    }
    plan.push({ layer, weights: ordered });
  }

  for (const { layer, weights } of plan) {
    const tensors = weights.map((w) => tf.tensor(w.read(), w.shape, 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    report.loadedLayers.push(layer.name);
    report.weightsLoaded += weights.length;
    report.paramsLoaded += weights.reduce((s, w) => s + w.size, 0);
  }
  const used = new Set(pairs.map(([, f]) => f));
  report.unusedFileLayers = fileWeighted.filter((n) => !used.has(n));
  return report;
}
