/**
 * Fast feature extraction (Keras lesson: "feature extraction without data augmentation"): run a frozen
 * convolutional base once over a dataset, keep its outputs, and train a small classifier on them.
 * Batches are processed one at a time (bounded memory), with a progress line, and the result can be cached
 * as `.npy` files that a second run loads instead of recomputing; the cache is validated so a stale one
 * (other base, other files, other preprocessing) is recomputed, with a message saying why.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadNpy, saveNpy } from '../io/npy';

/** What `extractFeatures` reads: batches plus optional dataset facts (as `ImageDataset` has them). */
export type FeatureBatches = AsyncIterable<{ xs: tf.Tensor4D; ys: tf.Tensor }> & {
  size?: number;
  numBatches?: number;
  filePaths?: string[];
  labels?: number[];
};

/** Options of `extractFeatures`. */
export interface ExtractOptions {
  /** Applied to each batch before the base (e.g. ImageNet `preprocessInput`). */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** A name for `preprocess`, stored in the cache key (functions cannot be compared). */
  preprocessName?: string;
  /** No progress output (also `LESSON_QUIET=1`). */
  quiet?: boolean;
  /** Folder for `features.npy`, `labels.npy` and `features.json` (the key). */
  cache?: string;
  /** Dispose each batch's tensors after use (default true: streaming datasets hand out fresh tensors). */
  disposeBatches?: boolean;
  /** Label shown in the progress line. */
  label?: string;
}

/** Result of `extractFeatures`. The caller owns (and disposes) both tensors. */
export interface ExtractResult {
  features: tf.Tensor;
  labels: tf.Tensor;
  fromCache: boolean;
  seconds: number;
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

/** True when progress output is off (option or `LESSON_QUIET=1`). */
export function isQuiet(quiet?: boolean): boolean {
  if (quiet !== undefined) return quiet;
  const v = process.env.LESSON_QUIET;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** A progress line: `label [#####.....] 12/63 batches, 384 images, 3.1 s` (a bar when the total is known). */
export function progressLine(label: string, done: number, total: number | undefined, items: number, seconds: number): string {
  const width = 24;
  const bar = total ? `[${'#'.repeat(Math.round((width * done) / total)).padEnd(width, '.')}] ` : '';
  return `${label} ${bar}${done}${total ? `/${total}` : ''} batches, ${items} images, ${seconds.toFixed(1)} s`;
}

function weightsFingerprint(model: tf.LayersModel): string {
  const h = crypto.createHash('sha1');
  const ws = model.weights;
  for (const w of ws.slice(0, 2).concat(ws.slice(-2))) {
    const v = w.read();
    const d = v.dataSync() as Float32Array;
    h.update(w.name).update(String(v.shape));
    h.update(Buffer.from(d.buffer, d.byteOffset, Math.min(d.byteLength, 4096)));
  }
  return h.digest('hex').slice(0, 16);
}

function fileStamp(file: string): [number, number] | null {
  try {
    const st = fs.statSync(file);
    return [st.size, Math.round(st.mtimeMs)];
  } catch {
    return null;
  }
}

/** Computes the cache key of a base + dataset + preprocessing. */
export function featureCacheKey(convBase: tf.LayersModel, batches: FeatureBatches, opts: ExtractOptions = {}): FeatureCacheKey {
  const files = batches.filePaths;
  return {
    version: 1,
    baseName: convBase.name,
    inputShape: (convBase.inputs[0].shape as (number | null)[]).slice(),
    outputShape: (convBase.outputs[0].shape as (number | null)[]).slice(),
    paramCount: convBase.countParams(),
    weightsFingerprint: weightsFingerprint(convBase),
    preprocess: opts.preprocessName ?? (opts.preprocess ? opts.preprocess.name || 'anonymous function' : 'none'),
    count: batches.size ?? null,
    // Names, labels, and each file's size and modification time: a regenerated image invalidates the cache.
    filesHash: files
      ? crypto
          .createHash('sha1')
          .update(JSON.stringify([files, batches.labels ?? null, files.map(fileStamp)]))
          .digest('hex')
      : null,
  };
}

/** Lists the fields where two keys differ (empty = same). */
export function diffCacheKeys(a: FeatureCacheKey, b: FeatureCacheKey): string[] {
  return (Object.keys(a) as (keyof FeatureCacheKey)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

class Progress {
  private readonly start = Date.now();
  private lastDraw = 0;
  constructor(private readonly label: string, private readonly quiet: boolean, private readonly total?: number) {}
  seconds(): number {
    return (Date.now() - this.start) / 1000;
  }
  update(done: number, items: number, final = false): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!final && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const line = progressLine(this.label, done, this.total, items, this.seconds());
    process.stdout.write(`\r${line}${final ? '\n' : ''}`);
  }
}

/**
 * Runs `convBase` over every batch and returns all features (first axis = images) and labels.
 * Memory stays bounded: each batch's output is copied out and its tensors disposed.
 * With `cache`, a second run with the same key loads the `.npy` files instead (`fromCache: true`).
 */
export async function extractFeatures(convBase: tf.LayersModel, batches: FeatureBatches, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const quiet = isQuiet(opts.quiet);
  const t0 = Date.now();
  const label = opts.label ?? 'extractFeatures';
  let key: FeatureCacheKey | undefined;
  if (opts.cache) {
    key = featureCacheKey(convBase, batches, opts);
    const keyFile = path.join(opts.cache, 'features.json');
    const fFile = path.join(opts.cache, 'features.npy');
    const lFile = path.join(opts.cache, 'labels.npy');
    if (fs.existsSync(keyFile) && fs.existsSync(fFile) && fs.existsSync(lFile)) {
      let stored: FeatureCacheKey | undefined;
      try {
        stored = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
      } catch {
        stored = undefined;
      }
      const diff = stored ? diffCacheKeys(key, stored) : ['features.json unreadable'];
      if (diff.length === 0) {
        const features = loadNpy(fFile);
        const labels = loadNpy(lFile);
        if (!quiet) console.log(`${label}: loaded ${features.shape[0]} cached feature vectors [${features.shape.slice(1)}] from ${opts.cache}`);
        return { features, labels, fromCache: true, seconds: (Date.now() - t0) / 1000 };
      }
      if (!quiet) console.log(`${label}: the cache in ${opts.cache} is stale (${diff.join(', ')} changed); recomputing.`);
    }
  }

  const progress = new Progress(label, quiet, batches.numBatches);
  const featChunks: Float32Array[] = [];
  const labelChunks: (Float32Array | Int32Array | Uint8Array)[] = [];
  let featShape: number[] | undefined;
  let labelShape: number[] | undefined;
  let labelDtype: tf.DataType = 'float32';
  let count = 0;
  let done = 0;
  const dispose = opts.disposeBatches ?? true;
  for await (const batch of batches) {
    const { xs, ys } = batch;
    const out = tf.tidy(() => {
      const x = opts.preprocess ? opts.preprocess(xs) : xs;
      return convBase.predict(x, { batchSize: xs.shape[0] }) as tf.Tensor;
    });
    featChunks.push((await out.data()) as Float32Array);
    featShape = out.shape.slice(1);
    out.dispose();
    labelChunks.push((await ys.data()) as Float32Array | Int32Array | Uint8Array);
    labelShape = ys.shape.slice(1);
    labelDtype = ys.dtype;
    count += xs.shape[0];
    if (dispose) tf.dispose([xs, ys]);
    done++;
    progress.update(done, count);
  }
  if (!featShape || !labelShape) throw new Error(`${label}: the dataset produced no batches; check the folder and the batch size.`);
  progress.update(done, count, true);

  const features = tf.tensor(concat(featChunks, Float32Array) as Float32Array, [count, ...featShape]);
  const labelCtor = labelDtype === 'int32' ? Int32Array : labelDtype === 'bool' ? Uint8Array : Float32Array;
  const labels = tf.tensor(concat(labelChunks, labelCtor), [count, ...labelShape], labelDtype);

  if (opts.cache && key) {
    fs.mkdirSync(opts.cache, { recursive: true });
    // Remove the old key first so an interrupted write leaves no valid-looking cache.
    fs.rmSync(path.join(opts.cache, 'features.json'), { force: true });
    await saveNpy(path.join(opts.cache, 'features.npy'), features);
    await saveNpy(path.join(opts.cache, 'labels.npy'), labels);
    const keyFile = path.join(opts.cache, 'features.json');
    fs.writeFileSync(`${keyFile}.tmp`, JSON.stringify(key, null, 2));
    fs.renameSync(`${keyFile}.tmp`, keyFile);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (!quiet) console.log(`${label}: ${count} images -> features [${features.shape.slice(1)}] in ${seconds.toFixed(1)} s`);
  return { features, labels, fromCache: false, seconds };
}

function concat(chunks: ArrayLike<number>[], ctor: { new (n: number): Float32Array | Int32Array | Uint8Array }): Float32Array | Int32Array | Uint8Array {
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const out = new ctor(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
