/**
 * Which engine runs a frozen model in inference: TensorFlow.js (the backend the lesson started) or ONNX Runtime
 * (the model exported in memory, lib/onnx/modelSession.ts). `engine: 'auto' | 'tfjs' | 'onnxruntime'` as an option,
 * else `LESSON_ENGINE`, else 'auto': ONNX Runtime when it loads and the TF.js backend is a CPU one (cpu, wasm,
 * tensorflow), TensorFlow.js otherwise. The choice says why, for the banner and progress lines; `auto` falls back
 * to TensorFlow.js (naming the reason) where ONNX Runtime cannot load or cannot express the model.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { envValue } from '../core/config';
import { say } from '../core/messages';
import { onnxSession, runOnnx } from './modelSession';
import { tryLoadOnnxRuntime } from './onnxRuntime';

/** The engine names an option or LESSON_ENGINE takes. */
export const ENGINES = ['auto', 'tfjs', 'onnxruntime'] as const;
/** An engine name. */
export type EngineName = (typeof ENGINES)[number];

/** The engine that runs, and why. */
export interface EngineChoice {
  engine: 'tfjs' | 'onnxruntime';
  reason: string;
}

/** TF.js backends that compute on the CPU (ONNX Runtime's CPU provider is faster there). */
const CPU_BACKENDS = ['cpu', 'wasm', 'tensorflow'];

/** The engine asked for: `requested`, else LESSON_ENGINE, else 'auto'; an unknown name is an error listing them. */
export function requestedEngine(requested?: string): EngineName {
  const name = (requested ?? envValue('LESSON_ENGINE') ?? 'auto').toLowerCase();
  if ((ENGINES as readonly string[]).includes(name)) return name as EngineName;
  const from = requested === undefined ? `LESSON_ENGINE=${name}` : `engine '${requested}'`;
  throw new ArgumentError({
    en: `${from} does not exist: use one of ${ENGINES.join(', ')}.`,
    ko: `${from}는 없는 엔진입니다: ${ENGINES.join(', ')} 중 하나를 쓰세요.`,
  });
}

/** Picks the engine (see the file comment); `onnxruntime` asked for but not loadable is an error. */
export function chooseEngine(requested?: string): EngineChoice {
  const name = requestedEngine(requested);
  if (name === 'tfjs') return { engine: 'tfjs', reason: say({ en: 'asked for', ko: '지정됨' }) };
  const { ort, error } = tryLoadOnnxRuntime();
  if (name === 'onnxruntime') {
    if (!ort) throw new Error(`engine 'onnxruntime': ${error}. Use engine 'tfjs' (LESSON_ENGINE=tfjs) meanwhile.`);
    return { engine: 'onnxruntime', reason: say({ en: 'asked for', ko: '지정됨' }) };
  }
  const backend = tf.getBackend();
  if (!CPU_BACKENDS.includes(backend))
    return {
      engine: 'tfjs',
      reason: say({ en: `auto: backend ${backend} is not a CPU one`, ko: `auto: ${backend} 백엔드는 CPU 가 아님` }),
    };
  if (!ort) return { engine: 'tfjs', reason: `auto: ${error}` };
  return {
    engine: 'onnxruntime',
    reason: say({
      en: `auto: backend ${backend} is a CPU one and ONNX Runtime loaded`,
      ko: `auto: ${backend} 백엔드(CPU), ONNX Runtime 사용 가능`,
    }),
  };
}

/** The engine's name as a person reads it. */
export function engineLabel(choice: EngineChoice): string {
  return choice.engine === 'onnxruntime' ? 'ONNX Runtime' : `TensorFlow.js (${tf.getBackend()})`;
}

/** Something that runs one model in inference on a batch (the caller disposes what it returns). */
export interface ModelRunner extends EngineChoice {
  run(x: tf.Tensor): Promise<tf.Tensor>;
}

/**
 * A runner of `model` on the chosen engine. With ONNX Runtime its session is made now (once per model); under
 * `auto`, a model that does not export (a layer with no ONNX form) or a session that fails falls back to TF.js,
 * with the reason; asked for by name, that is an error.
 */
export async function modelRunner(model: tf.LayersModel, requested?: string): Promise<ModelRunner> {
  const tfjs = (choice: EngineChoice): ModelRunner => ({
    ...choice,
    run: async (x) => tf.tidy(() => model.predict(x, { batchSize: x.shape[0] }) as tf.Tensor),
  });
  const choice = chooseEngine(requested);
  if (choice.engine === 'tfjs') return tfjs(choice);
  try {
    await onnxSession(model);
  } catch (err) {
    if (requestedEngine(requested) === 'onnxruntime') throw err;
    return tfjs({ engine: 'tfjs', reason: `auto: ${(err as Error).message.split('\n')[0]}` });
  }
  return { ...choice, run: (x) => runOnnx(model, x) };
}
