/**
 * Shows an evaluation (lib/training/evaluate.ts `evaluateModel`'s numbers): the confusion matrix as a figure with
 * per-class precision / recall below it, and the images the model got wrong most confidently as a grid.
 * `showEvaluation(result)` does all of it; the parts are there on their own too.
 */
import { displayClassName } from '../core/displayNames';
import { say, type Bilingual } from '../core/messages';
import { inNotebook } from '../core/runtime';
import {
  confusionMatrix,
  mostConfidentMistakes,
  perClassMetrics,
  type EvaluationResult,
  type Mistake,
} from '../training/evaluate';
import { showImageGrid, showTable } from './display';
import { confusionMatrixFigure } from './figures';
import { showFigure } from './plot';

/** Column names of the per-class table. */
const METRIC_COLUMNS: Record<string, Bilingual> = {
  class: { en: 'class', ko: '클래스' },
  precision: { en: 'precision', ko: '정밀도' },
  recall: { en: 'recall', ko: '재현율' },
  f1: { en: 'F1', ko: 'F1' },
  support: { en: 'images', ko: '이미지 수' },
};

/** "accuracy 85.0%, loss 0.3412" in the reader's language. */
export function evaluationCaption(result: EvaluationResult): string {
  const acc = (100 * result.accuracy).toFixed(1);
  const loss = result.loss.toFixed(4);
  return say({ en: `accuracy ${acc}%, loss ${loss}`, ko: `정확도 ${acc}%, 손실 ${loss}` });
}

/** Shows the confusion matrix of an evaluation, with per-class precision/recall below it; returns the matrix. */
export function showConfusionMatrix(result: EvaluationResult, opts: { title?: string } = {}): number[][] {
  const cm = confusionMatrix(result.labels, result.predictions, result.numClasses);
  showFigure(confusionMatrixFigure(cm, result.classNames, opts));
  const rows = perClassMetrics(cm, result.classNames).map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [say(METRIC_COLUMNS[k]), k === 'class' ? displayClassName(String(v)) : v]),
    ),
  );
  showTable(rows, { caption: evaluationCaption(result) });
  return cm;
}

/** A mistake's caption: "true dogs, predicted cats (73.1%)" ("실제 개, 예측 고양이 (73.1%)" in a notebook). */
export function mistakeCaption(m: Mistake): string {
  const pct = (100 * m.confidence).toFixed(1);
  return say({
    en: `true ${m.trueLabel}, predicted ${m.predicted} (${pct}%)`,
    ko: `실제 ${displayClassName(m.trueLabel)}, 예측 ${displayClassName(m.predicted)} (${pct}%)`,
  });
}

/** Options of the mistakes grid. */
export interface GridOptions {
  /** Images per row (default: up to 8). */
  columns?: number;
  /** Thumbnail size in pixels (default 128). */
  size?: number;
}

/** Shows the `k` most confident mistakes as an image grid (needs the dataset's `filePaths`); returns them. */
export async function showMostConfidentMistakes(
  result: EvaluationResult,
  k = 8,
  opts: GridOptions = {},
): Promise<Mistake[]> {
  const items = mostConfidentMistakes(result, k);
  if (items.some((m) => !m.path)) {
    throw new Error(
      'showMostConfidentMistakes: the evaluation has no file paths; evaluate a dataset that has filePaths (imageDatasetFromDirectory).',
    );
  }
  if (!inNotebook()) {
    for (const m of items) console.log(`${m.path}: ${mistakeCaption(m)}`);
  } else
    await showImageGrid(
      items.map((m) => ({ image: m.path as string, caption: mistakeCaption(m) })),
      opts,
    );
  return items;
}

/** Options of `showEvaluation`. */
export interface EvaluationViewOptions extends GridOptions {
  /** Title of the confusion-matrix figure (default '혼동 행렬'). */
  title?: string;
  /** How many of the most confident mistakes to show (default 8; 0: none). */
  mistakes?: number;
}

/**
 * Shows an evaluation: the confusion matrix and per-class table, then the most confident mistakes with a line
 * saying how many there are. Returns nothing, so a notebook cell that ends with it prints no value; the numbers
 * are in `result` (and `confusionMatrix` / `mostConfidentMistakes` of lib/training/evaluate.ts).
 */
export async function showEvaluation(result: EvaluationResult, opts: EvaluationViewOptions = {}): Promise<void> {
  showConfusionMatrix(result, { title: opts.title });
  const k = opts.mistakes ?? 8;
  if (k === 0) return;
  const wrong = mostConfidentMistakes(result, k).length;
  console.log(
    wrong > 0
      ? say({
          en: `The ${wrong} misclassified images the model was most sure about:`,
          ko: `가장 확신하며 틀린 이미지 ${wrong}장:`,
        })
      : say({ en: 'No image was misclassified.', ko: '틀린 이미지가 없습니다.' }),
  );
  if (wrong > 0) await showMostConfidentMistakes(result, k, opts);
}
