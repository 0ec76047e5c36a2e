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
}

const COLUMNS: Record<'label' | 'train' | 'validation' | 'gap' | 'test' | 'testLoss', Bilingual> = {
  label: { en: 'training', ko: '학습 방법' },
  train: { en: 'train accuracy', ko: '학습 정확도' },
  validation: { en: 'validation accuracy', ko: '검증 정확도' },
  gap: { en: 'gap (train - validation)', ko: '차이 (학습 - 검증)' },
  test: { en: 'test accuracy', ko: '테스트 정확도' },
  testLoss: { en: 'test loss', ko: '테스트 손실' },
};

/** The table's rows: column names in the reader's language, the gap computed, numbers as 3-decimal strings. */
export function accuracyTableRows(rows: AccuracyRow[], labelHeader?: string): Record<string, string>[] {
  // 0.92 - 0.92 can be -1e-17: shown as 0.000, not -0.000.
  const fixed = (v: number | undefined) => (v === undefined ? undefined : (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3));
  return rows.map((r) => {
    const gap = r.train !== undefined && r.validation !== undefined ? r.train - r.validation : undefined;
    const cells = {
      label: r.label,
      train: fixed(r.train),
      validation: fixed(r.validation),
      gap: fixed(gap),
      test: fixed(r.test),
      testLoss: fixed(r.testLoss),
    };
    const header = (k: keyof typeof COLUMNS) => (k === 'label' && labelHeader ? labelHeader : say(COLUMNS[k]));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(cells) as [keyof typeof COLUMNS, string | undefined][])
      if (v !== undefined) out[header(k)] = v;
    return out;
  });
}

/** Shows the comparison table (HTML in a notebook, text elsewhere); `labelHeader` names the first column. */
export function showAccuracyTable(rows: AccuracyRow[], opts: { caption?: string; labelHeader?: string } = {}): void {
  showTable(accuracyTableRows(rows, opts.labelHeader), { caption: opts.caption });
}
