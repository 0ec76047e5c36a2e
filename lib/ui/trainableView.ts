/**
 * Shows what trains (lib/training/trainableSummary.ts's numbers): a one-line sentence and a per-layer table,
 * in the reader's language.
 */
import type * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { messageLanguage } from '../core/runtime';
import { trainableSummary, type TrainableRow, type TrainableSummary } from '../training/trainableSummary';
import { showTable } from './display';

/** "trainable 2,097,665 / non-trainable 14,714,688 / total 16,812,353 parameters (4 trainable weight tensors)". */
export function describeTrainable(s: TrainableSummary): string {
  const [t, n, all] = [s.trainableParams, s.nonTrainableParams, s.totalParams].map((v) => v.toLocaleString('en-US'));
  return say({
    en: `trainable ${t} / non-trainable ${n} / total ${all} parameters (${s.trainableWeights} trainable weight tensors)`,
    ko: `학습 가능 ${t} / 학습 불가 ${n} / 전체 ${all} 파라미터 (학습 가능한 가중치 텐서 ${s.trainableWeights}개)`,
  });
}

const TRAINABLE_KO: Record<TrainableRow['trainable'], string> = { yes: '예', no: '아니오', partly: '일부', '-': '-' };

/** The per-layer rows with column names (and yes/no) in the reader's language, for `showTable`. */
export function trainableTableRows(s: TrainableSummary): Record<string, unknown>[] {
  const ko = messageLanguage() === 'ko';
  return s.rows.map((r) => (ko
    ? { 층: r.layer, 종류: r.type, 파라미터: r.params, '학습 가능 파라미터': r.trainableParams, 학습: TRAINABLE_KO[r.trainable] }
    : { layer: r.layer, type: r.type, params: r.params, 'trainable params': r.trainableParams, trainable: r.trainable }));
}

/** Shows the counts of `model` as a sentence and (with `layers`, the default) the per-layer table; returns them. */
export function showTrainableSummary(model: tf.LayersModel, opts: { layers?: boolean } = {}): TrainableSummary {
  const s = trainableSummary(model);
  const caption = `${model.name}: ${describeTrainable(s)}`;
  if (opts.layers ?? true) showTable(trainableTableRows(s), { caption });
  else console.log(caption);
  return s;
}
