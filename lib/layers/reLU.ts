/**
 * Keras's `ReLU` layer in one op: tfjs's ReLU layer with `maxValue` runs relu then clipByValue (two passes over
 * the tensor, two gradients on the tape); this one runs `tf.relu6` for `maxValue: 6` (MobileNet's activation after
 * every convolution), which gives the same values and the same gradient (0 at x <= 0 and x > 6, dy between).
 * It saves as Keras's and tfjs's `ReLU` (same class name, same config), so a saved model loads as tfjs's ReLU,
 * which computes the same.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { reLU } from './lib/layers/reLU';
 *
 * const input = tf.input({ shape: [8, 8, 3] });
 * const x = reLU({ maxValue: 6, name: 'conv1_relu' }).apply(input) as tf.SymbolicTensor;
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { oneTensor } from './args';

/** The arguments of `tf.layers.reLU`. */
export type ReLUArgs = NonNullable<Parameters<typeof tf.layers.reLU>[0]>;
/** The layer type `tf.layers.reLU` returns. */
type ReLULayer = ReturnType<typeof tf.layers.reLU>;
/** The keyword arguments tfjs passes to a layer's `call`. */
type Kwargs = Parameters<ReLULayer['call']>[1];

// tfjs does not export the ReLU class itself; its constructor is reachable from an instance.
const ReLUBase = Object.getPrototypeOf(tf.layers.reLU({})).constructor as new (args?: ReLUArgs) => ReLULayer;

/** tfjs's ReLU layer, computing relu6 (`maxValue: 6`) in one op; any other `maxValue` as tfjs does. */
export class OneOpReLU extends ReLUBase {
  /** Saved as Keras's and tfjs's ReLU (not registered: a saved model loads as tfjs's ReLU, which is equal). */
  static className = 'ReLU';

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (this.maxValue !== 6) return super.call(inputs, kwargs);
    return tf.relu6(oneTensor(inputs));
  }
}

/** A ReLU layer, as `tf.layers.reLU(args)`, computing relu6 in one op (see the file's comment). */
export function reLU(args?: ReLUArgs): ReLULayer {
  return new OneOpReLU(args);
}
