/**
 * BatchNormalization that honours `trainable = false` during `fit` (Keras 2.1+ semantics).
 *
 * In Keras, a BatchNormalization layer whose `trainable` is false runs in inference mode even inside `fit`:
 * it normalises with its moving mean/variance and never updates them. This is what makes fine-tuning a frozen
 * pretrained base work. TF.js ignores `trainable` there: in training it normalises with the batch statistics
 * and updates the moving statistics. `FrozenBatchNormalization` is a subclass that switches to inference mode
 * when the layer is frozen, either directly (`layer.trainable = false`) or through its model
 * (`model.trainable = false` marks the layers' weights non-trainable, which this layer detects).
 * It is registered for serialization under the class name `FrozenBatchNormalization`: a saved model loads
 * with the same behaviour once this module has been imported. No tfjs code is patched.
 * `setBatchNormInference(model, true)` keeps the layers in inference mode even when trainable (Keras's
 * `base_model(x, training=False)`; tfjs ignores a `training` argument given to `apply` once inside `fit`).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormLearnableWeights } from '../core/internals';
import { registerLayer } from './args';
import { allLayers, walkLayers } from './walk';

/** The arguments of `tf.layers.batchNormalization`. */
export type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
/** The layer type `tf.layers.batchNormalization` returns. */
type BatchNormalizationLayer = ReturnType<typeof tf.layers.batchNormalization>;
/** The keyword arguments tfjs passes to a layer's `call` (`training` among them). */
type BatchNormKwargs = Parameters<BatchNormalizationLayer['call']>[1];

// tfjs does not export the BatchNormalization class itself; its constructor is reachable from an instance.
const BatchNormalizationBase = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (
  args?: BatchNormalizationArgs,
) => BatchNormalizationLayer;

/** Arguments of `FrozenBatchNormalization`: those of tfjs's BatchNormalization plus `inference`. */
export interface FrozenBatchNormalizationArgs extends BatchNormalizationArgs {
  /**
   * Always run in inference mode, even while trainable (Keras's `base_model(x, training=False)`, which
   * tfjs ignores inside `fit`): gamma and beta may still learn, the moving statistics never change.
   */
  inference?: boolean;
}

/** A BatchNormalization layer that runs in inference mode whenever it (or its model) is frozen. */
export class FrozenBatchNormalization extends BatchNormalizationBase {
  /** Serialization name (distinct from tfjs's own 'BatchNormalization'). */
  static className = 'FrozenBatchNormalization';
  /** Always inference mode (see `FrozenBatchNormalizationArgs.inference`); saved with the model. */
  inference: boolean;

  constructor(args?: FrozenBatchNormalizationArgs) {
    const { inference, ...rest } = args ?? {};
    super(rest);
    this.inference = inference ?? false;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), inference: this.inference };
  }

  /**
   * True when the layer must not learn: its own `trainable` flag is off, or every weight it could train
   * (gamma, beta) has been marked non-trainable, as `model.trainable = false` does.
   */
  get frozen(): boolean {
    if (!this.trainable) return true;
    const own = batchNormLearnableWeights(this);
    return own.length > 0 && own.every((w) => !w.trainable);
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: BatchNormKwargs): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, this.frozen || this.inference ? { ...kwargs, training: false } : kwargs);
  }
}
registerLayer(FrozenBatchNormalization);

/** Creates a `FrozenBatchNormalization` layer (same arguments as `tf.layers.batchNormalization`). */
export function frozenBatchNormalization(args?: FrozenBatchNormalizationArgs): FrozenBatchNormalization {
  return new FrozenBatchNormalization(args);
}

/**
 * Sets `trainable` on a model and every layer inside it, nested models included (what Keras's
 * `model.trainable = x` does). Unlike tfjs's `model.trainable = x`, the layers' own flags change too, so the
 * frozen state is saved with the model. Recompile the model afterwards for the change to reach `fit`.
 */
export function setTrainable(model: tf.LayersModel | tf.layers.Layer, trainable: boolean): void {
  walkLayers(model, ({ layer }) => {
    layer.trainable = trainable;
  });
}

/**
 * Sets `inference` on every FrozenBatchNormalization inside `model` (nested models included): the TF.js
 * counterpart of calling a Keras base model with `training=False`, so that its BatchNormalization layers keep
 * their ImageNet statistics even after the base is unfrozen for fine-tuning. Returns how many layers changed.
 */
export function setBatchNormInference(model: tf.LayersModel | tf.layers.Layer, inference: boolean): number {
  const bns = allLayers(model).filter((l): l is FrozenBatchNormalization => l instanceof FrozenBatchNormalization);
  for (const bn of bns) bn.inference = inference;
  return bns.length;
}
