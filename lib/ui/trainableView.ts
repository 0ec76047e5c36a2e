/**
 * Shows what trains (lib/training/trainableSummary.ts's numbers): a one-line sentence and a per-layer table,
 * in the reader's language.
 */
import type * as tf from '@tensorflow/tfjs';
import { say, type Bilingual } from '../core/messages';
import { messageLanguage } from '../core/runtime';
import type { FineTuneStrategy } from '../training/finetune';
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
  return s.rows.map((r) =>
    ko
      ? {
          층: r.layer,
          종류: r.type,
          파라미터: r.params,
          '학습 가능 파라미터': r.trainableParams,
          학습: TRAINABLE_KO[r.trainable],
        }
      : {
          layer: r.layer,
          type: r.type,
          params: r.params,
          'trainable params': r.trainableParams,
          trainable: r.trainable,
        },
  );
}

/**
 * Shows the counts of `model` as a sentence and (with `layers`, the default) the per-layer table. Returns nothing,
 * so a notebook cell that ends with it prints no value (the numbers: `trainableSummary`).
 */
export function showTrainableSummary(model: tf.LayersModel, opts: { layers?: boolean } = {}): void {
  const s = trainableSummary(model);
  const caption = `${model.name}: ${describeTrainable(s)}`;
  if (opts.layers ?? true) showTable(trainableTableRows(s), { caption });
  else console.log(caption);
}

/** The lesson's name of a fine-tuning strategy, numbered as in the lesson ('2. 위쪽 일부만 학습 (conv_dw_12부터)'). */
export function strategyLabel(strategy: FineTuneStrategy, from?: string): string {
  const names: Record<FineTuneStrategy, Bilingual> = {
    all: { en: '1. train everything', ko: '1. 전체 학습' },
    top: {
      en: `2. train the top${from ? ` (from ${from})` : ''}`,
      ko: `2. 위쪽 일부만 학습${from ? ` (${from}부터)` : ''}`,
    },
    classifier: { en: '3. train the classifier only', ko: '3. 분류기만 학습' },
  };
  return say(names[strategy]);
}

/**
 * Shows several states of one model side by side (before/after freezing, the fine-tuning strategies): trainable
 * and non-trainable parameters, the trainable share and the number of trainable weight tensors.
 */
export function showTrainableComparison(
  rows: { label: string; summary: TrainableSummary }[],
  opts: { caption?: string } = {},
): void {
  const ko = messageLanguage() === 'ko';
  showTable(
    rows.map(({ label, summary: s }) => {
      const share = `${((100 * s.trainableParams) / Math.max(1, s.totalParams)).toFixed(1)}%`;
      return ko
        ? {
            상태: label,
            '학습 가능 파라미터': s.trainableParams,
            '학습 불가 파라미터': s.nonTrainableParams,
            '학습 가능 비율': share,
            '학습 가능한 가중치 텐서': s.trainableWeights,
          }
        : {
            state: label,
            'trainable params': s.trainableParams,
            'non-trainable params': s.nonTrainableParams,
            'trainable share': share,
            'trainable weight tensors': s.trainableWeights,
          };
    }),
    opts,
  );
}
