/**
 * Keras HDF5 weights: the real Keras fixture (MobileNet 0.25 no top), generated Keras-layout files written
 * with h5wasm (VGG16 and ResNet50 no top round-trip exactly), downloads from a loopback server, cache hits,
 * hash mismatch, 404, wrong-architecture and shape-mismatch errors.
 */
import test, { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as jsfive from 'jsfive';
import { jsfiveMessageOffset } from '../lib/core/internals';
import { readKerasWeights } from '../lib/io/kerasHdf5';
import { leafLayers } from '../lib/layers/walk';
import { weightsCacheDir } from '../lib/core/paths';
import { fetchKerasWeights } from '../lib/models/weightFiles';
import { lastLoadReport, loadKerasWeights } from '../lib/models/weights';
import { buildMobileNet, mobilenet } from '../lib/models/mobilenet';
import { buildResNet, resnet50 } from '../lib/models/resnet';
import { buildVgg, vgg16 } from '../lib/models/vgg';
import { tempDir } from './helpers/tempDir';

const FIXTURE = path.join(__dirname, '..', 'lib', 'assets', 'keras-weights', 'mobilenet_2_5_224_tf_no_top.h5');
const tmp = tempDir('keras-weights-test-');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type H5 = any;
let h5wasm: H5;
/** jsfive directly (an independent reader for the spot checks). */
function openWithJsfive(file: string): jsfive.File {
  const b = fs.readFileSync(file);
  return new jsfive.File(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer, path.basename(file));
}

/** The layers with weights, nested models included, in model order. */
const weightedLayers = (m: tf.LayersModel) => leafLayers(m).filter((l) => l.weights.length > 0);

/** Deterministic pseudo-random floats (mulberry32). */
function randomFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Keras's name of a TF.js weight: 'block1_conv1/kernel' → 'kernel:0'. */
const kerasShort = (w: tf.LayerVariable) => `${w.originalName.split('/').pop()!.replace(/_\d+$/, '')}:0`;

/**
 * Writes random weights for every weighted layer of `model` in Keras 2 layout (layer_names at the root, or
 * under model_weights), returns the values by '<layer>/<weight>'.
 */
/** How one dataset is stored (h5wasm options): chunked and/or gzip-compressed, or as float64. */
type DatasetStorage = { chunks?: number[]; compression?: number; float64?: boolean; filter?: number };

function writeKerasH5(
  model: tf.LayersModel,
  file: string,
  opts: {
    modelWeights?: boolean;
    seed?: number;
    storage?: (layer: string, weight: string, shape: number[]) => DatasetStorage | undefined;
  } = {},
): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const f = new h5wasm.File(file, 'w');
  const root = opts.modelWeights ? f.create_group('model_weights') : f;
  const names = model.layers.map((l) => l.name);
  root.create_attribute('layer_names', names);
  root.create_attribute('keras_version', '2.2.4');
  root.create_attribute('backend', 'tensorflow');
  let seed = opts.seed ?? 1;
  for (const layer of model.layers) {
    const g = root.create_group(layer.name);
    const ws = layer.weights;
    g.create_attribute(
      'weight_names',
      ws.map((w) => `${layer.name}/${kerasShort(w)}`),
    );
    if (ws.length === 0) continue;
    const sub = g.create_group(layer.name);
    for (const w of ws) {
      const shape = w.shape as number[];
      const data = randomFloats(
        shape.reduce((a, b) => a * b, 1),
        seed++,
      );
      const st = opts.storage?.(layer.name, kerasShort(w), shape) ?? {};
      // h5wasm spells float64 '<d' ('<f8' would mean float32 there).
      const dtype = st.float64 ? '<d' : '<f4';
      // `filter`: an HDF5 filter id other than gzip (h5wasm passes it on with no options), e.g. 5 = N-bit.
      const compression = st.filter ?? st.compression;
      const compressionOpts = st.filter === undefined ? undefined : [];
      sub.create_dataset({
        name: kerasShort(w),
        data: st.float64 ? Float64Array.from(data) : data,
        shape,
        dtype,
        chunks: st.chunks,
        compression,
        compression_opts: compressionOpts,
      });
      values.set(`${layer.name}/${kerasShort(w)}`, data);
    }
  }
  f.close();
  return values;
}

function assertAllWeightsEqual(model: tf.LayersModel, values: Map<string, Float32Array>): number {
  let n = 0;
  for (const layer of weightedLayers(model)) {
    for (const w of layer.weights) {
      const expected = values.get(`${layer.name}/${kerasShort(w)}`);
      assert.ok(expected, `no written value for ${layer.name}/${kerasShort(w)}`);
      const got = w.read().dataSync();
      assert.equal(got.length, expected.length, `${layer.name}/${kerasShort(w)} length`);
      for (let i = 0; i < got.length; i++) {
        if (got[i] !== expected[i]) assert.fail(`${layer.name}/${kerasShort(w)}[${i}]: ${got[i]} !== ${expected[i]}`);
      }
      n++;
    }
  }
  return n;
}

// A loopback server standing in for storage.googleapis.com.
let server: http.Server;
let baseUrl = '';
const routes = new Map<string, Buffer>();
const requests: string[] = [];

before(async () => {
  await tf.setBackend('cpu');
  h5wasm = await import('h5wasm/node' as string);
  await h5wasm.ready;
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keras-applications/`;
  process.env.KERAS_WEIGHTS_BASE_URL = baseUrl;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  delete process.env.KERAS_WEIGHTS_BASE_URL;
  delete process.env.KERAS_WEIGHTS_DIR;
});

describe('the Keras fixture (MobileNet alpha 0.25, 224, no top, Keras 2.0.4)', () => {
  test('is the expected file', () => {
    const md5 = createHash('md5').update(fs.readFileSync(FIXTURE)).digest('hex');
    assert.equal(md5, 'f313cee49f5d33dfb06f2b255c4adb64');
    const content = readKerasWeights(FIXTURE);
    assert.equal(content.kerasVersion, '2.0.4');
    assert.equal(content.layerNames.length, 83);
    const weighted = content.layerNames.filter((n) => content.layers.get(n)!.length > 0);
    assert.equal(weighted.length, 54);
    const params = weighted.reduce((s, n) => s + content.layers.get(n)!.reduce((t, w) => t + w.read().length, 0), 0);
    assert.equal(params, 218544);
  });

  test('loads into mobilenet({alpha: 0.25, includeTop: false}) with every weighted layer matched and equal values', async () => {
    const model = await mobilenet({ alpha: 0.25, includeTop: false, weights: FIXTURE, inputShape: [224, 224, 3] });
    const report = lastLoadReport(model)!;
    assert.ok(report, 'the builder keeps a load report');
    assert.equal(report.loadedLayers.length, 54);
    assert.equal(report.paramsLoaded, 218544);
    assert.equal(model.countParams(), 218544);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(report.unusedFileLayers, []);
    assert.equal(weightedLayers(model).length, 54);

    const f = openWithJsfive(FIXTURE);
    const spot: [string, string, number][] = [
      ['conv1', 'conv1/kernel:0', 0],
      ['conv1_bn', 'conv1_bn/gamma:0', 0],
      ['conv_dw_5', 'conv_dw_5/depthwise_kernel:0', 0],
      ['conv_pw_7_bn', 'conv_pw_7_bn/moving_mean:0', 2],
      ['conv_pw_13_bn', 'conv_pw_13_bn/moving_variance:0', 3],
      ['conv_pw_13', 'conv_pw_13/kernel:0', 0],
    ];
    for (const [layer, weight, index] of spot) {
      const d = f.get(`${layer}/${weight}`);
      const expected = Float32Array.from(d.value as number[]);
      const w = model.getLayer(layer).getWeights()[index];
      assert.deepEqual(w.shape, d.shape, `${layer}/${weight} shape`);
      assert.deepEqual(w.dataSync(), expected, `${layer}/${weight} values`);
    }
    const out = tf.tidy(() => model.predict(tf.randomUniform([1, 224, 224, 3], -1, 1)) as tf.Tensor);
    assert.deepEqual(out.shape, [1, 7, 7, 256]);
    assert.ok(out.dataSync().every(Number.isFinite));
    out.dispose();
    model.dispose();
  });

  test('loading creates no lasting tensors', async () => {
    const model = buildMobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [32, 32, 3] });
    const n = tf.memory().numTensors;
    loadKerasWeights(model, FIXTURE);
    loadKerasWeights(model, FIXTURE);
    assert.equal(tf.memory().numTensors, n);
    model.dispose();
  });

  test('a file for another architecture is named as such', async () => {
    const model = buildVgg(16, { weights: null, includeTop: false, inputShape: [32, 32, 3] });
    assert.throws(
      () => loadKerasWeights(model, FIXTURE),
      (err: Error) => {
        assert.match(err.message, /does not fit model 'vgg16'/);
        assert.match(err.message, /seems to be for MobileNet v1/);
        assert.ok(err.message.includes(FIXTURE));
        return true;
      },
    );
    model.dispose();
  });

  test('a shape mismatch names the layer, the weight and both shapes; skipMismatch skips it', async () => {
    const model = buildMobileNet({ alpha: 0.5, includeTop: false, weights: null });
    assert.throws(
      () => loadKerasWeights(model, FIXTURE),
      (err: Error) => {
        assert.match(err.message, /shape mismatch in layer 'conv1', weight 'kernel'/);
        assert.match(err.message, /expects \[3, 3, 3, 16\] but .* has \[3, 3, 3, 8\]/);
        return true;
      },
    );
    const before = model.getLayer('conv1').getWeights()[0].dataSync().slice();
    const report = loadKerasWeights(model, FIXTURE, { skipMismatch: true });
    assert.ok(report.skipped.some((s) => s.layer === 'conv1'));
    assert.deepEqual(model.getLayer('conv1').getWeights()[0].dataSync(), before, 'a skipped layer keeps its values');
    model.dispose();
  });

  test('a layer missing from the file is named', async () => {
    const model = buildMobileNet({ alpha: 0.25, weights: null }); // with top: conv_preds is not in a no-top file
    assert.throws(() => loadKerasWeights(model, FIXTURE), /Missing layer: layer 'conv_preds' is not in/);
    const report = loadKerasWeights(model, FIXTURE, { skipMismatch: true });
    assert.deepEqual(
      report.skipped.map((s) => s.layer),
      ['conv_preds'],
    );
    assert.equal(report.loadedLayers.length, 54);
    model.dispose();
  });

  test('the raw float32 reader and the jsfive element reader give identical arrays', () => {
    const fast = readKerasWeights(FIXTURE);
    const slow = readKerasWeights(FIXTURE, { reader: 'jsfive' });
    assert.deepEqual(fast.layerNames, slow.layerNames);
    let arrays = 0;
    let params = 0;
    for (const name of fast.layerNames) {
      const fw = fast.layers.get(name)!;
      const sw = slow.layers.get(name)!;
      assert.equal(fw.length, sw.length, name);
      fw.forEach((w, i) => {
        assert.equal(w.storage, 'contiguous-f32', `${w.name} takes the fast path`);
        assert.equal(sw[i].storage, 'jsfive', `${w.name} is forced onto jsfive`);
        assert.equal(w.name, sw[i].name);
        assert.deepEqual(w.shape, sw[i].shape);
        const a = w.read();
        const b = sw[i].read();
        assert.ok(a instanceof Float32Array && b instanceof Float32Array);
        assert.equal(a.length, w.size);
        assert.deepEqual(a, b, `${w.name} values`);
        arrays++;
        params += a.length;
      });
    }
    assert.equal(arrays, 135); // 27 conv kernels + 27 BatchNorms x 4
    assert.equal(params, 218544);
    assert.throws(() => readKerasWeights(FIXTURE, { reader: 'fast' as 'auto' }), /reader must be 'auto' or 'jsfive'/);
  });

  test('a file that changed size after opening is refused on read', () => {
    const copy = path.join(tmp, 'changing.h5');
    fs.copyFileSync(FIXTURE, copy);
    const content = readKerasWeights(copy);
    const w = content.layers.get('conv1')![0];
    assert.equal(w.read().length, w.size);
    fs.appendFileSync(copy, Buffer.alloc(16));
    assert.throws(() => w.read(), /changing\.h5 changed size since it was opened/);
    fs.rmSync(copy);
  });

  test("a builder's mismatch error offers what the builder has (weights: null + loadKerasWeights), not a flag it lacks", async () => {
    const fix =
      /build with weights: null and call loadKerasWeights\(model, '.*mobilenet_2_5_224_tf_no_top\.h5', \{ skipMismatch: true \}\)/;
    await assert.rejects(mobilenet({ alpha: 0.5, includeTop: false, weights: FIXTURE }), (err: Error) => {
      assert.match(err.message, /shape mismatch in layer 'conv1', weight 'kernel'/);
      assert.match(err.message, fix);
      assert.doesNotMatch(err.message, /pass skipMismatch: true/i);
      return true;
    });
    await assert.rejects(mobilenet({ alpha: 0.25, weights: FIXTURE }), (err: Error) => {
      assert.match(err.message, /Missing layer: layer 'conv_preds'/);
      assert.match(err.message, fix);
      assert.doesNotMatch(err.message, /pass skipMismatch: true/i);
      return true;
    });
    // What the message offers works: the layers that fit load, the top stays as initialised.
    const model = buildMobileNet({ alpha: 0.25, weights: null });
    const report = loadKerasWeights(model, FIXTURE, { skipMismatch: true });
    assert.deepEqual(
      report.skipped.map((s) => s.layer),
      ['conv_preds'],
    );
    model.dispose();
  });

  test('jsfive internals: the layout message offset is read, and a dataset without them falls back with one warning', () => {
    const d = openWithJsfive(FIXTURE).get('conv1/conv1/kernel:0');
    const at = jsfiveMessageOffset(d, 0x0008);
    assert.ok(typeof at === 'number' && at > 0, `offset ${at}`);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    try {
      assert.equal(jsfiveMessageOffset({ shape: [1] }, 0x0008), undefined);
      assert.equal(
        jsfiveMessageOffset(
          {
            _dataobjects: {
              find_msg_type: () => {
                throw new Error('changed');
              },
            },
          },
          0x0008,
        ),
        undefined,
      );
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /element reader/);
  });

  test('a file that is not HDF5 is refused with its name', async () => {
    const bad = path.join(tmp, 'not-hdf5.h5');
    fs.writeFileSync(bad, 'hello');
    const model = buildMobileNet({ alpha: 0.25, includeTop: false, weights: null });
    assert.throws(() => loadKerasWeights(model, bad), /not-hdf5\.h5 is not an HDF5 file/);
    assert.throws(() => loadKerasWeights(model, path.join(tmp, 'nope.h5')), /Keras weight file not found: .*nope\.h5/);
    model.dispose();
  });
});

describe('generated Keras-layout files round-trip exactly', () => {
  /** Writes random Keras-layout weights for `build()`, loads them with the async builder, compares all. */
  async function roundTrip(
    name: string,
    build: () => tf.LayersModel,
    load: (file: string) => Promise<tf.LayersModel>,
    params: number,
    arrays: number,
  ) {
    const model = build();
    const file = path.join(tmp, `${name}_random.h5`);
    const values = writeKerasH5(model, file, { seed: params % 1000 });
    model.dispose();
    const loaded = await load(file);
    const report = lastLoadReport(loaded)!;
    assert.equal(report.paramsLoaded, params);
    assert.equal(report.loadedLayers.length, weightedLayers(loaded).length);
    assert.equal(assertAllWeightsEqual(loaded, values), arrays);
    loaded.dispose();
    fs.rmSync(file);
  }
  const small = { includeTop: false, inputShape: [32, 32, 3] as [number, number, number] };

  test('VGG16 without top', async () => {
    await roundTrip(
      'vgg16_notop',
      () => buildVgg(16, { ...small, weights: null }),
      (file) => vgg16({ ...small, weights: file }),
      14714688,
      26,
    );
  });

  test('ResNet50 without top', async () => {
    await roundTrip(
      'resnet50_notop',
      () => buildResNet(50, { ...small, weights: null }),
      (file) => resnet50({ ...small, weights: file }),
      23587712,
      318,
    );
  });

  test('chunked, gzip-compressed and float64 datasets fall back to jsfive with exact values', async () => {
    const build = () => buildMobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [32, 32, 3] });
    const model = build();
    const file = path.join(tmp, 'mobilenet_mixed_storage.h5');
    const kinds = new Map<string, string>();
    const values = writeKerasH5(model, file, {
      seed: 11,
      storage: (layer, weight, shape) => {
        const key = `${layer}/${weight}`;
        // Chunks smaller than the array (several chunks, a partial last one) on the first dimension.
        const chunks = [Math.max(1, Math.ceil(shape[0] / 3)), ...shape.slice(1)];
        if (layer === 'conv1') {
          kinds.set(key, 'chunked');
          return { chunks };
        }
        if (layer.startsWith('conv_pw_1') && shape.length === 4) {
          kinds.set(key, 'gzip');
          return { chunks, compression: 4 };
        }
        if (layer === 'conv_dw_2_bn') {
          kinds.set(key, 'f8');
          return { float64: true };
        }
        if (layer === 'conv_pw_3_bn') {
          kinds.set(key, 'gzip');
          return { chunks, compression: 9 };
        }
        kinds.set(key, 'contiguous');
        return undefined;
      },
    });
    const count = (k: string) => [...kinds.values()].filter((v) => v === k).length;
    assert.ok(
      count('chunked') >= 1 && count('gzip') >= 5 && count('f8') >= 4 && count('contiguous') > 100,
      JSON.stringify(Object.fromEntries(kinds)),
    );

    const content = readKerasWeights(file);
    for (const [layer, ws] of content.layers) {
      for (const w of ws) {
        const key = `${layer}/${w.name.split('/').pop()}`;
        const kind = kinds.get(key);
        assert.ok(kind, `no storage recorded for ${key}`);
        assert.equal(w.storage, kind === 'contiguous' ? 'contiguous-f32' : 'jsfive', `${key} (${kind})`);
        assert.deepEqual(w.read(), values.get(key), `${key} (${kind}) values`);
      }
    }
    const n = tf.memory().numTensors;
    const report = loadKerasWeights(model, file);
    assert.equal(tf.memory().numTensors, n);
    assert.equal(report.paramsLoaded, 218544);
    assertAllWeightsEqual(model, values);
    model.dispose();
    fs.rmSync(file);
  });

  test('a file whose last weight cannot be read leaves every weight of the model as it was', () => {
    const model = buildMobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [32, 32, 3] });
    const file = path.join(tmp, 'mobilenet_last_unreadable.h5');
    const lastLayer = weightedLayers(model).at(-1)!.name;
    // N-bit (HDF5 filter 5) is valid HDF5 but jsfive cannot read it: the read fails after 53 layers were checked.
    writeKerasH5(model, file, {
      seed: 5,
      storage: (layer, weight, shape) =>
        layer === lastLayer && weight === 'moving_variance:0' ? { chunks: shape, filter: 5 } : undefined,
    });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const n = tf.memory().numTensors;
    assert.throws(
      () => loadKerasWeights(model, file),
      (err: Error) => {
        assert.match(
          err.message,
          /Cannot read weight 'conv_pw_13_bn\/moving_variance:0' of .*mobilenet_last_unreadable\.h5/,
        );
        assert.match(err.message, /Filter with id:5 not supported/);
        assert.match(err.message, /No weight of model 'mobilenet_0\.25_32' was changed/);
        return true;
      },
    );
    const after = model.getWeights().map((w) => w.dataSync().slice());
    assert.equal(after.length, 135);
    after.forEach((a, i) => assert.deepEqual(a, before[i], `weight ${i} unchanged`));
    assert.equal(tf.memory().numTensors, n);
    model.dispose();
    fs.rmSync(file);
  });

  test('the model_weights layout (model.save) and loading by order', async () => {
    const model = buildMobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [32, 32, 3] });
    const file = path.join(tmp, 'mobilenet_model_weights.h5');
    const values = writeKerasH5(model, file, { modelWeights: true, seed: 7 });
    const report = loadKerasWeights(model, file);
    assert.equal(report.paramsLoaded, 218544);
    assertAllWeightsEqual(model, values);
    const other = buildMobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [32, 32, 3] });
    loadKerasWeights(other, file, { byName: false });
    assertAllWeightsEqual(other, values);
    model.dispose();
    other.dispose();
  });
});

describe("weights: 'imagenet' (download, cache, hash)", () => {
  const fixtureBytes = fs.readFileSync(FIXTURE);
  const mobilenetRoute = '/keras-applications/mobilenet/mobilenet_2_5_224_tf_no_top.h5';
  /** A fresh cache folder (KERAS_WEIGHTS_DIR) holding a copy of the fixture as `fileName`; resets the request log. */
  const cacheWithFixture = (dirName: string, fileName: string): string => {
    const dir = path.join(tmp, dirName);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(FIXTURE, path.join(dir, fileName));
    process.env.KERAS_WEIGHTS_DIR = dir;
    requests.length = 0;
    return dir;
  };

  test('the cache folder defaults to data/models under the project root and follows KERAS_WEIGHTS_DIR', () => {
    delete process.env.KERAS_WEIGHTS_DIR;
    assert.equal(weightsCacheDir(), path.join(path.resolve(__dirname, '..'), 'data', 'models'));
    process.env.KERAS_WEIGHTS_DIR = path.join(tmp, 'x');
    assert.equal(weightsCacheDir(), path.join(tmp, 'x'));
  });

  test('downloads from the base URL into the cache, then uses the cached file without network', async () => {
    process.env.KERAS_WEIGHTS_DIR = path.join(tmp, 'cache-download');
    routes.set(mobilenetRoute, fixtureBytes);
    requests.length = 0;
    const m1 = await mobilenet({ alpha: 0.25, includeTop: false, quiet: true });
    assert.deepEqual(requests, [mobilenetRoute]);
    const cached = path.join(tmp, 'cache-download', 'mobilenet_2_5_224_tf_no_top.h5');
    assert.deepEqual(fs.readFileSync(cached), fixtureBytes);
    assert.equal(lastLoadReport(m1)!.paramsLoaded, 218544);
    const m2 = await mobilenet({ alpha: 0.25, includeTop: false, quiet: true });
    assert.equal(requests.length, 1, 'second build uses the cache');
    assert.deepEqual(m2.getLayer('conv1').getWeights()[0].dataSync(), m1.getLayer('conv1').getWeights()[0].dataSync());
    m1.dispose();
    m2.dispose();
    routes.delete(mobilenetRoute);
  });

  test('an existing file in the cache is used without any request', async () => {
    cacheWithFixture('cache-hit', 'mobilenet_2_5_224_tf_no_top.h5');
    const m = await mobilenet({ alpha: 0.25, includeTop: false, quiet: true });
    assert.equal(requests.length, 0);
    assert.equal(lastLoadReport(m)!.loadedLayers.length, 54);
    m.dispose();
  });

  test('MobileNet picks the weight file by input size as Keras does (224 for other sizes)', async () => {
    cacheWithFixture('cache-rows', 'mobilenet_2_5_224_tf_no_top.h5');
    const m = await mobilenet({ alpha: 0.25, includeTop: false, inputShape: [100, 80, 3], quiet: true });
    assert.equal(requests.length, 0, 'the cached 224 file serves a 100x80 input');
    assert.equal(m.name, 'mobilenet_0.25_224');
    // Keras's explicit (0, 1) zero padding before each stride-2 'valid' conv: 100 -> 50, 25, 12, 6, 3; 80 -> 40, 20, 10, 5, 2.
    assert.deepEqual(m.outputs[0].shape, [null, 3, 2, 256]);
    m.dispose();
    await assert.rejects(
      mobilenet({ alpha: 0.25, includeTop: false, inputShape: [128, 128, 3], quiet: true }),
      /mobilenet\/mobilenet_2_5_128_tf_no_top\.h5/,
    );
    assert.deepEqual(requests, ['/keras-applications/mobilenet/mobilenet_2_5_128_tf_no_top.h5']);
  });

  test('a download with the wrong hash is kept aside and not used', async () => {
    const dir = path.join(tmp, 'cache-hash');
    process.env.KERAS_WEIGHTS_DIR = dir;
    const route = '/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5';
    routes.set(route, fixtureBytes); // not the ResNet50 file: its md5 differs from Keras's
    await assert.rejects(resnet50({ includeTop: false, inputShape: [32, 32, 3], quiet: true }), (err: Error) => {
      assert.match(
        err.message,
        /wrong md5 hash: expected 4d473c1dd8becc155b73f8504c6f6626, got f313cee49f5d33dfb06f2b255c4adb64/,
      );
      return true;
    });
    const dest = path.join(dir, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5');
    assert.equal(fs.existsSync(dest), false, 'nothing under the final name');
    assert.equal(fs.existsSync(`${dest}.bad`), true, 'the bad copy is kept aside');
    routes.delete(route);
  });

  test('a 404 names the URL and the cache path', async () => {
    const dir = path.join(tmp, 'cache-404');
    process.env.KERAS_WEIGHTS_DIR = dir;
    const file = 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5';
    await assert.rejects(vgg16({ includeTop: false, inputShape: [32, 32, 3], quiet: true }), (err: Error) => {
      assert.ok(err.message.includes(`${baseUrl}vgg16/${file}`), err.message);
      assert.ok(err.message.includes(path.join(dir, file)), err.message);
      assert.match(err.message, /404/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, file)), false);
  });

  test('fetchKerasWeights verifies a cached file against the hash', async () => {
    const dir = cacheWithFixture('cache-verify', 'f.h5');
    const p = await fetchKerasWeights(
      { subdir: 'x', fileName: 'f.h5', hash: 'f313cee49f5d33dfb06f2b255c4adb64' },
      { quiet: true },
    );
    assert.equal(p, path.join(dir, 'f.h5'));
    assert.equal(requests.length, 0);
    // A cached file with the wrong hash is fetched again (here: 404, so it fails naming the URL).
    await assert.rejects(
      fetchKerasWeights({ subdir: 'x', fileName: 'f.h5', hash: '0'.repeat(32) }, { quiet: true }),
      /x\/f\.h5/,
    );
    assert.deepEqual(requests, ['/keras-applications/x/f.h5']);
  });
});
