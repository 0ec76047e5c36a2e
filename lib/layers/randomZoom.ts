/** `RandomZoom` (Keras `keras.layers.RandomZoom`): a random zoom in or out per image, training only. */
import * as tf from '@tensorflow/tfjs';
import { Factor, factorRange, registerLayer } from './args';
import { RandomAffineArgs, RandomAffineLayer } from './randomAffine';
import { zoomMatrix } from './transform';

/** Arguments of `RandomZoom`: factors as in Keras (positive = zoom out); width defaults to the height zoom. */
export interface RandomZoomArgs extends RandomAffineArgs {
  heightFactor: Factor;
  widthFactor?: Factor | null;
}

/** Zooms each image in or out by a random factor, training only. */
export class RandomZoom extends RandomAffineLayer {
  /** The name a saved model records for this layer (and tfjs registers it under). */
  static className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private hRange: [number, number];
  private wRange?: [number, number];

  constructor(args: RandomZoomArgs) {
    super(args, 'RandomZoom');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor ?? null;
    this.hRange = factorRange('height_factor', args.heightFactor, 'RandomZoom');
    if (this.widthFactor !== null) this.wRange = factorRange('width_factor', this.widthFactor, 'RandomZoom');
    if (this.hRange[0] < -1 || (this.wRange && this.wRange[0] < -1)) {
      throw new Error(
        `RandomZoom: factors must be >= -1 (a zoom of 1 + factor), got ${JSON.stringify([args.heightFactor, args.widthFactor])}.`,
      );
    }
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      const zy = 1 + this.uniform(this.hRange[0], this.hRange[1]);
      const zx = this.wRange ? 1 + this.uniform(this.wRange[0], this.wRange[1]) : zy;
      t.set(zoomMatrix(zx, zy, H, W), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
registerLayer(RandomZoom);

/** `keras.layers.RandomZoom`. */
export function randomZoom(args: RandomZoomArgs): RandomZoom {
  return new RandomZoom(args);
}
