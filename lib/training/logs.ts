/**
 * Training logs as plain numbers, with Keras metric names: tfjs logs `acc`/`val_acc` where Keras says
 * `accuracy`/`val_accuracy`; everything here accepts both, so callbacks and notebooks can use either.
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';

/** The logs tfjs hands to callbacks (numbers, or scalars still on the backend). */
export type Logs = Record<string, number | tf.Tensor | undefined>;

/** Logs with tensors read out as numbers (entries that are neither are left out). */
export async function logNumbers(logs?: Logs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out[k] = v;
    else if (v instanceof tf.Tensor) out[k] = (await v.data())[0] as number;
  }
  return out;
}

/** The other spelling of a metric name: `val_accuracy` ↔ `val_acc` (the name itself when it has none). */
function aliasOf(name: string): string {
  if (/accuracy$/.test(name)) return name.replace(/accuracy$/, 'acc');
  return name.replace(/acc$/, 'accuracy');
}

/** The value of `monitor` in the logs, accepting Keras (`val_accuracy`) and tfjs (`val_acc`) names. */
export function monitorValue(logs: Record<string, number>, monitor: string): number | undefined {
  return logs[monitor] ?? logs[aliasOf(monitor)];
}

/** A History as `model.fit` returns it, or its `history` record. */
export type HistoryLike =
  { history: Record<string, (number | tf.Tensor)[]>; epoch?: number[] } | Record<string, (number | tf.Tensor)[]>;

/**
 * The history as plain numbers with Keras metric names: tfjs's `acc`/`val_acc` also appear as
 * `accuracy`/`val_accuracy` (and the other way round), so notebooks can use either.
 */
export function historyRecord(h: HistoryLike): Record<string, number[]> {
  const rec = (('history' in h && !Array.isArray(h.history) ? h.history : h) ?? {}) as Record<
    string,
    (number | tf.Tensor)[]
  >;
  const out: Record<string, number[]> = {};
  for (const [k, vs] of Object.entries(rec))
    out[k] = vs.map((v) => (typeof v === 'number' ? v : (v.dataSync()[0] as number)));
  for (const [a, b] of [
    ['acc', 'accuracy'],
    ['val_acc', 'val_accuracy'],
  ]) {
    if (out[a] && !out[b]) out[b] = out[a];
    else if (out[b] && !out[a]) out[a] = out[b];
  }
  return out;
}

/** Accuracy on the training and validation data at the end of training, and how far apart they are. */
export interface AccuracyGap {
  /** Training accuracy of the last epoch (measured during the epoch: dropout and augmentation active). */
  train: number;
  /** Validation accuracy of the last epoch. */
  validation: number;
  /** `train - validation`: large when the model memorises the training data (overfitting). */
  gap: number;
}

/** The last epoch's training and validation accuracy and their gap; throws when the history lacks either. */
export function accuracyGap(history: HistoryLike): AccuracyGap {
  const h = historyRecord(history);
  const last = (k: string) => h[k]?.[h[k].length - 1];
  const train = last('accuracy');
  const validation = last('val_accuracy');
  if (train === undefined || validation === undefined) {
    throw new Error(
      `accuracyGap: the history has no accuracy and val_accuracy (it has: ` +
        `${Object.keys(h).join(', ') || 'nothing'}); compile with metrics: ['accuracy'] and pass validationData.`,
    );
  }
  return { train, validation, gap: train - validation };
}

/** Two trainings one after the other as one history (each metric's epochs of `first`, then of `second`). */
export function joinHistories(first: HistoryLike, second: HistoryLike): Record<string, number[]> {
  const a = historyRecord(first);
  const b = historyRecord(second);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return Object.fromEntries(keys.map((k) => [k, [...(a[k] ?? []), ...(b[k] ?? [])]]));
}

/** Korean names of the usual metric keys (a `val_` prefix adds 검증); other keys are shown as they are. */
const KOREAN_METRICS: Record<string, string> = { loss: '손실', acc: '정확도', accuracy: '정확도' };

/** A metric key as a learner reads it: `val_acc` -> '검증 정확도' in a notebook, the key itself elsewhere. */
export function metricLabel(key: string): string {
  const val = key.startsWith('val_');
  const name = KOREAN_METRICS[val ? key.slice(4) : key] ?? (val ? key.slice(4) : key);
  return say({ en: key, ko: val ? `검증 ${name}` : name });
}
