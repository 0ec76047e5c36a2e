/**
 * A small, learnable stand-in for the lesson's `cats_and_dogs_small` dataset, for runs without the download.
 *
 * Same layout and names: `train/cats/cat.0.jpg …`, `validation/cats/cat.1000.jpg …`, `test/cats/cat.1500.jpg …`
 * and the same for `dogs/dog.N.jpg`. Each image is a drawn "animal" on a varied background (gradients, blobs,
 * stripes, noise; backgrounds are drawn the same way for both classes): "cats" are warm-toned (red to yellow)
 * with pointed triangular ears, "dogs" cool-toned (cyan to violet) with rounded, floppy ears, at random
 * positions and sizes. The colour alone separates the classes, so a small convnet and a dense head on frozen
 * convolutional features (even random ones) reach high accuracy in a few epochs; the shapes give more to learn.
 * Deterministic given `seed`; written to a temporary folder and renamed; an existing complete dataset with the
 * same settings is kept.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { MersenneTwister } from './dataset';

/** Images per class in each split. */
export interface SampleCounts {
  train: number;
  validation: number;
  test: number;
}

/** What `makeSampleDataset` made (or found). */
export interface SampleDatasetResult {
  dir: string;
  counts: Record<'train' | 'validation' | 'test', Record<'cats' | 'dogs', number>>;
  /** False when a complete dataset with the same settings was already there. */
  created: boolean;
}

/** Default images per class: the lesson has 1000/500/500; the sample 100/50/50. */
export const DEFAULT_SAMPLE_COUNTS: SampleCounts = { train: 100, validation: 50, test: 50 };

const MARKER = '.sample-complete.json';
const SPLITS = ['train', 'validation', 'test'] as const;

/** Floats in [0, 1) from the MT19937 generator of dataset.ts (seeded like numpy). */
function rng(seed: number): () => number {
  const mt = new MersenneTwister(seed >>> 0);
  return () => mt.nextUint32() / 4294967296;
}

type RGB = [number, number, number];

function hsl(h: number, s: number, l: number): RGB {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The first file number of each split for `counts` (0, 1000, 1500 for the lesson's sizes). */
export function sampleFileStarts(counts: SampleCounts): Record<'train' | 'validation' | 'test', number> {
  const validation = Math.max(1000, counts.train);
  return { train: 0, validation, test: validation + Math.max(500, counts.validation) };
}

/** Draws one image (RGB, size x size) of class `cls` from the random source `r`. */
export function drawSampleImage(cls: 'cats' | 'dogs', size: number, r: () => number): Uint8Array {
  const px = new Float32Array(size * size * 3);
  const put = (x: number, y: number, c: RGB, alpha = 1) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const o = (y * size + x) * 3;
    for (let k = 0; k < 3; k++) px[o + k] = px[o + k] * (1 - alpha) + c[k] * alpha;
  };
  // Background: a gradient between two muted colours, then blobs and stripes (same for both classes).
  const bgA = hsl(r() * 360, 0.1 + r() * 0.25, 0.3 + r() * 0.45);
  const bgB = hsl(r() * 360, 0.1 + r() * 0.25, 0.3 + r() * 0.45);
  const angle = r() * Math.PI * 2;
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + (((x / size - 0.5) * ca + (y / size - 0.5) * sa) * 1.2)));
      put(x, y, [bgA[0] * (1 - t) + bgB[0] * t, bgA[1] * (1 - t) + bgB[1] * t, bgA[2] * (1 - t) + bgB[2] * t]);
    }
  }
  const ellipse = (cx: number, cy: number, rx: number, ry: number, rot: number, c: RGB, alpha = 1) => {
    const [cr, sr] = [Math.cos(rot), Math.sin(rot)];
    const R = Math.ceil(Math.max(rx, ry));
    for (let y = Math.floor(cy - R); y <= cy + R; y++) {
      for (let x = Math.floor(cx - R); x <= cx + R; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = (dx * cr + dy * sr) / rx;
        const v = (-dx * sr + dy * cr) / ry;
        if (u * u + v * v <= 1) put(x, y, c, alpha);
      }
    }
  };
  const triangle = (p: [number, number][], c: RGB) => {
    const xs = p.map((q) => q[0]);
    const ys = p.map((q) => q[1]);
    const edge = (a: [number, number], b: [number, number], x: number, y: number) => (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
    for (let y = Math.floor(Math.min(...ys)); y <= Math.max(...ys); y++) {
      for (let x = Math.floor(Math.min(...xs)); x <= Math.max(...xs); x++) {
        const e0 = edge(p[0], p[1], x, y);
        const e1 = edge(p[1], p[2], x, y);
        const e2 = edge(p[2], p[0], x, y);
        if ((e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0)) put(x, y, c);
      }
    }
  };
  const nBlobs = 2 + Math.floor(r() * 5);
  for (let i = 0; i < nBlobs; i++) {
    ellipse(r() * size, r() * size, size * (0.05 + r() * 0.2), size * (0.05 + r() * 0.2), r() * Math.PI, hsl(r() * 360, r() * 0.3, 0.2 + r() * 0.6), 0.3 + r() * 0.4);
  }
  if (r() < 0.5) {
    const stripe = hsl(r() * 360, r() * 0.2, 0.2 + r() * 0.6);
    const period = 6 + Math.floor(r() * 14);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x + y) % period < 2) put(x, y, stripe, 0.35);
  }
  // The animal: head, body, ears, eyes, nose.
  const s = size * (0.16 + r() * 0.12); // head radius
  const cx = size * (0.3 + r() * 0.4);
  const cy = size * (0.3 + r() * 0.35);
  const hue = cls === 'cats' ? r() * 45 : 185 + r() * 75;
  const fur = hsl(hue, 0.65 + r() * 0.3, 0.45 + r() * 0.15);
  const furDark = hsl(hue, 0.7, 0.3);
  ellipse(cx + (r() - 0.5) * s * 0.4, cy + s * 1.5, s * (1.0 + r() * 0.4), s * (0.8 + r() * 0.3), (r() - 0.5) * 0.6, fur);
  if (cls === 'cats') {
    for (const side of [-1, 1]) {
      const bx = cx + side * s * 0.55;
      triangle(
        [
          [bx - s * 0.4, cy - s * 0.5],
          [bx + s * 0.4, cy - s * 0.5],
          [bx + side * s * 0.25, cy - s * (1.5 + r() * 0.4)],
        ],
        furDark,
      );
    }
    ellipse(cx, cy, s, s * 0.9, 0, fur);
  } else {
    ellipse(cx, cy, s, s * 0.95, 0, fur);
    for (const side of [-1, 1]) ellipse(cx + side * s * 0.95, cy + s * 0.35, s * 0.3, s * (0.7 + r() * 0.25), side * (0.25 + r() * 0.3), furDark);
  }
  const eye: RGB = [20 + r() * 30, 20 + r() * 30, 20 + r() * 30];
  for (const side of [-1, 1]) ellipse(cx + side * s * 0.38, cy - s * 0.1, s * 0.13, s * (cls === 'cats' ? 0.2 : 0.13), 0, eye);
  ellipse(cx, cy + s * 0.3, s * 0.12, s * 0.09, 0, [40, 25, 25]);
  // Sensor noise.
  const out = new Uint8Array(px.length);
  const amp = 6 + r() * 14;
  for (let i = 0; i < px.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(px[i] + (r() + r() + r() - 1.5) * amp)));
  return out;
}

async function readMarker(dir: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path.join(dir, MARKER), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes the sample dataset under `dir` (train/validation/test × cats/dogs JPEGs) unless a complete one with the
 * same settings is there. Defaults: perClass {train: 100, validation: 50, test: 50}, imageSize 150, seed 42.
 */
export async function makeSampleDataset(
  dir: string,
  opts: { perClass?: Partial<SampleCounts>; imageSize?: number; seed?: number; quiet?: boolean } = {},
): Promise<SampleDatasetResult> {
  const per: SampleCounts = { ...DEFAULT_SAMPLE_COUNTS, ...opts.perClass };
  for (const k of SPLITS) {
    if (!Number.isInteger(per[k]) || per[k] < 0) throw new Error(`perClass.${k} must be a non-negative integer, got ${per[k]}.`);
  }
  const size = opts.imageSize ?? 150;
  if (!Number.isInteger(size) || size < 16 || size > 2048) throw new Error(`imageSize must be an integer between 16 and 2048, got ${size}.`);
  const seed = opts.seed ?? 42;
  const counts = Object.fromEntries(SPLITS.map((k) => [k, { cats: per[k], dogs: per[k] }])) as SampleDatasetResult['counts'];
  const settings = JSON.stringify({ version: 1, perClass: per, imageSize: size, seed }, null, 2);
  const abs = path.resolve(dir);
  const existing = await readMarker(abs);
  if (existing === settings) return { dir: abs, counts, created: false };
  let entries: string[] = [];
  try {
    entries = await fsp.readdir(abs);
  } catch {
    entries = [];
  }
  if (entries.length && existing === undefined) {
    throw new Error(`${abs} exists and is not a sample dataset made by makeSampleDataset: delete it or choose another folder.`);
  }
  if (entries.length && !opts.quiet) console.log(`${abs} holds a sample dataset with other settings; replacing it.`);
  await fsp.mkdir(path.dirname(abs), { recursive: true });
  const tmp = await fsp.mkdtemp(path.join(path.dirname(abs), `.${path.basename(abs)}.sample-`));
  try {
    const starts = sampleFileStarts(per);
    const r = rng(seed);
    let n = 0;
    for (const split of SPLITS) {
      for (const cls of ['cats', 'dogs'] as const) {
        const folder = path.join(tmp, split, cls);
        await fsp.mkdir(folder, { recursive: true });
        for (let i = 0; i < per[split]; i++) {
          const pixels = drawSampleImage(cls, size, r);
          const file = path.join(folder, `${cls.slice(0, 3)}.${starts[split] + i}.jpg`);
          await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), { raw: { width: size, height: size, channels: 3 } })
            .jpeg({ quality: 90 })
            .toFile(file);
          n++;
        }
      }
    }
    await fsp.writeFile(path.join(tmp, MARKER), settings);
    await fsp.rm(abs, { recursive: true, force: true });
    await fsp.rename(tmp, abs);
    if (!opts.quiet) console.log(`Wrote a sample dataset of ${n} images (${size}x${size}) to ${abs}`);
    return { dir: abs, counts, created: true };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
