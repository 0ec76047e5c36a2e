/**
 * A small, learnable stand-in for the lesson's `cats_and_dogs_small` dataset, for runs without the download.
 *
 * Same layout and names: `train/cats/cat.0.jpg …`, `validation/cats/cat.1000.jpg …`, `test/cats/cat.1500.jpg …`
 * and the same for `dogs/dog.N.jpg`. Each image is a drawn "animal" (head, body, ears, eyes, muzzle, often a tail)
 * on a varied background (gradients, blobs, stripes, a floor, clutter). Fur colour, size, position, tilt and
 * background come from the same distributions for both classes, so colour statistics alone do poorly: the shapes
 * carry the signal (cats: pointed upright ears, whiskers, a small nose; dogs: floppy ears, a broad muzzle with a big
 * dark nose). Some images are occluded, blurred or noisy and a few (`SAMPLE_AMBIGUOUS_SHARE`) are ambiguous on
 * purpose, so the lesson's MobileNet (alpha 0.25) feature-extraction pipelines land around 0.93-0.98 test accuracy
 * with visible train/validation gaps and a few mistakes to look at.
 * Deterministic given `seed`; written to a temporary folder and renamed; an existing complete dataset with the
 * same settings is kept.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { MersenneTwister } from '../core/random';

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
/** Version of the drawing code, stored in the marker: a dataset made by another version is regenerated. */
export const SAMPLE_VERSION = 2;
const SPLITS = ['train', 'validation', 'test'] as const;

/** Floats in [0, 1) from the MT19937 generator of dataset.ts (seeded like numpy). */
function rng(seed: number): () => number {
  const mt = new MersenneTwister(seed >>> 0);
  return () => mt.nextUint32() / 4294967296;
}

type RGB = [number, number, number];
type Pt = [number, number];

function hsl(h: number, s: number, l: number): RGB {
  const f = (n: number) => {
    const k = (((n + h / 30) % 12) + 12) % 12;
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

/** Share of images drawn with a misleading or hidden class cue (dogs with pricked ears, cats with ears hidden). */
export const SAMPLE_AMBIGUOUS_SHARE = 0.025;

/** A fur colour: the same distribution for both classes (black, white, grey, brown, ginger, cream). */
function furColour(r: () => number): RGB {
  const kind = r();
  if (kind < 0.2) return hsl(0, 0, 0.08 + r() * 0.8); // black .. grey .. white
  return hsl(18 + r() * 25, 0.2 + r() * 0.6, 0.2 + r() * 0.6); // browns, ginger, cream
}

const shade = (c: RGB, f: number): RGB => c.map((v) => Math.max(0, Math.min(255, v * f))) as RGB;

/**
 * Draws one image (RGB, size x size) of class `cls` from the random source `r`.
 * Colour, size, position, pose and background are drawn from the same distributions for both classes: only the
 * shapes tell them apart (cats: pointed upright ears, small nose, whiskers, narrow muzzle; dogs: floppy ears, a
 * broad muzzle with a big dark nose). Some images are cluttered, occluded, blurred or noisy, and a small share
 * (`SAMPLE_AMBIGUOUS_SHARE`) are ambiguous on purpose.
 */
export function drawSampleImage(cls: 'cats' | 'dogs', size: number, r: () => number): Uint8Array {
  const px = new Float32Array(size * size * 3);
  const put = (x: number, y: number, c: RGB, alpha = 1) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const o = (y * size + x) * 3;
    for (let k = 0; k < 3; k++) px[o + k] = px[o + k] * (1 - alpha) + c[k] * alpha;
  };
  const ellipse = (cx: number, cy: number, rx: number, ry: number, rot: number, c: RGB, alpha = 1) => {
    const [cr, sr] = [Math.cos(rot), Math.sin(rot)];
    const R = Math.ceil(Math.max(rx, ry)) + 1;
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
  const polygon = (p: Pt[], c: RGB, alpha = 1) => {
    const xs = p.map((q) => q[0]);
    const ys = p.map((q) => q[1]);
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const y1 = Math.min(size - 1, Math.ceil(Math.max(...ys)));
    const x0 = Math.max(0, Math.floor(Math.min(...xs)));
    const x1 = Math.min(size - 1, Math.ceil(Math.max(...xs)));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // Even-odd rule.
        let inside = false;
        for (let i = 0, j = p.length - 1; i < p.length; j = i++) {
          const [xi, yi] = p[i];
          const [xj, yj] = p[j];
          if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        }
        if (inside) put(x, y, c, alpha);
      }
    }
  };
  const line = (a: Pt, b: Pt, c: RGB, width: number, alpha = 1) => {
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    const [nx, ny] = [((a[1] - b[1]) / len) * width * 0.5, ((b[0] - a[0]) / len) * width * 0.5];
    polygon([[a[0] + nx, a[1] + ny], [b[0] + nx, b[1] + ny], [b[0] - nx, b[1] - ny], [a[0] - nx, a[1] - ny]], c, alpha);
  };

  // Background: a gradient between two muted colours, blobs, stripes, and clutter (same for both classes).
  const bgA = hsl(r() * 360, 0.05 + r() * 0.35, 0.2 + r() * 0.6);
  const bgB = hsl(r() * 360, 0.05 + r() * 0.35, 0.2 + r() * 0.6);
  const angle = r() * Math.PI * 2;
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + ((x / size - 0.5) * ca + (y / size - 0.5) * sa) * 1.2));
      put(x, y, [bgA[0] * (1 - t) + bgB[0] * t, bgA[1] * (1 - t) + bgB[1] * t, bgA[2] * (1 - t) + bgB[2] * t]);
    }
  }
  if (r() < 0.4) {
    // A floor or table edge.
    const h = size * (0.55 + r() * 0.35);
    const floor = hsl(r() * 360, r() * 0.3, 0.2 + r() * 0.6);
    polygon([[0, h + (r() - 0.5) * size * 0.2], [size, h + (r() - 0.5) * size * 0.2], [size, size], [0, size]], floor, 0.8);
  }
  const nBlobs = 2 + Math.floor(r() * 5);
  for (let i = 0; i < nBlobs; i++) {
    ellipse(r() * size, r() * size, size * (0.04 + r() * 0.2), size * (0.04 + r() * 0.2), r() * Math.PI, hsl(r() * 360, r() * 0.4, 0.15 + r() * 0.7), 0.3 + r() * 0.5);
  }
  if (r() < 0.4) {
    const stripe = hsl(r() * 360, r() * 0.3, 0.15 + r() * 0.7);
    const period = 6 + Math.floor(r() * 14);
    const dir = r() < 0.5 ? 1 : -1;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((((x + dir * y) % period) + period) % period < 2) put(x, y, stripe, 0.35);
  }
  // Clutter: triangles, bars and round shapes in fur-like colours (pointed and rounded shapes for both classes).
  const nClutter = Math.floor(r() * 2.5);
  for (let i = 0; i < nClutter; i++) {
    const c = r() < 0.5 ? furColour(r) : hsl(r() * 360, r() * 0.6, 0.2 + r() * 0.6);
    const [x, y, d] = [r() * size, r() * size, size * (0.04 + r() * 0.1)];
    const kind = r();
    if (kind < 0.35) polygon([[x - d, y + d], [x + d, y + d], [x + (r() - 0.5) * d, y - d * (1 + r())]], c, 0.9);
    else if (kind < 0.7) ellipse(x, y, d * (0.5 + r()), d * (0.5 + r()), r() * Math.PI, c, 0.9);
    else line([x, y], [x + (r() - 0.5) * size * 0.5, y + (r() - 0.5) * size * 0.5], c, 1 + r() * d * 0.5, 0.9);
  }

  // The animal, drawn in a local frame (x right, y down, units of the head radius) turned by a random tilt.
  const s = size * (0.2 + r() * 0.09); // head radius
  const cx = size * (0.25 + r() * 0.5);
  const cy = size * (0.28 + r() * 0.4);
  const tilt = (r() - 0.5) * 0.6;
  const [ct, st] = [Math.cos(tilt), Math.sin(tilt)];
  const P = (lx: number, ly: number): Pt => [cx + s * (lx * ct - ly * st), cy + s * (lx * st + ly * ct)];
  const E = (lx: number, ly: number, rx: number, ry: number, rot: number, c: RGB, alpha = 1) => {
    const [x, y] = P(lx, ly);
    ellipse(x, y, rx * s, ry * s, rot + tilt, c, alpha);
  };
  const fur = furColour(r);
  const patched = r() < 0.35;
  const patch = patched ? furColour(r) : fur;
  const dark = shade(fur, 0.55 + r() * 0.25);
  const ambiguous = r() < SAMPLE_AMBIGUOUS_SHARE;
  // Body and tail (shared by both classes).
  const bodyAngle = (r() - 0.5) * 1.2;
  E((r() - 0.5) * 0.6, 1.5 + r() * 0.3, 1.0 + r() * 0.6, 0.7 + r() * 0.4, bodyAngle, fur);
  if (r() < 0.6) {
    const side = r() < 0.5 ? -1 : 1;
    const [a, b] = [P(side * 1.0, 1.9), P(side * (1.6 + r() * 0.8), 0.8 + r() * 1.4)];
    line(a, b, dark, s * (0.15 + r() * 0.2));
  }
  // Ears behind the head: cats pointed and upright, dogs floppy and hanging (swapped or hidden when ambiguous).
  const pointed = cls === 'cats' ? !(ambiguous && r() < 0.5) : ambiguous;
  const earHidden = cls === 'cats' && ambiguous && !pointed;
  const earSpread = 0.45 + r() * 0.25;
  if (pointed && !earHidden) {
    const h = 1.3 + r() * 0.5;
    const w = 0.35 + r() * 0.15;
    const lean = r() * 0.3;
    for (const side of [-1, 1]) {
      const bx = side * earSpread;
      polygon([P(bx - w, -0.55), P(bx + w, -0.55), P(bx + side * lean, -h)], cls === 'cats' ? dark : fur);
      if (r() < 0.7) polygon([P(bx - w * 0.5, -0.65), P(bx + w * 0.5, -0.65), P(bx + side * lean * 0.8, -h + 0.3)], hsl(350, 0.4, 0.7), 0.8);
    }
  }
  // Head.
  E(0, 0, 1.0, 0.9 + r() * 0.1, 0, fur);
  if (patched) E((r() - 0.5) * 0.8, -0.2 - r() * 0.3, 0.35 + r() * 0.3, 0.3 + r() * 0.3, r() * Math.PI, patch, 0.9);
  if (!pointed) {
    if (earHidden) {
      // Folded ears: small rounded bumps on top, like a dog's but short.
      for (const side of [-1, 1]) E(side * earSpread, -0.75, 0.28, 0.2, side * 0.3, dark);
    } else {
      for (const side of [-1, 1]) E(side * (0.85 + r() * 0.15), 0.3 + r() * 0.2, 0.3 + r() * 0.12, 0.75 + r() * 0.3, side * (0.15 + r() * 0.35), dark);
    }
  }
  // Eyes, muzzle, nose, whiskers.
  const eyeY = -0.1 - r() * 0.1;
  const eyeDx = 0.32 + r() * 0.1;
  const iris: RGB = cls === 'cats' ? hsl(60 + r() * 60, 0.6, 0.45) : hsl(25, 0.5, 0.15 + r() * 0.1);
  for (const side of [-1, 1]) {
    E(side * eyeDx, eyeY, 0.15, cls === 'cats' ? 0.11 : 0.14, 0, iris);
    E(side * eyeDx, eyeY, cls === 'cats' ? 0.04 : 0.08, cls === 'cats' ? 0.1 : 0.08, 0, [15, 15, 15]);
  }
  const muzzleLight = shade(fur, 1.25 + r() * 0.2);
  if (cls === 'dogs' && !(ambiguous && r() < 0.5)) {
    E(0, 0.45, 0.45 + r() * 0.1, 0.35 + r() * 0.1, 0, muzzleLight);
    E(0, 0.3, 0.16 + r() * 0.05, 0.11, 0, [25, 20, 20]);
    if (r() < 0.3) E(0, 0.78, 0.12, 0.15, 0, hsl(350, 0.6, 0.6)); // tongue
  } else {
    E(0, 0.38, 0.3, 0.2, 0, muzzleLight, 0.6);
    polygon([P(-0.08, 0.25), P(0.08, 0.25), P(0, 0.35)], hsl(350, 0.45, 0.6));
    if (cls === 'cats' && r() < 0.8) {
      const wc: RGB = r() < 0.5 ? [235, 235, 235] : [30, 30, 30];
      for (const side of [-1, 1]) for (const dy of [-0.08, 0.06]) line(P(side * 0.25, 0.4), P(side * 1.15, 0.4 + dy * 3), wc, Math.max(1, s * 0.04), 0.8);
    }
  }
  // Occluder in front (a bar or a blob), for both classes.
  if (r() < 0.08) {
    const c = hsl(r() * 360, r() * 0.5, 0.15 + r() * 0.7);
    if (r() < 0.5) line(P((r() - 0.5) * 3, -2), P((r() - 0.5) * 3, 2.5), c, s * (0.3 + r() * 0.5));
    else E((r() - 0.5) * 2.5, (r() - 0.5) * 2.5, 0.5 + r() * 0.6, 0.4 + r() * 0.5, r() * Math.PI, c);
  }
  // Blur (some images), then sensor noise.
  const radius = r() < 0.1 ? 1 + Math.floor(r() * 2) : 0;
  let img = px;
  for (let pass = 0; pass < radius; pass++) img = boxBlur3(img, size);
  const out = new Uint8Array(img.length);
  const amp = 4 + r() * 14;
  for (let i = 0; i < img.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(img[i] + (r() + r() + r() - 1.5) * amp)));
  return out;
}

/** One pass of a 3x3 box blur over an RGB image (edges clamped). */
function boxBlur3(src: Float32Array, size: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = Math.min(size - 1, Math.max(0, y + dy));
          for (let dx = -1; dx <= 1; dx++) {
            const xx = Math.min(size - 1, Math.max(0, x + dx));
            sum += src[(yy * size + xx) * 3 + k];
          }
        }
        out[(y * size + x) * 3 + k] = sum / 9;
      }
    }
  }
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
  const settings = JSON.stringify({ version: SAMPLE_VERSION, perClass: per, imageSize: size, seed }, null, 2);
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
