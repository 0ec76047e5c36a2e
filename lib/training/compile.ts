/**
 * Compiling that survives `trainable` changes: TF.js only notices them at compile time, so `compileModel`
 * remembers the compile arguments and `recompileModel` (called by every change in training/finetune.ts) compiles
 * again with a fresh optimizer of the same kind — the old one's slots belong to the old set of trainable weights.
 */
import * as tf from '@tensorflow/tfjs';

const compileArgs = new WeakMap<tf.LayersModel, tf.ModelCompileArgs>();

/** `model.compile(args)`, remembering the arguments so the model can be recompiled after `trainable` changes. */
export function compileModel(model: tf.LayersModel, args: tf.ModelCompileArgs): tf.LayersModel {
  model.compile(args);
  compileArgs.set(model, args);
  return model;
}

/**
 * The lesson's compile for a cats/dogs classifier (one sigmoid output): RMSprop at `learningRate`, binary
 * cross-entropy, accuracy — Keras's `model.compile(optimizer=RMSprop(learning_rate=lr), loss='binary_crossentropy',
 * metrics=['accuracy'])`. Returns nothing, so a notebook cell that ends with it prints no value.
 */
export function compileBinaryClassifier(model: tf.LayersModel, learningRate: number): void {
  compileModel(model, { optimizer: tf.train.rmsprop(learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
}

/** A new optimizer of the same class and config (optionally another learning rate). */
export function cloneOptimizer(opt: tf.Optimizer, learningRate?: number): tf.Optimizer {
  const ctor = opt.constructor as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>;
  const config = { ...opt.getConfig() };
  if (learningRate !== undefined) {
    if (!('learningRate' in config))
      throw new Error(`cloneOptimizer: ${opt.getClassName()} has no learningRate to change.`);
    config.learningRate = learningRate;
  }
  return ctor.fromConfig(ctor, config);
}

/** An optimizer from its Keras name, with Keras's default learning rate. */
function makeOptimizer(name: string): tf.Optimizer {
  const table: Record<string, () => tf.Optimizer> = {
    sgd: () => tf.train.sgd(0.01),
    adam: () => tf.train.adam(0.001),
    rmsprop: () => tf.train.rmsprop(0.001),
    adagrad: () => tf.train.adagrad(0.01),
    adadelta: () => tf.train.adadelta(1),
    adamax: () => tf.train.adamax(0.002),
  };
  const make = table[name.toLowerCase()];
  if (!make)
    throw new Error(`Unknown optimizer '${name}': use one of ${Object.keys(table).join(', ')} or an optimizer object.`);
  return make();
}

/** The arguments `model` was compiled with: recorded by `compileModel`, else read from a plain `model.compile`. */
function knownCompileArgs(model: tf.LayersModel): tf.ModelCompileArgs | undefined {
  const recorded = compileArgs.get(model);
  if (recorded || !model.optimizer) return recorded;
  const metrics = (model as unknown as { metrics?: tf.ModelCompileArgs['metrics'] }).metrics;
  return { optimizer: model.optimizer, loss: model.loss as tf.ModelCompileArgs['loss'], metrics };
}

/**
 * Recompiles after `trainable` changes, with the arguments recorded by `compileModel` (or, for a model
 * compiled with `model.compile`, its current optimizer/loss/metrics). The optimizer is replaced by a fresh one
 * of the same kind; `overrides` may change any argument, `learningRate` only the rate.
 */
export function recompileModel(
  model: tf.LayersModel,
  overrides: Partial<tf.ModelCompileArgs> & { learningRate?: number } = {},
): tf.LayersModel {
  const { learningRate, ...rest } = overrides;
  const args = knownCompileArgs(model);
  if (!args && !rest.optimizer) {
    throw new Error(
      `The model '${model.name}' was never compiled: call compileModel(model, { optimizer, loss, metrics }) ` +
        `first (then trainable changes recompile it for you).`,
    );
  }
  const merged = { ...(args ?? {}), ...rest } as tf.ModelCompileArgs;
  if (!merged.loss)
    throw new Error(`recompileModel('${model.name}'): no loss known; pass { loss } or use compileModel first.`);
  if (typeof merged.optimizer === 'string') {
    if (learningRate !== undefined) merged.optimizer = cloneOptimizer(makeOptimizer(merged.optimizer), learningRate);
  } else if (!rest.optimizer || learningRate !== undefined) {
    merged.optimizer = cloneOptimizer(merged.optimizer, learningRate);
  }
  return compileModel(model, merged);
}
