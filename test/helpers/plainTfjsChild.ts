/**
 * A child process with nothing but `@tensorflow/tfjs` (never lib/, so no custom layer is registered): loads a saved
 * model folder with `tf.loadLayersModel` through a file IO handler and predicts on a float32 input file.
 *
 *     tsx test/helpers/plainTfjsChild.ts <model-dir> <input.f32> <shape as JSON>
 *
 * Prints one JSON line: `{ classNames, registered, predictions }`, the `class_name`s found anywhere in model.json,
 * the class names this tfjs registers, and the predictions (flat). Used by test/standardLayers.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Every `class_name` value inside `json`, recursively. */
function classNames(json: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(json)) json.forEach((v) => classNames(v, out));
  else if (json && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      if (k === 'class_name' && typeof v === 'string') out.add(v);
      else classNames(v, out);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const [dir, inputFile, shapeJson] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers = manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
        const joined = Buffer.concat(buffers);
        return [specs, joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer];
      }),
  };
  const model = await tf.loadLayersModel(handler);
  const raw = fs.readFileSync(inputFile);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const y = model.predict(tf.tensor(values, JSON.parse(shapeJson) as number[])) as tf.Tensor;
  const registered = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap);
  const result = {
    classNames: [...classNames(modelJSON.modelTopology)],
    registered,
    predictions: Array.from(y.dataSync()),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
