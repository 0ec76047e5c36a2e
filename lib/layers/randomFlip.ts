/** `RandomFlip` (Keras `keras.layers.RandomFlip`): flips each image with probability 0.5, training only. */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random';
import { BaseLayerArgs, checkChoice, isTraining, Kwargs, layerArgs, oneTensor, registerLayer } from './args';
import { flipImages } from './flip';

/** Which flips `RandomFlip` draws (Keras `mode`). */
export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

/** Arguments of `RandomFlip` (Keras `mode`, `seed`). */
export interface RandomFlipArgs extends BaseLayerArgs {
  /** Default 'horizontal_and_vertical'. */
  mode?: FlipMode;
  /** Makes the sequence of flips reproducible. */
  seed?: number;
}

/** Randomly flips each image left-right and/or up-down with probability 0.5 (training only; identity otherwise). */
export class RandomFlip extends tf.layers.Layer {
  /** The name a saved model records for this layer (and tfjs registers it under). */
  static className = 'RandomFlip';
  readonly mode: FlipMode;
  readonly seed?: number;
  private random: () => number;

  constructor(args: RandomFlipArgs = {}) {
    super(layerArgs(args));
    this.mode = checkChoice(
      'RandomFlip',
      'mode',
      args.mode,
      ['horizontal', 'vertical', 'horizontal_and_vertical'] as const,
      'horizontal_and_vertical',
    );
    this.seed = args.seed ?? undefined;
    this.random = this.seed === undefined ? Math.random : seededRandom(this.seed);
  }

  /** Restarts the random sequence from `seed` (or the layer's own seed). */
  reseed(seed?: number): void {
    const s = seed ?? this.seed;
    this.random = s === undefined ? Math.random : seededRandom(s);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = oneTensor(inputs);
    if (!isTraining(kwargs)) return x;
    const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
    const B = x4.shape[0];
    const draw = (on: boolean) => Array.from({ length: B }, () => on && this.random() < 0.5);
    const horizontal = draw(this.mode !== 'vertical');
    const vertical = draw(this.mode !== 'horizontal');
    const out = flipImages(x4, horizontal, vertical);
    if (x4 !== x) x4.dispose();
    if (x.rank !== 3) return out;
    const squeezed = tf.squeeze(out, [0]);
    out.dispose();
    return squeezed;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, seed: this.seed ?? null };
  }
}
registerLayer(RandomFlip);

/** `keras.layers.RandomFlip`. */
export function randomFlip(args: RandomFlipArgs = {}): RandomFlip {
  return new RandomFlip(args);
}
