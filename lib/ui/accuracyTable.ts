/**
 * The lesson's comparison table: for each way of training, the training and validation accuracy at the end of
 * training, their gap (how much the model memorised), and the test accuracy — column names in the reader's
 * language. Accuracies are written with 3 decimals (1 reads "1.000", not "1").
 */
import { say, type Bilingual } from '../core/messages';
import { showTable } from './display';

/** One row: what was trained and the accuracies it reached (leave out what was not measured). */
export interface AccuracyRow {
  label: string;
  train?: number;
  validation?: number;
  test?: number;
  /** Test loss (binary cross-entropy), when it is worth comparing. */
  testLoss?: number;
  /** Training loss (with `validationLoss`: the loss gap column). */
  trainLoss?: number;
  /** Validation loss. */
  validationLoss?: number;
}

type Column =
  'label' | 'train' | 'validation' | 'gap' | 'trainLoss' | 'validationLoss' | 'lossGap' | 'test' | 'testLoss';

const COLUMNS: Record<Column, Bilingual> = {
  label: { en: 'training', ko: '학습 방법' },
  train: { en: 'train accuracy', ko: '학습 정확도' },
  validation: { en: 'validation accuracy', ko: '검증 정확도' },
  gap: { en: 'gap (train - validation)', ko: '차이 (학습 - 검증)' },
  trainLoss: { en: 'train loss', ko: '학습 손실' },
  validationLoss: { en: 'validation loss', ko: '검증 손실' },
  lossGap: { en: 'loss gap (validation - train)', ko: '손실 차이 (검증 - 학습)' },
  test: { en: 'test accuracy', ko: '테스트 정확도' },
  testLoss: { en: 'test loss', ko: '테스트 손실' },
};

/** The table's rows: column names in the reader's language, the gap computed, numbers as 3-decimal strings. */
export function accuracyTableRows(rows: AccuracyRow[], labelHeader?: string): Record<string, string>[] {
  // 0.92 - 0.92 can be -1e-17: shown as 0.000, not -0.000.
  const fixed = (v: number | undefined) => (v === undefined ? undefined : (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3));
  // Losses near 0 (0.0003 next to 0.25) are the point: 4 decimals, or exponent notation below 1e-4.
  const loss = (v: number | undefined) =>
    v === undefined ? undefined : v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(1) : v.toFixed(4);
  const diff = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : undefined);
  return rows.map((r) => {
    const cells: Record<Column, string | undefined> = {
      label: r.label,
      train: fixed(r.train),
      validation: fixed(r.validation),
      gap: fixed(diff(r.train, r.validation)),
      trainLoss: loss(r.trainLoss),
      validationLoss: loss(r.validationLoss),
      lossGap: loss(diff(r.validationLoss, r.trainLoss)),
      test: fixed(r.test),
      testLoss: fixed(r.testLoss),
    };
    const header = (k: Column) => (k === 'label' && labelHeader ? labelHeader : say(COLUMNS[k]));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(cells) as [Column, string | undefined][])
      if (v !== undefined) out[header(k)] = v;
    return out;
  });
}

/** Shows the comparison table (HTML in a notebook, text elsewhere); `labelHeader` names the first column. */
export function showAccuracyTable(rows: AccuracyRow[], opts: { caption?: string; labelHeader?: string } = {}): void {
  showTable(accuracyTableRows(rows, opts.labelHeader), { caption: opts.caption });
}
