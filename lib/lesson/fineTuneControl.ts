/**
 * 07's control: to say that unfreezing the top layers changed the test accuracy, compare fine-tuning with the same
 * extra epochs spent on the classifier alone, from the same starting weights. `classifierOnlyControl` trains that
 * control and puts every weight back, so stage 2 starts where the control started.
 */
import * as tf from '@tensorflow/tfjs';
import { evaluateModel, type EvaluationResult } from '../training/evaluate';
import { setFineTuneStrategy } from '../training/finetune';
import { liveProgress } from '../ui/trainingProgress';
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
