/**
 * Class activation maps (Zhou et al., CVPR 2016) for models whose head is global average pooling followed by one
 * linear classifier: GAP -> Dense, or GAP -> Reshape -> 1x1 Conv2D as in Keras's MobileNet top (Reshape, Flatten
 * and Dropout between them are allowed; the softmax / sigmoid after them is ignored). Such a model's logit of
 * class c is mean_ij CAM_c(i, j) + b_c with CAM_c = sum_k w_kc A_k: the map shows where that evidence lies.
 */
import * as tf from '@tensorflow/tfjs';
import { ChainStep, outputChain, PASS_THROUGH } from './chain';
import { ClassMap, explainForward, toRows } from './forward';
import { layerWeight } from './scores';

/** The parts of a CAM head: the classifier layer and the layer whose output is pooled. */
export interface CamHead {
  classifier: tf.layers.Layer;
  features: tf.layers.Layer;
}

const LINEAR = new Set(['Dense', 'Conv2D']);

/** Finds GAP -> [pass-through] -> linear classifier -> [activation] on the output chain; throws if the head is another. */
export function camHead(model: tf.LayersModel): CamHead {
  const steps = outputChain(model);
  let i = 0;
  const skip = (): ChainStep | undefined => {
    while (steps[i] && PASS_THROUGH.has(steps[i].layer.getClassName())) i++;
    return steps[i++];
  };
  let step = skip();
  if (step && ['Activation', 'Softmax'].includes(step.layer.getClassName())) step = skip();
  const classifier = step?.layer;
  const config = (classifier?.getConfig() ?? {}) as { activation?: string; kernelSize?: number[] };
  const linear =
    classifier &&
    LINEAR.has(classifier.getClassName()) &&
    ['linear', 'softmax', 'sigmoid'].includes(config.activation ?? 'linear');
  const oneByOne = classifier?.getClassName() !== 'Conv2D' || (config.kernelSize ?? []).every((k) => k === 1);
  const pool = skip();
  const features = steps[i]?.layer;
  if (!classifier || !linear || !oneByOne || pool?.layer.getClassName() !== 'GlobalAveragePooling2D' || !features) {
    const seen = steps
      .slice(0, 6)
      .map((s) => `${s.layer.name} (${s.layer.getClassName()})`)
      .join(' <- ');
    throw new Error(
      `classActivationMap needs a head GAP -> Dense (or 1x1 Conv2D) -> [softmax/sigmoid]; model '${model.name}' ends ${seen}. ` +
        'Use gradCam for any other head.',
    );
  }
  return { classifier, features };
}

/** Options of `classActivationMap`. */
export interface CamOptions {
  /** The class to explain; default: the model's top class. For a one-unit sigmoid, 1 = positive, 0 = negative. */
  classIndex?: number;
}

/**
 * The class activation map of one image: CAM_c = sum_k w_kc A_k at the last feature map's resolution (no bias,
 * no ReLU: negative where the map argues against the class), with the class it explains (the top class unless
 * `classIndex`), its score (logit) and probability. For a one-unit sigmoid, class 0's map is the negative of
 * class 1's. `image` is [h, w, c] or [1, h, w, c], as the model takes it. Nothing to dispose.
 */
export async function classActivationMap(
  model: tf.LayersModel,
  image: tf.Tensor,
  opts: CamOptions = {},
): Promise<ClassMap> {
  const { classifier, features: layer } = camHead(model);
  const kernel = layerWeight(classifier, 'kernel');
  if (!kernel) throw new Error(`layer '${classifier.name}' has no kernel.`);
  return explainForward(model, image, layer, opts.classIndex, async ({ head, features, choice }) => {
    const [, h, w, c] = features.shape;
    const units = kernel.size / c;
    const weights = await kernel.data();
    const a = await features.data();
    const column = units === 1 ? 0 : choice.classIndex;
    const sign = units === 1 && choice.classIndex === 0 && head.activation === 'sigmoid' ? -1 : 1;
    const map = new Float64Array(h * w);
    for (let p = 0; p < h * w; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += weights[k * units + column] * a[p * c + k];
      map[p] = sign * s;
    }
    return { ...choice, layerName: layer.name, map: toRows(map, h, w) };
  });
}
