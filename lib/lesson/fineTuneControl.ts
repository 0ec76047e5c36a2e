/**
 * 07's control: to say that unfreezing the top layers changed the test accuracy, compare fine-tuning with the same
 * extra epochs spent on the classifier alone, from the same starting weights. `classifierOnlyControl` trains that
 * control and puts every weight back, so stage 2 starts where the control started; `showFineTuneComparison` shows
 * the three numbers side by side.
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { evaluateModel, type EvaluationResult } from '../training/evaluate';
import { setFineTuneStrategy } from '../training/finetune';
import { showAccuracyTable } from '../ui/accuracyTable';
import { showMarkdown } from '../ui/display';
import { liveProgress } from '../ui/trainingProgress';
import { fineTuneFinding } from './findings';
import type { LessonDatasets } from './profileDatasets';

/** Options of `classifierOnlyControl`: the same epochs and learning rate that fine-tuning will use. */
export interface ControlOptions {
  epochs: number;
  learningRate: number;
}

/** What the control measured. */
export interface ControlResult {
  /** Test evaluation after the control's extra epochs. */
  result: EvaluationResult;
  /** Each epoch's logs of the control. */
  history: Record<string, number[]>;
}

/**
 * Trains only the classifier of `model` (`convBase` frozen) for `epochs` more epochs at `learningRate`, evaluates it
 * on the test split, then restores every weight of the model as it was (the optimizer is rebuilt by the next
 * `setFineTuneStrategy`). The base stays frozen when it returns.
 */
export async function classifierOnlyControl(
  model: tf.LayersModel,
  convBase: tf.LayersModel,
  data: LessonDatasets,
  opts: ControlOptions,
): Promise<ControlResult> {
  const saved = model.getWeights().map((w) => w.clone());
  console.log(
    say({
      en: `Control: the classifier alone for ${opts.epochs} epochs (learning rate ${opts.learningRate}), then back to these weights`,
      ko: `대조군: 분류기만 ${opts.epochs} 에포크 학습합니다 (학습률 ${opts.learningRate}). 끝나면 가중치를 지금으로 되돌립니다.`,
    }),
  );
  try {
    setFineTuneStrategy(model, convBase, 'classifier', { learningRate: opts.learningRate });
    const progress = liveProgress();
    await model.fitDataset(data.train.toTfData(), {
      epochs: opts.epochs,
      validationData: data.validation.toTfData(),
      verbose: 0,
      callbacks: [progress],
    });
    const result = await evaluateModel(model, data.test);
    return { result, history: { ...progress.history } };
  } finally {
    model.setWeights(saved);
    tf.dispose(saved);
  }
}

/** The three test evaluations 07 compares, on the same photos. */
export interface FineTuneComparison {
  /** After stage 1 (the classifier alone). */
  before: EvaluationResult;
  /** After the control: the classifier alone for the same extra epochs. */
  control: EvaluationResult;
  /** After stage 2: the top layers unfrozen for those epochs. */
  tuned: EvaluationResult;
}

/**
 * Shows the three test accuracies (and losses) side by side, then the sentence built from them (`fineTuneFinding`):
 * what unfreezing added over the control, and whether 100 test photos can tell.
 */
export function showFineTuneComparison(r: FineTuneComparison, opts: { fineTuneFrom: string; epochs: number }): void {
  const row = (label: string, e: EvaluationResult) => ({ label, test: e.accuracy, testLoss: e.loss });
  showAccuracyTable(
    [
      row('1단계: 분류기만 학습', r.before),
      row(`대조군: 분류기만 ${opts.epochs} 에포크 더`, r.control),
      row(`2단계: ${opts.fineTuneFrom}부터 미세 조정 ${opts.epochs} 에포크`, r.tuned),
    ],
    { caption: '미세 조정 전과 후, 그리고 대조군의 테스트 정확도', labelHeader: '단계' },
  );
  const [before, control, tuned] = [r.before.accuracy, r.control.accuracy, r.tuned.accuracy];
  showMarkdown(fineTuneFinding({ before, control, tuned, epochs: opts.epochs, n: r.tuned.labels.length }));
}
