/**
 * lib/layers/reLU.ts: the one-op ReLU layer gives tfjs's ReLU layer's values and gradients (at 0, at 6, inside,
 * outside, NaN), on cpu and wasm; it saves as 'ReLU' and loads back as tfjs's ReLU; other maxValues (and none)
 * behave as tfjs's layer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { reLU } from '../lib/layers/reLU';

const VALUES = [-3, -1e-7, 0, 1e-7, 0.5, 5.999, 6, 6.0001, 9, NaN];

/** The layer's output and the gradient of sum(output * w) with respect to the input, as plain arrays. */
function outputAndGradient(layer: tf.layers.Layer): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor1d(VALUES);
    const w = tf.linspace(1, 2, VALUES.length);
    const f = (t: tf.Tensor): tf.Tensor => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, w));
    return [Array.from((layer.apply(x) as tf.Tensor).dataSync()), Array.from(tf.grad(f)(x).dataSync())];
  });
}

describe('reLU (one op)', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`equals tf.layers.reLU in values and gradients, maxValue 6, 2.5 and none (${backend})`, async () => {
      if (backend === 'wasm') await initBackend({ force: 'wasm', quiet: true });
      else await tf.setBackend('cpu');
      for (const maxValue of [6, 2.5, undefined]) {
        const before = tf.memory().numTensors;
        assert.deepEqual(outputAndGradient(reLU({ maxValue })), outputAndGradient(tf.layers.reLU({ maxValue })));
        assert.equal(tf.memory().numTensors, before);
      }
    });
  }

  it("saves as Keras's ReLU and loads back as tfjs's, computing the same", async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [VALUES.length] });
    const model = tf.model({
      inputs: input,
      outputs: reLU({ maxValue: 6, name: 'r6' }).apply(input) as tf.SymbolicTensor,
    });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string; config: object }[] } };
    const saved = json.config.layers[1];
    assert.equal(saved.class_name, 'ReLU');
    assert.equal((saved.config as { max_value?: number }).max_value, 6);
    const artifacts = await new Promise<tf.io.ModelArtifacts>((resolve) =>
      model.save({
        save: async (a) => (resolve(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    assert.equal(loaded.layers[1].getClassName(), 'ReLU');
    const x = tf.tensor2d([VALUES]);
    assert.deepEqual(
      Array.from((loaded.predict(x) as tf.Tensor).dataSync()),
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });
});
