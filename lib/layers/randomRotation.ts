/** `RandomRotation` (Keras `keras.layers.RandomRotation`): a random rotation per image, training only. */
import * as tf from '@tensorflow/tfjs';
import { Factor, factorRange, registerLayer } from './args';
import { RandomAffineArgs, RandomAffineLayer } from './randomAffine';
import { rotationMatrix } from './transform';

/** Arguments of `RandomRotation`: `factor` is a fraction of a full turn (0.1 = up to ±36°). */
export interface RandomRotationArgs extends RandomAffineArgs {
  factor: Factor;
}

/** Rotates each image by a random angle (fraction of 2π, positive = counter-clockwise), training only. */
export class RandomRotation extends RandomAffineLayer {
  /** The name a saved model records for this layer (and tfjs registers it under). */
  static className = 'RandomRotation';
  readonly factor: Factor;
  private range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args, 'RandomRotation');
    this.factor = args.factor;
    this.range = factorRange('factor', args.factor, 'RandomRotation');
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      t.set(rotationMatrix(this.uniform(this.range[0], this.range[1]) * 2 * Math.PI, H, W), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerLayer(RandomRotation);

/** `keras.layers.RandomRotation`. */
export function randomRotation(args: RandomRotationArgs): RandomRotation {
  return new RandomRotation(args);
}
