/**
 * Keras weight files for the builders: loading a Keras HDF5 file into a `tf.LayersModel` by layer name (the files
 * themselves are found and downloaded by `weightFiles.ts`).
 *
 * Kernels in the `tf_dim_ordering` files are already in TF.js order (height, width, in, out), so values are
 * copied as they are; weights are matched to the TF.js layer's weights by their short name (kernel, bias,
 * depthwise_kernel, gamma, beta, moving_mean, moving_variance), falling back to their order.
 */
import * as tf from '@tensorflow/tfjs';
import { KerasWeight, KerasWeightsContent, readKerasWeights } from '../io/kerasHdf5';
import { leafLayers } from '../layers/walk';
import type { ResolvedOptions } from './common';
import { fetchKerasWeights, KerasWeightsFile } from './weightFiles';

/** What `loadKerasWeights` did. */
export interface LoadReport {
  file: string;
  kerasVersion?: string;
  /** Model layers that received weights. */
  loadedLayers: string[];
  /** Number of weight arrays set. */
  weightsLoaded: number;
  /** Number of scalar parameters set. */
  paramsLoaded: number;
  /** Model layers with weights that were left as they were (with `skipMismatch`), and why. */
  skipped: { layer: string; reason: string }[];
  /** File layers with weights that no model layer used. */
  unusedFileLayers: string[];
}

/** Options of `loadKerasWeights`. */
export interface LoadKerasWeightsOptions {
  /** Leave layers that are missing from the file or differ in shape as they are (listed in the report). */
  skipMismatch?: boolean;
  /** Default true: match layers by name; false: by order of the weighted layers (Keras's topological loading). */
  byName?: boolean;
}

/** The sentence a mismatch error ends with: what the caller can do about it. */
type MismatchFix = string;

const LOADER_FIX: MismatchFix = 'or pass skipMismatch: true to leave the layers that differ as initialised';

const FAMILY_MARKERS: [RegExp, string][] = [
  [/^block\d+_conv\d+$/, 'VGG16/VGG19 (layer names block1_conv1, ...)'],
  [/^conv\d_block\d+_\d_conv$/, 'ResNet50/101/152 (layer names conv2_block1_1_conv, ...)'],
  [/^res\d[a-z]_branch/, 'the old Keras ResNet50 (layer names res2a_branch2a, ...)'],
  [/^conv_(dw|pw)_\d+$/, 'MobileNet v1 (layer names conv_dw_1, conv_pw_1, ...)'],
  [/^(block_\d+_(expand|depthwise|project)|expanded_conv_)/, 'MobileNetV2 (layer names block_1_expand, ...)'],
  [/^(mixed\d+|conv2d_\d+)$/, 'InceptionV3 or a model with default layer names'],
];

/** A guess of which architecture a list of layer names belongs to (for error messages). */
function guessArchitecture(layerNames: string[]): string {
  let best = { name: 'an unknown architecture', count: 0 };
  for (const [re, name] of FAMILY_MARKERS) {
    const count = layerNames.filter((n) => re.test(n)).length;
    if (count > best.count) best = { name, count };
  }
  return best.name;
}

/** The short name of a weight: 'conv1/kernel:0' → 'kernel', 'block1_conv1/bias_1' → 'bias'. */
function shortName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').replace(/_\d+$/, '');
}

/** What is being loaded: the file's content, the model's weighted layers, the options and the fix to offer. */
interface LoadJob {
  h5Path: string;
  content: KerasWeightsContent;
  /** File layers that have weights, in file order. */
  fileWeighted: string[];
  model: tf.LayersModel;
  modelLayers: tf.layers.Layer[];
  opts: LoadKerasWeightsOptions;
  fix: MismatchFix;
}

/** Pairs each weighted model layer with a file layer (by name, or by order), refusing a file for another model. */
function pairLayers(job: LoadJob): [tf.layers.Layer, string | undefined][] {
  const { h5Path, content, fileWeighted, model, modelLayers } = job;
  if (job.opts.byName ?? true) {
    const pairs = modelLayers.map((layer): [tf.layers.Layer, string | undefined] => [
      layer,
      fileWeighted.includes(layer.name) ? layer.name : undefined,
    ]);
    const matched = pairs.filter(([, f]) => f !== undefined).length;
    if (modelLayers.length > 0 && matched < Math.max(1, Math.ceil(modelLayers.length / 2))) {
      throw new Error(
        `${h5Path} does not fit model '${model.name}': only ${matched} of its ${modelLayers.length} layers with weights ` +
          `(e.g. ${modelLayers
            .slice(0, 3)
            .map((l) => l.name)
            .join(', ')}) are in the file. The file seems to be for ${guessArchitecture(content.layerNames)}; ` +
          `its layers are ${fileWeighted.slice(0, 4).join(', ')}${fileWeighted.length > 4 ? ', ...' : ''}. Use ` +
          `the weight file made for this model.`,
      );
    }
    return pairs;
  }
  if (fileWeighted.length !== modelLayers.length && !job.opts.skipMismatch) {
    throw new Error(
      `${h5Path} has ${fileWeighted.length} layers with weights but model '${model.name}' has ` +
        `${modelLayers.length}: loading by order needs the same ` +
        `architecture (the file seems to be for ${guessArchitecture(content.layerNames)}). Use byName: true or ` +
        `the matching file, ${job.fix}.`,
    );
  }
  return modelLayers.map((layer, i) => [layer, fileWeighted[i]]);
}

/** The file's weights for `layer` in the order of the layer's weights, or why they do not fit. */
function matchWeights(job: LoadJob, layer: tf.layers.Layer, fileLayer: string): KerasWeight[] | string {
  const fileWeights = job.content.layers.get(fileLayer) ?? [];
  const targets = layer.weights;
  if (fileWeights.length !== targets.length) {
    return (
      `layer '${layer.name}' has ${targets.length} weights (${targets.map((w) => shortName(w.originalName)).join(', ')}) ` +
      `but the file's '${fileLayer}' has ${fileWeights.length} (${fileWeights.map((w) => w.name).join(', ')})`
    );
  }
  const ordered = targets.map((w, i) => {
    const byShort = fileWeights.filter((fw) => shortName(fw.name) === shortName(w.originalName));
    return byShort.length === 1 ? byShort[0] : fileWeights[i];
  });
  for (let i = 0; i < targets.length; i++) {
    const expected = targets[i].shape as number[];
    if (!tf.util.arraysEqual(expected, ordered[i].shape)) {
      return (
        `shape mismatch in layer '${layer.name}', weight '${shortName(targets[i].originalName)}': the model ` +
        `expects [${expected.join(', ')}] ` +
        `but ${job.h5Path} has [${ordered[i].shape.join(', ')}] (${ordered[i].name})`
      );
    }
  }
  return ordered;
}

/** One model layer and the file weights it receives, in the order of its own weights. */
interface PlannedLayer {
  layer: tf.layers.Layer;
  weights: KerasWeight[];
}

/**
 * Which file weights go into which layer; mismatches throw, or are skipped into the report with `skipMismatch`.
 * File layers paired with no model layer are reported as unused.
 */
function planLoad(job: LoadJob, report: LoadReport): PlannedLayer[] {
  const pairs = pairLayers(job);
  const paired = new Set(pairs.map(([, f]) => f));
  report.unusedFileLayers = job.fileWeighted.filter((n) => !paired.has(n));
  const plan: PlannedLayer[] = [];
  for (const [layer, fileLayer] of pairs) {
    const matched =
      fileLayer === undefined ? `layer '${layer.name}' is not in ${job.h5Path}` : matchWeights(job, layer, fileLayer);
    if (typeof matched !== 'string') {
      plan.push({ layer, weights: matched });
    } else if (job.opts.skipMismatch) {
      report.skipped.push({ layer: layer.name, reason: matched });
    } else if (fileLayer === undefined) {
      throw new Error(
        `Missing layer: ${matched} (model '${job.model.name}'). Use the file made for this model, ${job.fix}.`,
      );
    } else {
      throw new Error(
        `${matched}. Check the model options (alpha, classes, includeTop, inputShape) match the file, ${job.fix}.`,
      );
    }
  }
  return plan;
}

/** Reads every planned weight (nothing is set yet); a weight that cannot be read is an error naming it. */
function readAll(job: LoadJob, plan: PlannedLayer[]): Float32Array[][] {
  return plan.map(({ weights }) =>
    weights.map((w) => {
      let values: Float32Array;
      try {
        values = w.read();
      } catch (err) {
        throw new Error(
          `${err instanceof Error ? err.message : String(err)} No weight of model '${job.model.name}' was changed.`,
          { cause: err },
        );
      }
      if (values.length !== w.size) {
        throw new Error(
          `${job.h5Path}: weight '${w.name}' has ${values.length} values instead of ${w.size}; the file may be damaged: ` +
            `delete it and download it again. No weight of model '${job.model.name}' was changed.`,
        );
      }
      return values;
    }),
  );
}

/** Loads a Keras file into `model`, offering `fix` in mismatch errors (what the caller can do). */
function loadWith(model: tf.LayersModel, h5Path: string, opts: LoadKerasWeightsOptions, fix: MismatchFix): LoadReport {
  const content = readKerasWeights(h5Path);
  const fileWeighted = content.layerNames.filter((n) => (content.layers.get(n) ?? []).length > 0);
  const modelLayers = leafLayers(model).filter((l) => l.weights.length > 0);
  const job: LoadJob = { h5Path, content, fileWeighted, model, modelLayers, opts, fix };
  const report: LoadReport = {
    file: h5Path,
    kerasVersion: content.kerasVersion,
    loadedLayers: [],
    weightsLoaded: 0,
    paramsLoaded: 0,
    skipped: [],
    unusedFileLayers: [],
  };
  const plan = planLoad(job, report);
  const values = readAll(job, plan);
  plan.forEach(({ layer, weights }, i) => {
    const tensors = weights.map((w, j) => tf.tensor(values[i][j], w.shape, 'float32'));
    values[i] = []; // this layer's arrays can be collected while the next layers are set
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    report.loadedLayers.push(layer.name);
    report.weightsLoaded += weights.length;
    report.paramsLoaded += weights.reduce((s, w) => s + w.size, 0);
  });
  return report;
}

/**
 * Loads a Keras HDF5 weight file into `model`, layer by layer by name (default) or in order of the weighted
 * layers (`byName: false`). Throws, naming the layer, weight and shapes, when a layer is missing from the file
 * or a shape differs, unless `skipMismatch` is set (those layers are then skipped and listed in the report).
 * A file whose layer names mostly do not match is reported as being for another architecture. Every weight is
 * checked and read before the first one is set: on any error the model is left as it was. Peak memory: the
 * file's weights once, as arrays.
 */
export function loadKerasWeights(
  model: tf.LayersModel,
  h5Path: string,
  opts: LoadKerasWeightsOptions = {},
): LoadReport {
  return loadWith(model, h5Path, opts, LOADER_FIX);
}

/** Report of the last weight load per model built here (for notebooks: `lastLoadReport(model)`). */
/** A check that a weight file is for `model`: at least half its layers with weights are in the file, by name. */
function fitsModel(model: tf.LayersModel): (h5Path: string) => void {
  return (h5Path) => {
    const content = readKerasWeights(h5Path);
    const weighted = model.layers.filter((l) => l.weights.length > 0);
    const matched = weighted.filter((l) => (content.layers.get(l.name)?.length ?? 0) > 0).length;
    if (weighted.length > 0 && matched < Math.max(1, Math.ceil(weighted.length / 2)))
      throw new Error(
        `it does not fit model '${model.name}': only ${matched} of its ${weighted.length} layers with weights are in it ` +
          `(it seems to be for ${guessArchitecture(content.layerNames)})`,
      );
  };
}

const reports = new WeakMap<tf.LayersModel, LoadReport>();

/** What the builder's weight load did for `model`, if it loaded weights. */
export function lastLoadReport(model: tf.LayersModel): LoadReport | undefined {
  return reports.get(model);
}

/**
 * A builder's last step: loads the weights its resolved options ask for into `model` ('imagenet': `file`,
 * downloaded; a string: that local .h5 file; null: nothing) and returns the model.
 */
export async function loadApplicationWeights(
  model: tf.LayersModel,
  o: ResolvedOptions,
  file: KerasWeightsFile | undefined,
): Promise<tf.LayersModel> {
  if (o.weights === null) return model;
  let h5: string;
  if (o.weights === 'imagenet') {
    if (!file)
      throw new Error(
        `${model.name}: no ImageNet weights are published for this configuration; use weights: null or a local file.`,
      );
    h5 = await fetchKerasWeights(file, { quiet: o.quiet, fits: fitsModel(model) });
  } else {
    h5 = o.weights;
  }
  const fix =
    `or, to keep the layers that fit and leave the others as initialised, build with weights: null and call ` +
    `loadKerasWeights(model, '${h5}', { skipMismatch: true }) from lib/models/weights`;
  reports.set(model, loadWith(model, h5, {}, fix));
  return model;
}
