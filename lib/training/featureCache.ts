/**
 * The cache of `extractFeatures`: a folder with `features.npy`, `labels.npy` and `features.json`, the key that
 * says what the features were computed from (base, weights, input/output shapes, preprocessing, files). A cache
 * is used only when every field of its key matches; otherwise the caller learns which fields changed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/atomicFile';
import { encodeNpy, loadNpy } from '../io/npy';

/** What a dataset may tell about itself (as `ImageDataset` does); the key uses what is there. */
export interface DatasetFacts {
  size?: number;
  filePaths?: string[];
  labels?: number[];
}

/** How the images were preprocessed before the base: a function and/or its name. */
export interface PreprocessFacts {
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** A name for `preprocess`, stored in the key (functions cannot be compared). */
  preprocessName?: string;
}

/** The key stored next to cached features; a cache is used only when all fields match. */
export interface FeatureCacheKey {
  version: 1;
  baseName: string;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  paramCount: number;
  weightsFingerprint: string;
  preprocess: string;
  count: number | null;
  filesHash: string | null;
}

/** A hash of the first and last two weights (names, shapes, first 4 kB of values): other weights, other key. */
async function weightsFingerprint(model: tf.LayersModel): Promise<string> {
  const h = crypto.createHash('sha1');
  const ws = model.weights;
  for (const w of ws.slice(0, 2).concat(ws.slice(-2))) {
    const v = w.read();
    // Read asynchronously: on webgpu Node has no synchronous GPU read.
    const d = (await v.data()) as Float32Array;
    h.update(w.name).update(String(v.shape));
    h.update(Buffer.from(d.buffer, d.byteOffset, Math.min(d.byteLength, 4096)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Size and modification time of a file, or null when it does not exist (other errors are thrown). */
function fileStamp(file: string): [number, number] | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? [st.size, Math.round(st.mtimeMs)] : null;
}

/** Computes the cache key of a base + dataset + preprocessing. */
export async function featureCacheKey(
  convBase: tf.LayersModel,
  data: DatasetFacts,
  opts: PreprocessFacts = {},
): Promise<FeatureCacheKey> {
  const files = data.filePaths;
  return {
    version: 1,
    baseName: convBase.name,
    inputShape: (convBase.inputs[0].shape as (number | null)[]).slice(),
    outputShape: (convBase.outputs[0].shape as (number | null)[]).slice(),
    paramCount: convBase.countParams(),
    weightsFingerprint: await weightsFingerprint(convBase),
    preprocess: opts.preprocessName ?? (opts.preprocess ? opts.preprocess.name || 'anonymous function' : 'none'),
    count: data.size ?? null,
    // Names, labels, and each file's size and modification time: a regenerated image invalidates the cache.
    filesHash: files
      ? crypto
          .createHash('sha1')
          .update(JSON.stringify([files, data.labels ?? null, files.map(fileStamp)]))
          .digest('hex')
      : null,
  };
}

/** Lists the fields where two keys differ (empty = same). */
export function diffCacheKeys(a: FeatureCacheKey, b: FeatureCacheKey): string[] {
  return (Object.keys(a) as (keyof FeatureCacheKey)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

const files = (dir: string) => ({
  key: path.join(dir, 'features.json'),
  features: path.join(dir, 'features.npy'),
  labels: path.join(dir, 'labels.npy'),
});

/** A stored key, or undefined when `features.json` is not valid JSON (e.g. cut short); read errors are thrown. */
function readKey(file: string): FeatureCacheKey | undefined {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as FeatureCacheKey;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** What `readFeatureCache` found: the cached tensors (the caller owns them), or why the cache is not used. */
export type CacheLookup =
  | { status: 'hit'; features: tf.Tensor; labels: tf.Tensor }
  | { status: 'missing' }
  | { status: 'stale'; changed: string[] };

/** Loads the cache in `dir` when its key equals `key`. */
export function readFeatureCache(dir: string, key: FeatureCacheKey): CacheLookup {
  const f = files(dir);
  if (![f.key, f.features, f.labels].every((p) => fs.existsSync(p))) return { status: 'missing' };
  const stored = readKey(f.key);
  const changed = stored ? diffCacheKeys(key, stored) : ['features.json unreadable'];
  if (changed.length > 0) return { status: 'stale', changed };
  return { status: 'hit', features: loadNpy(f.features), labels: loadNpy(f.labels) };
}

/**
 * Writes the cache: each file atomically, the key last (and the old key removed first), so an interrupted write
 * leaves no valid-looking cache.
 */
export async function writeFeatureCache(
  dir: string,
  key: FeatureCacheKey,
  features: tf.Tensor,
  labels: tf.Tensor,
): Promise<void> {
  const f = files(dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(f.key, { force: true });
  await writeFileAtomic(f.features, encodeNpy(features));
  await writeFileAtomic(f.labels, encodeNpy(labels));
  await writeFileAtomic(f.key, JSON.stringify(key, null, 2));
}
