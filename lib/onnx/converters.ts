/**
 * The one table of layer classes the ONNX exporter writes, class name → converter. A layer whose class is not
 * here is an error that names the layer, its class and this list (`unsupportedLayer`).
 */
import { activationLayer, leakyReluLayer, reluLayer } from './activations';
import {
  averagePooling2d,
  batchNormalization,
  conv2d,
  depthwiseConv2d,
  globalAveragePooling2d,
  globalMaxPooling2d,
  maxPooling2d,
  zeroPadding2d,
} from './convLayers';
import { add, dense, flatten, identity, imageNetPreprocessing, reshape, rescaling } from './coreLayers';
import { layerError, type Converter } from './layerContext';

/** Layer class → converter (Keras / TF.js class names, the project's custom layers included). */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  FrozenBatchNormalization: batchNormalization,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyReluLayer,
  Add: add,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  GlobalMaxPooling2D: globalMaxPooling2d,
  ZeroPadding2D: zeroPadding2d,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  RandomFlip: identity,
  RandomRotation: identity,
  RandomZoom: identity,
  RandomTranslation: identity,
  ImageNetPreprocessing: imageNetPreprocessing,
  Rescaling: rescaling,
};

/** The class names the exporter writes, for messages. */
export const SUPPORTED_LAYERS: readonly string[] = Object.keys(CONVERTERS);

/** The converter of a layer class; an error naming the layer, its class and what is supported when none. */
export function converterFor(path: string, className: string): Converter {
  const found = Object.prototype.hasOwnProperty.call(CONVERTERS, className) ? CONVERTERS[className] : undefined;
  if (found) return found;
  throw layerError(
    { path, className },
    `this layer has no ONNX form in this exporter, and nothing was written. Supported layers: ` +
      `${SUPPORTED_LAYERS.join(', ')} (and nested models of them).`,
  );
}
