/**
 * `file://` save and load for TF.js LayersModels without tfjs-node: `model.json` + `weights.bin` in the
 * TF.js layers format (readable by `tf.loadLayersModel` and tensorflowjs_converter). Files are written to temp
 * names and renamed. The `file://` router is registered only when no other handler exists (tfjs-node brings
 * its own), so `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` work everywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function stripScheme(url: string): string {
  return url.startsWith('file://') ? url.slice('file://'.length) : url;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** An IOHandler saving to / loading from a folder (or a `model.json` path) on the local disk. */
export function fileHandler(target: string): tf.io.IOHandler {
  const p = stripScheme(target);
  const isJson = p.endsWith('.json');
  const dir = isJson ? path.dirname(p) : p;
  const jsonPath = isJson ? p : path.join(dir, MODEL_JSON);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`saveModel(${dir}): binary model topologies are not supported; save a LayersModel.`);
      }
      fs.mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array(0);
      const weightsName = isJson ? `${path.basename(p, '.json')}.weights.bin` : WEIGHTS_BIN;
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
      writeAtomic(path.join(dir, weightsName), weights);
      const json = JSON.stringify(modelJSON);
      writeAtomic(jsonPath, json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJSON.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(modelJSON.weightsManifest)),
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!fs.existsSync(jsonPath)) {
        throw new Error(`loadModel: ${jsonPath} does not exist. Pass the folder written by saveModel(model, dir) (it holds ${MODEL_JSON} and ${WEIGHTS_BIN}).`);
      }
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      } catch (err) {
        throw new Error(`loadModel: ${jsonPath} is not valid JSON (${(err as Error).message}); save the model again.`);
      }
      if (!modelJSON.modelTopology) throw new Error(`loadModel: ${jsonPath} has no modelTopology; is it a TF.js layers model?`);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const rel of group.paths) {
            const f = path.join(path.dirname(jsonPath), rel);
            if (!fs.existsSync(f)) throw new Error(`loadModel: weight file ${f} named in ${jsonPath} is missing; save the model again.`);
            const b = fs.readFileSync(f);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
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
  if (tf.io.getSaveHandlers(probe).length === 0) {
    tf.io.registerSaveRouter((url: string | string[]) => (typeof url === 'string' && url.startsWith('file://') ? fileHandler(url) : (null as unknown as tf.io.IOHandler)));
  }
  if (tf.io.getLoadHandlers(probe).length === 0) {
    tf.io.registerLoadRouter((url: string | string[]) => (typeof url === 'string' && url.startsWith('file://') ? fileHandler(url) : (null as unknown as tf.io.IOHandler)));
  }
}
registerFileRouter();

/** Files whose import registers custom layer classes used by the lesson's models (tried by `registerCustomLayers`). */
const CUSTOM_LAYER_MODULES = ['../layers/augmentation', '../layers/frozenBatchNorm'];

/**
 * Imports the lib files that define custom layers (augmentation layers, frozen BatchNormalization) so their
 * classes are registered before a model is loaded. Returns the modules that loaded; missing ones are skipped.
 */
export function registerCustomLayers(): string[] {
  const loaded: string[] = [];
  for (const m of CUSTOM_LAYER_MODULES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require(m);
      loaded.push(m);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'MODULE_NOT_FOUND' || !String((err as Error).message).includes(m.split('/').pop() as string)) throw err;
    }
  }
  return loaded;
}

/** Saves a LayersModel to a folder (`model.json` + `weights.bin`), creating it; returns the save result. */
export async function saveModel(model: tf.LayersModel, dir: string, opts: { includeOptimizer?: boolean } = {}): Promise<tf.io.SaveResult> {
  registerFileRouter();
  return model.save(fileHandler(dir), { includeOptimizer: opts.includeOptimizer ?? false });
}

/** Loads a LayersModel saved by `saveModel` (a folder, a `model.json` path or a `file://` URL). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  registerFileRouter();
  registerCustomLayers();
  const p = stripScheme(dir);
  if (!fs.existsSync(p)) throw new Error(`loadModel: ${p} does not exist. Pass the folder written by saveModel(model, dir).`);
  try {
    return await tf.loadLayersModel(fileHandler(p));
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const m = /Unknown (?:layer|class|constraint|initializer|regularizer)[^:]*: ?(\w+)/i.exec(msg);
    if (m) {
      throw new Error(`loadModel(${p}): the model uses the custom class '${m[1]}', which is not registered. Import the lib file that defines it (e.g. lib/augmentation.ts, lib/frozenBatchNorm.ts) before loading.\n${msg}`);
    }
    throw err;
  }
}
