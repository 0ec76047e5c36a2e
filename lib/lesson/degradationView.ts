/**
 * Notebook 03's degradation figures: the training-error curves that `scripts/degradation.ts` recorded in
 * lib/assets/degradation.json (plain and residual nets of 20 and 56 layers, lib/lesson/degradation.ts), one figure
 * for the plain nets and one for the residual nets, a table of the last epochs' mean errors and the sentences that
 * compare them (built from the numbers).
 */
import { readFileSync } from 'node:fs';
import { assetPath } from '../core/paths';
import { showTable } from '../ui/display';
import { lineChart, showFigure } from '../ui/plot';
import type { DegradationRun } from './degradation';

/** What scripts/degradation.ts writes. */
export interface DegradationRecord {
  protocol: { epochs: number; depths: readonly number[]; seeds: readonly number[] } & Record<string, unknown>;
  backend: string;
  date: string;
  runs: DegradationRun[];
}

/** One net's curve: its name, depth, shortcut or not, the mean training error (%) over the seeds per epoch. */
export interface DegradationCurve {
  name: string;
  depth: number;
  residual: boolean;
  errorPercent: number[];
}

/** The recorded experiment (lib/assets/degradation.json unless `file`). */
export function readDegradationRecord(file = assetPath('degradation.json')): DegradationRecord {
  return JSON.parse(readFileSync(file, 'utf8')) as DegradationRecord;
}

/** The runs of each net averaged over seeds, in percent, in the order the nets first appear. */
export function degradationCurves(runs: DegradationRun[]): DegradationCurve[] {
  const names = [...new Set(runs.map((r) => r.name))];
  return names.map((name) => {
    const mine = runs.filter((r) => r.name === name);
    const epochs = Math.min(...mine.map((r) => r.trainError.length));
    const errorPercent = [...Array(epochs).keys()].map(
      (e) => (100 * mine.reduce((s, r) => s + r.trainError[e], 0)) / mine.length,
    );
    return { name, depth: mine[0].depth, residual: mine[0].residual, errorPercent };
  });
}

/** The mean of the last `k` values. */
const lastMean = (v: number[], k: number): number => v.slice(-k).reduce((s, x) => s + x, 0) / Math.min(k, v.length);

/**
 * What the curves say, built from their numbers: per kind of net, the deeper net's last-5-epoch mean training error
 * against the shallower one's, and whether it is higher or lower.
 */
export function degradationSentences(curves: DegradationCurve[]): string[] {
  return [false, true].flatMap((residual) => {
    const mine = curves.filter((c) => c.residual === residual).sort((a, b) => a.depth - b.depth);
    if (mine.length < 2) return [];
    const [low, high] = [mine[0], mine[mine.length - 1]];
    const [a, b] = [lastMean(low.errorPercent, 5), lastMean(high.errorPercent, 5)];
    const kind = residual ? '잔차 망' : '일반 망';
    const verdict = b > a ? '높습니다' : b < a ? '낮습니다' : '같습니다';
    return [
      `${kind}: ${high.depth}층의 학습 오차 ${b.toFixed(1)}%는 ${low.depth}층의 ${a.toFixed(1)}%보다 ${verdict} ` +
        '(마지막 5 에포크의 평균).',
    ];
  });
}

/** Shows the plain nets' curves, the residual nets' curves, and the last 5 epochs' mean error of each net. */
export function showDegradation(record: DegradationRecord = readDegradationRecord()): void {
  const curves = degradationCurves(record.runs);
  for (const residual of [false, true]) {
    const kind = residual ? '잔차 망 (shortcut 있음)' : '일반 망 (shortcut 없음)';
    const series = curves
      .filter((c) => c.residual === residual)
      .map((c) => ({
        name: `${c.depth}층`,
        y: c.errorPercent,
        dash: c.depth > 20 ? ('solid' as const) : ('dash' as const),
      }));
    showFigure(
      lineChart(series, { title: `${kind}: 학습 오차`, xTitle: '에포크', yTitle: '학습 오차 (%)', integerX: true }),
      { height: 320 },
    );
  }
  showTable(
    curves.map((c) => ({
      망: c.residual ? '잔차 망' : '일반 망',
      '층 수': c.depth,
      '마지막 5 에포크의 평균 학습 오차 (%)': lastMean(c.errorPercent, 5).toFixed(1),
    })),
    { caption: `나선 데이터에서 잰 학습 오차 (${record.date}, seed ${record.protocol.seeds.length}개의 평균)` },
  );
  for (const line of degradationSentences(curves)) console.log(line);
}
