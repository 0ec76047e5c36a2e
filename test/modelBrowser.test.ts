/**
 * The folder `npm run train` writes loads in a browser with nothing but TF.js: a short run (the shipped flowers at
 * 64 px, one epoch) is served over a loopback HTTP server with `@tensorflow/tfjs`'s own browser bundle; headless
 * Chromium (playwright-core) calls `tf.loadLayersModel('http://127.0.0.1:PORT/model.json')` and predicts a photo,
 * and the probabilities equal those Node computes with the project's loader (within 1e-4).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { assetPath } from '../lib/core/paths';
import { listImages } from '../lib/data/files';
import { loadImage } from '../lib/data/imageDataset';
import { loadSavedModel } from '../lib/models/savedModel';
import { main as train } from '../scripts/train';
import { CHROMIUM_FLAGS } from './helpers/classicNotebook';
import { startServer, type Handler } from './helpers/server';
import { quietLessonForFile } from './helpers/quietLesson';
import { tempDir } from './helpers/tempDir';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TFJS_BUNDLE = path.join(__dirname, '..', 'node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js');
const SIZE = 64;
const tmp = tempDir('model-browser-');
quietLessonForFile();

/** Serves `data` with its content type. */
const file =
  (data: Buffer, type: string): Handler =>
  (_req, res) => {
    res.setHeader('Content-Type', type);
    res.end(data);
  };

const PAGE = '<!doctype html><meta charset="utf-8"><title>model</title><script src="/tf.min.js"></script>';

/** The page's code: loads the model from `url`, predicts `values` of `shape` on the cpu backend (a string: tsx would wrap a function). */
const predictInPage = (url: string, values: number[], shape: number[]) => `(async () => {
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(${JSON.stringify(url)});
  const y = model.predict(tf.tensor(${JSON.stringify(values)}, ${JSON.stringify(shape)}));
  return { probs: Array.from(await y.data()), classes: model.layers.map((l) => l.getClassName()), version: tf.version.tfjs };
})()`;

test(
  'npm run train output loads with tf.loadLayersModel in headless Chromium and predicts as Node does',
  { skip: !fs.existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` },
  async () => {
    const out = path.join(tmp, 'flowers');
    const code = await train([
      assetPath('flowers_mini'),
      '--image-size',
      String(SIZE),
      '--epochs',
      '1',
      '--out',
      out,
      '--quiet',
    ]);
    assert.equal(code, 0);
    const flowerDir = assetPath('flowers_mini', 'rose');
    const photo = await loadImage((await listImages(flowerDir))[0], { imageSize: [SIZE, SIZE] });
    const input = photo.expandDims(0);
    const model = await loadSavedModel(out);
    const want = Array.from((model.predict(input) as tf.Tensor).dataSync());
    const values = Array.from(input.dataSync());
    tf.dispose([photo, input]);
    model.dispose();

    const server = await startServer({
      '/': file(Buffer.from(PAGE), 'text/html; charset=utf-8'),
      '/tf.min.js': file(fs.readFileSync(TFJS_BUNDLE), 'text/javascript'),
      '/model.json': file(fs.readFileSync(path.join(out, 'model.json')), 'application/json'),
      '/weights.bin': file(fs.readFileSync(path.join(out, 'weights.bin')), 'application/octet-stream'),
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.base}/`);
      await page.waitForFunction('!!window.tf', null, { timeout: 30_000 });
      const got = (await page.evaluate(predictInPage(`${server.base}/model.json`, values, [1, SIZE, SIZE, 3]))) as {
        probs: number[];
        classes: string[];
        version: string;
      };
      assert.deepEqual(errors, []);
      assert.equal(got.version, tf.version.tfjs);
      assert.equal(got.probs.length, want.length);
      const diff = got.probs.reduce((m, p, i) => Math.max(m, Math.abs(p - want[i])), 0);
      console.log(`browser vs Node: max difference ${diff} over ${want.length} classes (${got.classes.join(', ')})`);
      assert.ok(diff <= 1e-4, `browser ${got.probs} vs Node ${want}`);
      const fetched = server.requests.map((r) => r.url);
      assert.ok(fetched.includes('/model.json') && fetched.includes('/weights.bin'), fetched.join(', '));
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
