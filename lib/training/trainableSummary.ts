/**
 * What `fit` will update: trainable vs non-trainable parameter counts, overall and per layer (nested models
 * expanded). Numbers only; lib/ui/trainableView.ts shows them as a sentence and a table.
 */
import * as tf from '@tensorflow/tfjs';
import { innerLayers, walkLayers } from '../layers/walk';

/** One row of `trainableSummary`: a leaf layer. */
export interface TrainableRow {
  /** Layer name, prefixed by the nested models it sits in (`vgg16/block5_conv1`). */
  layer: string;
  /** Its class (`Conv2D`). */
  type: string;
  params: number;
  trainableParams: number;
  /** 'yes' / 'no' / 'partly' by parameter count; '-' for a layer without parameters. */
  trainable: 'yes' | 'no' | 'partly' | '-';
}

/** Parameter counts: what `fit` will update and what it will not. */
export interface TrainableSummary {
  trainableParams: number;
  nonTrainableParams: number;
  totalParams: number;
  /** Number of trainable weight tensors (Keras: `len(model.trainable_weights)`). */
  trainableWeights: number;
  /** Per leaf layer, in model order. */
  rows: TrainableRow[];
}

/** Number of values in some weights. */
function countValues(ws: tf.LayerVariable[]): number {
  return ws.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
}

/** Counts trainable / non-trainable parameters, overall and per layer. */
export function trainableSummary(model: tf.LayersModel): TrainableSummary {
  const rows: TrainableRow[] = [];
  walkLayers(model, ({ layer, path }) => {
    if (layer === (model as unknown) || innerLayers(layer)) return;
    // A layer trains only when every container on its way is trainable too.
    const on = path.every((c) => c.trainable);
    const params = countValues(layer.weights);
    const trainableParams = on ? countValues(layer.trainableWeights) : 0;
    rows.push({
      layer:
        path
          .slice(1)
          .map((c) => `${c.name}/`)
          .join('') + layer.name,
      type: layer.getClassName(),
      params,
      trainableParams,
      trainable: params === 0 ? '-' : trainableParams === params ? 'yes' : trainableParams === 0 ? 'no' : 'partly',
    });
  });
  const trainableParams = countValues(model.trainableWeights);
  const nonTrainableParams = countValues(model.nonTrainableWeights);
  return {
    trainableParams,
    nonTrainableParams,
    totalParams: trainableParams + nonTrainableParams,
    trainableWeights: model.trainableWeights.length,
    rows,
  };
}
