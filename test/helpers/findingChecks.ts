/**
 * Issue 19 item 2: the sentences a notebook builds from its run (lib/lesson/findings.ts) are checked against the
 * numbers the same run printed elsewhere: its epoch lines, its tables, its evaluation.
 */
import assert from 'node:assert/strict';
import { num } from './notebookOutputs';

/** One epoch as its Keras-style line printed it. */
export interface EpochLog {
  epoch: number;
  seconds: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
}

const V = '([\\d.]+(?:e[-+]\\d+)?)';
const LINE = new RegExp(
  `에포크 (\\d+)/\\d+ · ${V}초 · 손실 ${V} · 정확도 ${V} · 검증 손실 ${V} · 검증 정확도 ${V}`,
  'g',
);

/** Every epoch line in the printed text, one per epoch (the last printing of each), in epoch order. */
export function epochLogs(text: string): EpochLog[] {
  const byEpoch = new Map<number, EpochLog>();
  for (const m of text.matchAll(LINE)) {
    const [epoch, seconds, loss, acc, valLoss, valAcc] = m.slice(1).map(Number);
    byEpoch.set(epoch, { epoch, seconds, loss, acc, valLoss, valAcc });
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A table row of means (학습/검증 정확도, 학습/검증 손실) is the mean of those epochs' printed values. */
export function checkLastEpochMeans(row: Record<string, string>, last: EpochLog[]): void {
  const near = (shown: string, v: number, what: string) =>
    assert.ok(Math.abs(num(shown) - v) <= 1.5e-3 + 1e-4 * Math.abs(v), `${what}: table ${shown}, epochs' mean ${v}`);
  near(row['학습 정확도'], mean(last.map((e) => e.acc)), 'train accuracy');
  near(row['검증 정확도'], mean(last.map((e) => e.valAcc)), 'validation accuracy');
  near(row['학습 손실'], mean(last.map((e) => e.loss)), 'train loss');
  near(row['검증 손실'], mean(last.map((e) => e.valLoss)), 'validation loss');
  near(row['손실 차이 (검증 - 학습)'], num(row['검증 손실']) - num(row['학습 손실']), 'loss gap');
}

/** 05's sentence repeats the table's accuracies, gap and losses. */
export function checkOverfittingSentence(md: string, row: Record<string, string>): void {
  const m = /학습 정확도 ([\d.]+), 검증 정확도 ([\d.]+), 차이 (-?\d+\.\d+)/.exec(md);
  assert.ok(m, `the sentence gives the accuracies: ${md}`);
  assert.deepEqual(m.slice(1), [row['학습 정확도'], row['검증 정확도'], row['차이 (학습 - 검증)']]);
  const loss = /손실은 학습 ([\d.e-]+), 검증 ([\d.e-]+)/.exec(md);
  assert.ok(loss, `the sentence gives the losses: ${md}`);
  assert.deepEqual(loss.slice(1), [row['학습 손실'], row['검증 손실']]);
  // Its reading follows the numbers: a validation loss 3x the training loss or more is called overfitting.
  const ratio = num(row['검증 손실']) / num(row['학습 손실']);
  assert.equal(/과대적합의 신호/.test(md), ratio >= 3, `ratio ${ratio}: ${md}`);
}

/** The test-accuracy sentence gives the evaluated accuracy, one photo's share and the 95 % interval for it. */
export function checkTestSentence(md: string, accuracy: number, n: number): void {
  const m =
    /테스트 정확도는 (\d+\.\d+)입니다\.\*\* 테스트 사진이 (\d+)장이라 사진 한 장이 ([\d.]+)입니다\..*±([\d.]+)/.exec(
      md,
    );
  assert.ok(m, `the test sentence: ${md}`);
  assert.ok(Math.abs(num(m[1]) - accuracy) < 1e-3, `sentence ${m[1]} vs evaluation ${accuracy}`);
  assert.equal(num(m[2]), n);
  assert.equal(num(m[3]), 1 / n);
  const margin = Math.max(1 / n, 1.96 * Math.sqrt((accuracy * (1 - accuracy)) / n));
  assert.ok(Math.abs(num(m[4]) - margin) <= 0.006, `interval ±${m[4]} vs ${margin}`);
}

/** The epoch-time sentence gives the range and mean of the seconds the epoch lines printed. */
export function checkEpochTimeSentence(md: string, epochs: EpochLog[]): void {
  const m = /에포크 하나에 ([\d.]+)(?:~([\d.]+))?초\(평균 ([\d.]+)초\) 걸렸습니다 \((\d+) 에포크\)/.exec(md);
  assert.ok(m, `the epoch-time sentence: ${md}`);
  const secs = epochs.map((e) => e.seconds);
  assert.equal(num(m[4]), epochs.length);
  // The lines print 0.1 s; the sentence rounds the exact seconds: allow one step either way.
  assert.ok(Math.abs(num(m[1]) - Math.min(...secs)) <= 0.1 + 1e-9, `min ${m[1]} vs ${Math.min(...secs)}`);
  assert.ok(Math.abs(num(m[2] ?? m[1]) - Math.max(...secs)) <= 0.1 + 1e-9, `max ${m[2]} vs ${Math.max(...secs)}`);
  assert.ok(Math.abs(num(m[3]) - mean(secs)) <= 0.1 + 1e-9, `mean ${m[3]} vs ${mean(secs)}`);
}
