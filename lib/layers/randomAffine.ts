/**
 * The base of the random affine layers (`RandomRotation`, `RandomZoom`, `RandomTranslation`): one random
 * transform per image while training (`model.fit` passes `training: true`), the identity at inference, as in
 * Keras; `seed` makes the sequence reproducible. Resampling by `transformImages` (./transform).
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random';
import { BaseLayerArgs, checkChoice, isTraining, Kwargs, layerArgs, oneTensor } from './args';
import { FillMode, Interpolation, transformImages } from './transform';

/** Arguments shared by the random affine layers (Keras names in camelCase). */
export interface RandomAffineArgs extends BaseLayerArgs {
  /** Default 'reflect'. */
  fillMode?: FillMode;
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  /** Makes the sequence of transforms reproducible. */
  seed?: number;
  /** Value outside the image with fillMode 'constant' (default 0). */
  fillValue?: number;
}

/** Base class of the random affine layers: random transforms per image, training only. */
export abstract class RandomAffineLayer extends tf.layers.Layer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly seed?: number;
  readonly fillValue: number;
  protected random: () => number;

  constructor(args: RandomAffineArgs, layerName: string) {
    super(layerArgs(args));
    this.fillMode = checkChoice(
      layerName,
      'fill_mode',
      args.fillMode,
      ['reflect', 'constant', 'nearest', 'wrap'] as const,
      'reflect',
    );
    this.interpolation = checkChoice(
      layerName,
      'interpolation',
      args.interpolation,
      ['bilinear', 'nearest'] as const,
      'bilinear',
    );
    this.seed = args.seed ?? undefined;
    this.fillValue = args.fillValue ?? 0;
    this.random = this.seed === undefined ? Math.random : seededRandom(this.seed);
    this.supportsMasking = true;
  }

  /** Restarts the random sequence from `seed` (or the layer's own seed). */
  reseed(seed?: number): void {
    const s = seed ?? this.seed;
    this.random = s === undefined ? Math.random : seededRandom(s);
  }

  /** A uniform number in [lo, hi) from the layer's sequence. */
  protected uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Draws one 8-number transform per image. */
  protected abstract sampleTransforms(batch: number, height: number, width: number): Float32Array;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = oneTensor(inputs);
    if (!isTraining(kwargs)) return x;
    return tf.tidy(() => {
      const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
      const [B, H, W] = x4.shape;
      const out = transformImages(x4, this.sampleTransforms(B, H, W), {
        fillMode: this.fillMode,
        interpolation: this.interpolation,
        fillValue: this.fillValue,
      });
      return x.rank === 3 ? tf.squeeze(out, [0]) : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      seed: this.seed ?? null,
      fillValue: this.fillValue,
    };
    return { ...super.getConfig(), ...config };
  }
}
