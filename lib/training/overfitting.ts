/**
 * How much a training overfitted, measured over its last few epochs rather than the last one alone: one epoch's
 * validation accuracy on 100 photos moves by a few photos from epoch to epoch, so the mean of the last epochs is
 * the number to compare. The loss gap (training vs validation loss) is reported beside the accuracy gap: a training
 * loss near 0 next to a much larger validation loss is the clearest sign that the model memorised its data.
 */
import { historyRecord, type HistoryLike } from './logs';

/** How many final epochs `overfittingSummary` averages by default. */
export const DEFAULT_LAST_EPOCHS = 5;

/** Means over the last `epochs` epochs of a training's accuracy and loss, on the training and validation data. */
export interface OverfittingSummary {
  /** How many final epochs were averaged (fewer when the training was shorter). */
  epochs: number;
  /** Mean training accuracy (measured during each epoch: dropout and augmentation active). */
  train: number;
  /** Mean validation accuracy. */
  validation: number;
  /** `train - validation`. */
  gap: number;
  /** Mean training loss. */
  trainLoss: number;
  /** Mean validation loss. */
  validationLoss: number;
  /** `validationLoss - trainLoss`: large when the model is sure of its training data only. */
  lossGap: number;
  /** Lowest and highest validation accuracy among those epochs (how much one epoch alone could mislead). */
  validationRange: [number, number];
}

/** The mean of the last `n` values. */
function lastMean(values: number[], n: number): number {
  const tail = values.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/**
 * The means over the last `lastEpochs` epochs (default 5) of accuracy and loss, training and validation; throws,
 * naming what the history holds, when it lacks one of them.
 */
export function overfittingSummary(history: HistoryLike, lastEpochs = DEFAULT_LAST_EPOCHS): OverfittingSummary {
  if (!Number.isInteger(lastEpochs) || lastEpochs < 1)
    throw new RangeError(`overfittingSummary: lastEpochs must be a whole number >= 1, got ${lastEpochs}.`);
  const h = historyRecord(history);
  const keys = ['accuracy', 'val_accuracy', 'loss', 'val_loss'];
  const missing = keys.filter((k) => !h[k]?.length);
  if (missing.length) {
    throw new Error(
      `overfittingSummary: the history has no ${missing.join(', ')} (it has: ${Object.keys(h).join(', ') || 'nothing'}); ` +
        `compile with metrics: ['accuracy'] and pass validationData.`,
    );
  }
  const epochs = Math.min(lastEpochs, h.accuracy.length, h.val_accuracy.length);
  const train = lastMean(h.accuracy, epochs);
  const validation = lastMean(h.val_accuracy, epochs);
  const trainLoss = lastMean(h.loss, epochs);
  const validationLoss = lastMean(h.val_loss, epochs);
  const tail = h.val_accuracy.slice(-epochs);
  return {
    epochs,
    train,
    validation,
    gap: train - validation,
    trainLoss,
    validationLoss,
    lossGap: validationLoss - trainLoss,
    validationRange: [Math.min(...tail), Math.max(...tail)],
  };
}
