/**
 * How fast, how large and how accurate `npm run train` is with its offline defaults ('extract', the shipped
 * MobileNet α=0.25, 192 px) on this machine:
 *
 *   npm run bench:train [-- --photos 4000] [-- --only speed|accuracy]
 *
 * 1. speed: a folder of `--photos` images in 5 classes, made under build/bench-train/ from the 200 shipped flower
 *    photos (each re-encoded many times with a random crop, a random flip, a random size of 128..500 pixels per
 *    side and a random JPEG quality: the same photos, not new ones), trained and saved (report included) by
 *    scripts/train.ts in a child process; its wall time and peak resident memory (getrusage's maxRSS).
 * 2. accuracy, on real photos only: the shipped flowers (5 classes) and a 7-class set (the mini cats and dogs
 *    plus the flowers). `trainOnFolder`'s validation accuracy next to an independent reference on the same split
 *    and the same frozen features, globally average pooled: a multinomial logistic regression in NumPy
 *    (scripts/reference_logreg.py, Debian's /usr/bin/python3); and 'finetune' next to 'extract'.
 *
 * Prints the figures; times are wall-clock seconds. Not a test: the numbers depend on the machine and its load.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { assetPath, buildPath } from '../lib/core/paths';
import { seededRandom } from '../lib/core/random';
import { listClassFolders, listImages } from '../lib/data/files';
import { saveNpy } from '../lib/io/npy';
import { preprocessInput } from '../lib/models/imagenet';
import { extractFeatures } from '../lib/training/features';
import { loadFolderBackbone } from '../lib/training/folderBackbone';
import { trainOnFolder, type FolderRun } from '../lib/training/folderTraining';
import { saveFolderRun } from '../lib/ui/folderRunFiles';

const ROOT = buildPath('bench-train');
const FLOWERS = assetPath('flowers_mini');

/** `--photos` images in the 5 flower classes, re-encoded from the shipped photos (made once, then reused). */
async function speedFolder(photos: number): Promise<string> {
  const dir = path.join(ROOT, `photos-${photos}`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const random = seededRandom(17);
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  const classes = await listClassFolders(FLOWERS);
  const perClass = Math.ceil(photos / classes.length);
  for (const c of classes) {
    const sources = await listImages(path.join(FLOWERS, c));
    fs.mkdirSync(path.join(dir, c), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const src = sharp(sources[i % sources.length]);
      const { width = 128, height = 128 } = await src.metadata();
      const [w, h] = [between(0.6 * width, width), between(0.6 * height, height)];
      let img = src.extract({ left: between(0, width - w), top: between(0, height - h), width: w, height: h });
      if (random() < 0.5) img = img.flop();
      img = img.resize(between(128, 500), between(128, 500), { fit: 'fill' });
      await img.jpeg({ quality: between(75, 95) }).toFile(path.join(dir, c, `${c}_${String(i).padStart(4, '0')}.jpg`));
    }
  }
  fs.writeFileSync(done, `${perClass * classes.length}\n`);
  return dir;
}

/** The 7-class set of real photos: every cat and dog photo of the mini set, and the flowers (copied once). */
async function sevenClassFolder(): Promise<string> {
  const dir = path.join(ROOT, 'seven-classes');
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const cats = assetPath('cats_and_dogs_mini');
  const sources: [string, string[]][] = [
    ['cats', ['train', 'validation', 'test'].map((s) => path.join(cats, s, 'cats'))],
    ['dogs', ['train', 'validation', 'test'].map((s) => path.join(cats, s, 'dogs'))],
    ...(await listClassFolders(FLOWERS)).map((c): [string, string[]] => [c, [path.join(FLOWERS, c)]]),
  ];
  for (const [c, folders] of sources) {
    fs.mkdirSync(path.join(dir, c), { recursive: true });
    for (const f of folders)
      for (const file of await listImages(f)) fs.copyFileSync(file, path.join(dir, c, path.basename(file)));
  }
  fs.writeFileSync(done, '\n');
  return dir;
}

/** In the child: trains with the defaults, saves the run, prints one JSON line with the figures. */
async function child(dir: string, out: string): Promise<void> {
  await initBackend({ quiet: true });
  const run = await trainOnFolder(dir, { quiet: true });
  await saveFolderRun(run, out, { overwrite: true });
  const e = run.metrics.evaluation;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ splits: run.metrics.splits, accuracy: e.accuracy, trainSeconds: run.metrics.seconds, maxRssMb }),
  );
}

/** The speed run: the child's wall time (process start to exit) and its figures. */
async function speed(photos: number): Promise<void> {
  const t0 = Date.now();
  const dir = await speedFolder(photos);
  console.log(
    `speed folder: ${path.relative(process.cwd(), dir)} (${photos} images, made in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const out = path.join(ROOT, 'speed-out');
  const started = Date.now();
  const p = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', dir, '--out', out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  p.stdout.on('data', (d: Buffer) => (text += d.toString()));
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) throw new Error(`the training child exited with ${code}: ${text.slice(-2000)}`);
  const r = JSON.parse(text.trim().split('\n').pop() as string);
  console.log(
    `speed: ${photos} images (${r.splits.train} train / ${r.splits.validation} validation), extract, MobileNet α=0.25, 192 px: ` +
      `${seconds.toFixed(1)} s from process start to the saved report (trainOnFolder ${r.trainSeconds.toFixed(1)} s), ` +
      `peak RSS ${r.maxRssMb.toFixed(0)} MB, validation accuracy ${r.accuracy.toFixed(3)}`,
  );
}

/** Pooled features of the run's training and validation images (file order) and their classes, as .npy files. */
async function dumpFeatures(run: FolderRun, folder: string): Promise<void> {
  const backbone = await loadFolderBackbone({}, run.metrics.imageSize, true);
  const mode = backbone.info.preprocess;
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, ds] of [
    ['train', run.data.train],
    ['val', run.data.validation],
  ] as const) {
    const ordered = ds.derive({ shuffle: false });
    const f = await extractFeatures(backbone.base, ordered, {
      preprocess: (x) => preprocessInput(x, mode),
      preprocessName: mode,
      quiet: true,
    });
    const pooled = tf.tidy(() => f.features.mean([1, 2]));
    await saveNpy(path.join(folder, `x_${name}.npy`), pooled);
    await saveNpy(path.join(folder, `y_${name}.npy`), {
      dtype: 'int32',
      shape: [ordered.size],
      data: Int32Array.from(ordered.labels),
    });
    tf.dispose([pooled, f.features, f.labels]);
  }
  backbone.base.dispose();
}

/** extract, the NumPy reference on the same features and split, and finetune, on one folder of real photos. */
async function accuracy(name: string, dir: string): Promise<void> {
  const extract = await trainOnFolder(dir, { quiet: true });
  const folder = path.join(ROOT, 'reference', name);
  await dumpFeatures(extract, folder);
  const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'reference_logreg.py'), folder], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`scripts/reference_logreg.py failed: ${py.stderr}`);
  const ref = JSON.parse(py.stdout.trim());
  extract.model.dispose();
  const finetune = await trainOnFolder(dir, { method: 'finetune', quiet: true });
  finetune.model.dispose();
  const s = extract.metrics.splits;
  const [e, f] = [extract.metrics, finetune.metrics];
  console.log(
    `${name}: ${extract.metrics.classes.length} classes, ${s.train} train / ${s.validation} validation; validation accuracy: ` +
      `extract ${e.evaluation.accuracy.toFixed(3)} (${e.seconds.toFixed(1)} s), NumPy logistic regression ${ref.accuracy.toFixed(3)} ` +
      `(${ref.iterations} Newton steps), finetune ${f.evaluation.accuracy.toFixed(3)} (${f.seconds.toFixed(1)} s); ` +
      `loss extract ${e.evaluation.loss.toFixed(3)} / reference ${ref.loss.toFixed(3)} / finetune ${f.evaluation.loss.toFixed(3)}`,
  );
}

const USAGE = 'usage: npm run bench:train -- [--photos 4000] [--only speed|accuracy]';

async function main(): Promise<void> {
  const { values: v } = parseCommandLine(
    process.argv.slice(2),
    {
      photos: { type: 'string', default: '4000' },
      only: { type: 'string' },
      child: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
    false,
  );
  if (v.child) return child(v.child, v.out ?? path.join(ROOT, 'speed-out'));
  if (v.only && !['speed', 'accuracy'].includes(v.only)) throw new Error(`--only ${v.only}: use speed or accuracy.`);
  const photos = Number(v.photos);
  if (!Number.isInteger(photos) || photos < 10) throw new Error(`--photos ${v.photos}: give a whole number >= 10.`);
  console.log(`bench:train on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}`);
  if (v.only !== 'accuracy') await speed(photos);
  if (v.only === 'speed') return;
  await initBackend({ quiet: true });
  await accuracy('flowers', FLOWERS);
  await accuracy('7 classes', await sevenClassFolder());
}

runMain('bench_train', main);
