/** `RandomTranslation` (Keras `keras.layers.RandomTranslation`): a random shift per image, training only. */
import * as tf from '@tensorflow/tfjs';
import { Factor, factorRange, registerLayer } from './args';
import { RandomAffineArgs, RandomAffineLayer } from './randomAffine';
import { translationMatrix } from './transform';

/** Arguments of `RandomTranslation`: factors are fractions of the height / width. */
export interface RandomTranslationArgs extends RandomAffineArgs {
  heightFactor: Factor;
  widthFactor: Factor;
}

/** Shifts each image by a random fraction of its size, training only. */
export class RandomTranslation extends RandomAffineLayer {
  /** The name a saved model records for this layer (and tfjs registers it under). */
  static className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private hRange: [number, number];
  private wRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args, 'RandomTranslation');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
    this.hRange = factorRange('height_factor', args.heightFactor, 'RandomTranslation');
    this.wRange = factorRange('width_factor', args.widthFactor, 'RandomTranslation');
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      const dy = this.uniform(this.hRange[0], this.hRange[1]) * H;
      const dx = this.uniform(this.wRange[0], this.wRange[1]) * W;
      t.set(translationMatrix(dx, dy), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
registerLayer(RandomTranslation);

/** `keras.layers.RandomTranslation`. */
export function randomTranslation(args: RandomTranslationArgs): RandomTranslation {
  return new RandomTranslation(args);
}
