/**
 * Time per image of CAM and Grad-CAM on MobileNet α=0.25 with its ImageNet top at 224x224 (the shipped weights),
 * on real photos of the mini set, per backend; writes one Grad-CAM overlay per photo.
 *
 *   npm run bench:cam [-- --backends wasm,cpu] [-- --images 8] [-- --out build/cam]
 *
 * For each backend: one warm-up image, then the median over the photos of: the forward pass alone
 * (`model.predict`), `classActivationMap`, `gradCam`, and the overlay as PNG (photo at its own size).
 */
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { writeFileAtomic } from '../lib/core/atomicFile';
import { assetPath, buildPath } from '../lib/core/paths';
import { loadImage } from '../lib/data/imageDataset';
import { classActivationMap } from '../lib/explain/cam';
import { gradCam } from '../lib/explain/gradCam';
import { overlayPng } from '../lib/explain/overlay';
import { imagenetClasses, preprocessInput } from '../lib/models/imagenet';
import { mobilenet } from '../lib/models/mobilenet';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed<T>(ms: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  ms.push(performance.now() - t0);
  return out;
}

/** The photos: the first `n` test images of the mini set, cats and dogs alternating. */
function photos(n: number): string[] {
  const dir = assetPath('cats_and_dogs_mini', 'test');
  return Array.from({ length: n }, (_, i) =>
    path.join(dir, i % 2 ? 'dogs' : 'cats', `${i % 2 ? 'dog' : 'cat'}.${10150 + (i >> 1)}.jpg`),
  );
}

async function benchBackend(backend: string, files: string[], outDir: string): Promise<Record<string, number>> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const model = await mobilenet({
    alpha: 0.25,
    includeTop: true,
    weights: assetPath('keras-weights', 'mobilenet_2_5_224_tf.h5'),
    quiet: true,
  });
  const names = imagenetClasses();
  const ms: Record<string, number[]> = { predict: [], cam: [], gradCam: [], overlay: [] };
  for (const [i, file] of [files[0], ...files].entries()) {
    const warm = i === 0;
    const pick = (k: string) => (warm ? [] : ms[k]);
    const photo = await loadImage(file);
    const resized = await loadImage(file, { imageSize: [224, 224] });
    const x = tf.tidy(() => preprocessInput(resized, 'tf'));
    await timed(pick('predict'), async () => tf.dispose(await (model.predict(x.expandDims(0)) as tf.Tensor).data()));
    await timed(pick('cam'), () => classActivationMap(model, x));
    const g = await timed(pick('gradCam'), () => gradCam(model, x));
    const png = await timed(pick('overlay'), () => overlayPng(photo, g.map));
    if (!warm) {
      const name = `${backend}_${path.basename(file, '.jpg')}_${names[g.classIndex][1].replace(/[^\w-]/g, '_')}.png`;
      await writeFileAtomic(path.join(outDir, name), png);
    }
    tf.dispose([photo, resized, x]);
  }
  model.dispose();
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
}

const USAGE = 'usage: npm run bench:cam -- [--backends wasm,cpu] [--images 8] [--out <folder>]';

async function main(): Promise<void> {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    {
      backends: { type: 'string', default: 'wasm,cpu' },
      images: { type: 'string', default: '8' },
      out: { type: 'string', default: buildPath('cam') },
    },
    USAGE,
    false,
  );
  const backends = values.backends.split(',').map((b) => b.trim());
  for (const b of backends) if (b !== 'wasm' && b !== 'cpu') throw new Error(`--backends: '${b}' is not wasm or cpu.`);
  const n = Number(values.images);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--images ${values.images}: give a positive whole number.`);
  const info = await initBackend({ force: 'wasm', quiet: true });
  console.log(
    `MobileNet α=0.25 + ImageNet top, 224x224, ${n} photos; wasm threads: ${info.threads}; ms per image (median)`,
  );
  console.log(['backend', 'predict', 'CAM', 'Grad-CAM', 'overlay PNG'].join('\t'));
  for (const b of backends) {
    const r = await benchBackend(b, photos(n), values.out);
    console.log(
      [b, r.predict, r.cam, r.gradCam, r.overlay].map((v) => (typeof v === 'number' ? v.toFixed(1) : v)).join('\t'),
    );
  }
  console.log(`overlays: ${values.out}`);
}

runMain('bench_cam', main);
