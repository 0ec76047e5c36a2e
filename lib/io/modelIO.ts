/**
 * `file://` save and load for TF.js LayersModels without tfjs-node: `model.json` + `weights.bin` in the
 * TF.js layers format (readable by `tf.loadLayersModel` and tensorflowjs_converter). Files are written
 * atomically (`core/atomicFile.ts`), weights first. The `file://` router is registered only when no other
 * handler exists (tfjs-node brings its own), so `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')` work everywhere.
 *
 * Custom layers (frozen BatchNorm, augmentation) register when their module is imported: code that loads a
 * lesson model imports `lib/layers/frozenBatchNorm` and `lib/layers/augmentation` first; this loader only loads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/atomicFile';
import { describeFsError } from '../core/fsErrors';
import { resolveInside } from '../core/pathInside';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function stripScheme(url: string): string {
  return url.startsWith('file://') ? url.slice('file://'.length) : url;
}

/** Where a handler's files go: a folder (`model.json` + `weights.bin`) or a `name.json` (+ `name.weights.bin`). */
function locate(target: string): { dir: string; jsonPath: string; weightsName: string } {
  const p = stripScheme(target);
  const isJson = p.endsWith('.json');
  const dir = isJson ? path.dirname(p) : p;
  return {
    dir,
    jsonPath: isJson ? p : path.join(dir, MODEL_JSON),
    weightsName: isJson ? `${path.basename(p, '.json')}.weights.bin` : WEIGHTS_BIN,
  };
}

async function saveArtifacts(target: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  const { dir, jsonPath, weightsName } = locate(target);
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error(`saveModel(${dir}): binary model topologies are not supported; save a LayersModel.`);
  }
  const weights = artifacts.weightData
    ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
    : new Uint8Array(0);
  const modelJSON: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  // Weights first, then the JSON that points at them: a reader never sees a model.json without its weights.
  await writeFileAtomic(path.join(dir, weightsName), weights);
  await writeFileAtomic(jsonPath, JSON.stringify(modelJSON));
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJSON.modelTopology)),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(modelJSON.weightsManifest)),
      weightDataBytes: weights.byteLength,
    },
  };
}

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** The bytes the weight specs describe, or undefined when a spec has no fixed size (strings). */
function describedBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const s of specs) {
    const per = BYTES_PER_VALUE[s.quantization?.dtype ?? s.dtype];
    if (per === undefined) return undefined;
    total += per * s.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** Reads the weight files of a manifest; a missing file or a size other than the specs describe is an error naming it. */
function readWeights(
  jsonPath: string,
  manifest: tf.io.WeightsManifestConfig,
): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const specs = manifest.flatMap((group) => group.weights);
  const files = manifest.flatMap((group) =>
    group.paths.map((rel) => resolveInside(path.dirname(jsonPath), rel, jsonPath, 'the model folder')),
  );
  const buffers = files.map((f) => {
    if (!fs.existsSync(f))
      throw new Error(`loadModel: weight file ${f} named in ${jsonPath} is missing; save the model again.`);
    try {
      const b = fs.readFileSync(f);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    } catch (err) {
      throw describeFsError(err, f);
    }
  });
  const have = buffers.reduce((a, b) => a + b.byteLength, 0);
  const want = describedBytes(specs);
  if (want !== undefined && have !== want) {
    const what =
      have < want ? 'is truncated (an interrupted copy or download)' : 'does not belong to it (from another save)';
    throw new Error(
      `loadModel: ${files.join(' + ')} ${files.length > 1 ? 'have' : 'has'} ${have} bytes, but ${jsonPath} ` +
        `describes ${want} bytes of weights: ` +
        `the weight file ${what}. Copy the whole model folder again, or save the model again.`,
    );
  }
  return [specs, tf.io.concatenateArrayBuffers(buffers)];
}

async function loadArtifacts(target: string): Promise<tf.io.ModelArtifacts> {
  const { jsonPath } = locate(target);
  if (!fs.existsSync(jsonPath)) {
    throw new Error(
      `loadModel: ${jsonPath} does not exist. Pass the folder written by saveModel(model, dir) (it holds ` +
        `${MODEL_JSON} and ${WEIGHTS_BIN}).`,
    );
  }
  let modelJSON: tf.io.ModelJSON;
  try {
    modelJSON = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw describeFsError(err, jsonPath);
    throw new Error(`loadModel: ${jsonPath} is not valid JSON (${err.message}); save the model again.`, { cause: err });
  }
  if (!modelJSON.modelTopology)
    throw new Error(`loadModel: ${jsonPath} has no modelTopology; is it a TF.js layers model?`);
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => readWeights(jsonPath, manifest));
}

/** An IOHandler saving to / loading from a folder (or a `model.json` path) on the local disk. */
export function fileHandler(target: string): tf.io.IOHandler {
  return {
    save: (artifacts) => saveArtifacts(target, artifacts),
    load: () => loadArtifacts(target),
  };
}

let routersRegistered = false;
/**
 * Registers the `file://` save/load routers unless a handler already exists (tfjs-node). Called by
 * `saveModel`/`loadModel` and on import; safe to call again.
 */
export function registerFileRouter(): void {
  if (routersRegistered) return;
  routersRegistered = true;
  const probe = 'file:///tmp/probe-model';
  const router = (url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? fileHandler(url) : (null as unknown as tf.io.IOHandler);
  if (tf.io.getSaveHandlers(probe).length === 0) tf.io.registerSaveRouter(router);
  if (tf.io.getLoadHandlers(probe).length === 0) tf.io.registerLoadRouter(router);
}
registerFileRouter();

/** Saves a LayersModel to a folder (`model.json` + `weights.bin`), creating it; returns the save result. */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  opts: { includeOptimizer?: boolean } = {},
): Promise<tf.io.SaveResult> {
  registerFileRouter();
  return model.save(fileHandler(dir), { includeOptimizer: opts.includeOptimizer ?? false });
}

/**
 * Loads a LayersModel saved by `saveModel` (a folder, a `model.json` path or a `file://` URL). A model with
 * custom layers needs their modules imported first (e.g. `lib/layers/frozenBatchNorm`, `lib/layers/augmentation`).
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  registerFileRouter();
  const p = stripScheme(dir);
  if (!fs.existsSync(p))
    throw new Error(`loadModel: ${p} does not exist. Pass the folder written by saveModel(model, dir).`);
  try {
    return await tf.loadLayersModel(fileHandler(p));
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const m = /Unknown (?:layer|class|constraint|initializer|regularizer)[^:]*: ?(\w+)/i.exec(msg);
    if (!m) throw err;
    throw new Error(
      `loadModel(${p}): the model uses the custom class '${m[1]}', which is not registered. Import the lib file that defines it ` +
        `before loading (lib/layers/augmentation.ts for Random* layers, lib/layers/frozenBatchNorm.ts for ` +
        `FrozenBatchNormalization).\n${msg}`,
      { cause: err },
    );
  }
}
