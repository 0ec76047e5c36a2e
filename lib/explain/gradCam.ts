/**
 * Grad-CAM (Selvaraju et al., ICCV 2017): the gradients of a class's score (the logit, before the final
 * softmax / sigmoid; see scores.ts) with respect to a convolutional layer's output A; each channel k weighs
 * alpha_k = the spatial mean of its gradients; the map is ReLU(sum_k alpha_k A_k) at the layer's resolution.
 * The gradients run on the active backend (on wasm, through the project's training kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { LayerHook, runModel } from './graph';
import { ClassMap, explainedLayer, explainForward, toRows } from './forward';
import { ClassChoice, classScore, logitHooks } from './scores';

/** Options of `gradCam` and `layerGradients`. */
export interface GradCamOptions {
  /**
   * The layer to explain (any layer with a 4D output, nested models searched); default: the last feature map,
   * the layer that feeds the head (global pooling or Flatten).
   */
  layerName?: string;
  /** The class to explain; default: the model's top class. For a one-unit sigmoid, 1 = positive, 0 = negative. */
  classIndex?: number;
}

/** A layer's output for one image and the gradients of a class score with respect to it. */
export interface LayerGradients extends ClassChoice {
  layerName: string;
  /** [height, width, channels] of the layer's output. */
  shape: [number, number, number];
  /** The layer's output A, row-major [height, width, channels]. */
  activations: Float32Array;
  /** d score / d A, same layout. */
  gradients: Float32Array;
}

/**
 * The output A of `layerName` (default: the last feature map) for one image, and the gradients of the
 * class's pre-activation score with respect to A. `image` is [h, w, c] or [1, h, w, c], as the model takes it.
 */
export async function layerGradients(
  model: tf.LayersModel,
  image: tf.Tensor,
  opts: GradCamOptions = {},
): Promise<LayerGradients> {
  const layer = explainedLayer(model, opts.layerName);
  return explainForward(model, image, layer, opts.classIndex, async ({ x, head, features, choice, keep }) => {
    const score = (a: tf.Tensor): tf.Scalar => {
      const hooks = logitHooks(head);
      const override: LayerHook = () => a;
      hooks.set(layer, override);
      return classScore(runModel(model, x, hooks)[0], head, choice.classIndex);
    };
    const gradients = tf.tidy(() => tf.grad(score)(features));
    keep(gradients);
    const [, h, w, c] = features.shape;
    const [activations, grads] = await Promise.all([features.data(), gradients.data()]);
    return {
      ...choice,
      layerName: layer.name,
      shape: [h, w, c],
      activations: activations as Float32Array,
      gradients: grads as Float32Array,
    };
  });
}

/** Grad-CAM weights: alpha_k = the mean over positions of the gradients of channel k. */
export function channelWeights(g: LayerGradients): Float64Array {
  const [h, w, c] = g.shape;
  const alpha = new Float64Array(c);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) alpha[k] += g.gradients[p * c + k];
  for (let k = 0; k < c; k++) alpha[k] /= h * w;
  return alpha;
}

/**
 * Grad-CAM of one image: ReLU(sum_k alpha_k A_k) at the explained layer's resolution, with the class it
 * explains (the top class unless `classIndex`), that class's score (logit) and probability, and the layer.
 * Nothing to dispose; show it with `overlayHeatmap`.
 *
 * @example
 * ```ts
 * import { loadImage } from './lib/data/imageDataset';
 * import { gradCam } from './lib/explain/gradCam';
 * import { preprocessInput } from './lib/models/imagenet';
 * import { mobilenet } from './lib/models/mobilenet';
 *
 * const model = await mobilenet({ alpha: 0.25 });
 * const image = preprocessInput(await loadImage('cat.jpg', { imageSize: [224, 224] }), 'tf');
 * const { map, classIndex, layerName } = await gradCam(model, image);
 * console.log(classIndex, layerName, map.length); // 281 'conv_pw_13_relu' 7
 * ```
 */
export async function gradCam(model: tf.LayersModel, image: tf.Tensor, opts: GradCamOptions = {}): Promise<ClassMap> {
  const g = await layerGradients(model, image, opts);
  const [h, w, c] = g.shape;
  const alpha = channelWeights(g);
  const map = new Float64Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += alpha[k] * g.activations[p * c + k];
    map[p] = Math.max(0, s);
  }
  const { classIndex, score, probability, layerName } = g;
  return { classIndex, score, probability, layerName, map: toRows(map, h, w) };
}
