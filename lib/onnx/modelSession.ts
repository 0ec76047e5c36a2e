/**
 * One ONNX Runtime session per model, reused: `onnxSession(model)` exports the model in memory (exportOnnx.ts)
 * the first time and keeps the session with the model; a later call gets the same one. When the model's weights
 * have changed since (training assigns new values to its variables), the old session is released and a new one
 * made, so a session never runs stale weights. `runOnnx` runs a batch and returns a TF.js tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { modelToOnnx } from './exportOnnx';
import { loadOnnxRuntime, sessionOptions } from './onnxRuntime';

/** An ONNX Runtime session of one model. */
type Session = import('onnxruntime-node').InferenceSession;

interface Entry {
  session: Promise<Session>;
  /** The weights' tensors when the session was made: the same objects as long as no weight changed. */
  weights: object[];
}

const sessions = new WeakMap<tf.LayersModel, Entry>();
let open = 0;

/** The model's current weight values (tfjs assigns a new data id to a variable each time it is written). */
function weightIds(model: tf.LayersModel): object[] {
  return model.weights.map((w) => w.read().dataId as object);
}

const same = (a: object[], b: object[]) => a.length === b.length && a.every((x, i) => x === b[i]);

async function createSession(model: tf.LayersModel): Promise<Session> {
  const ort = loadOnnxRuntime();
  const bytes = modelToOnnx(model);
  const session = await ort.InferenceSession.create(bytes, sessionOptions());
  open++;
  return session;
}

/** The model's session (made on first use, remade after its weights changed); see the file comment. */
export async function onnxSession(model: tf.LayersModel): Promise<Session> {
  const weights = weightIds(model);
  const entry = sessions.get(model);
  if (entry && same(entry.weights, weights)) return entry.session;
  if (entry) await releaseOnnxSession(model);
  const session = createSession(model);
  sessions.set(model, { session, weights });
  session.catch(() => sessions.delete(model));
  return session;
}

/** Releases the model's session, if it has one (the next `onnxSession` makes a new one). */
export async function releaseOnnxSession(model: tf.LayersModel): Promise<void> {
  const entry = sessions.get(model);
  if (!entry) return;
  sessions.delete(model);
  const session = await entry.session.catch(() => undefined);
  if (session) {
    await session.release();
    open--;
  }
}

/** How many sessions the library holds open now (for leak tests and diagnostics). */
export function openOnnxSessions(): number {
  return open;
}

/** Runs `model`'s session on a float32 batch and returns its first output as a new TF.js tensor (dispose it). */
export async function runOnnx(model: tf.LayersModel, x: tf.Tensor): Promise<tf.Tensor> {
  const ort = loadOnnxRuntime();
  const session = await onnxSession(model);
  const data = x.dtype === 'float32' ? ((await x.data()) as Float32Array) : Float32Array.from(await x.data());
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, x.shape) };
  const results = await session.run(feeds);
  const y = results[session.outputNames[0]];
  const out = tf.tensor(y.data as Float32Array, y.dims as number[], 'float32');
  for (const r of Object.values(results)) r.dispose();
  return out;
}
