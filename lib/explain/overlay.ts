/**
 * Draws a class map (CAM, Grad-CAM) over its photo: the map is normalised (its positive part over its maximum),
 * upsampled bilinearly to the photo's size (pixel centres aligned, as `tf.image.resizeBilinear` with half-pixel
 * centres), coloured with viridis and blended over the photo. Returns RGB pixels, or PNG bytes to show in a
 * notebook or write to a file. A map with no positive value draws the photo under viridis's colour for 0.
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { viridis } from './colormap';

/** An RGB image: `height` rows of `width` pixels, 3 bytes each. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Options of `overlayHeatmap`. */
export interface OverlayOptions {
  /** Weight of the colour over the photo, 0..1 (default 0.5). */
  opacity?: number;
}

/** The map's positive part over its maximum (0..1); all zeros when nothing is positive or finite. */
export function normaliseMap(map: number[][]): Float32Array {
  const flat = map.flat();
  const max = flat.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
  return Float32Array.from(flat, (v) => (max > 0 && Number.isFinite(v) && v > 0 ? v / max : 0));
}

/** For each output index along one axis: the two source indices and the weight of the second. */
function axisWeights(from: number, to: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(to);
  const i1 = new Int32Array(to);
  const f = new Float32Array(to);
  for (let o = 0; o < to; o++) {
    const s = Math.min(from - 1, Math.max(0, ((o + 0.5) * from) / to - 0.5));
    i0[o] = Math.floor(s);
    i1[o] = Math.min(from - 1, i0[o] + 1);
    f[o] = s - i0[o];
  }
  return { i0, i1, f };
}

/** Bilinear upsampling of `values` ([h, w], row-major) to [height, width], half-pixel centres. */
export function resizeMap(values: Float32Array, h: number, w: number, height: number, width: number): Float32Array {
  const ys = axisWeights(h, height);
  const xs = axisWeights(w, width);
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * w;
    const r1 = ys.i1[y] * w;
    for (let x = 0; x < width; x++) {
      const top = values[r0 + xs.i0[x]] * (1 - xs.f[x]) + values[r0 + xs.i1[x]] * xs.f[x];
      const bottom = values[r1 + xs.i0[x]] * (1 - xs.f[x]) + values[r1 + xs.i1[x]] * xs.f[x];
      out[y * width + x] = top * (1 - ys.f[y]) + bottom * ys.f[y];
    }
  }
  return out;
}

/** A photo as RGB bytes: an `RgbImage`, or a [h, w, 3] tensor of 0..255 values (as `loadImage` returns). */
export function toRgbImage(photo: RgbImage | tf.Tensor3D): RgbImage {
  if (!(photo instanceof tf.Tensor)) return photo;
  const [height, width, channels] = photo.shape;
  if (photo.rank !== 3 || channels !== 3)
    throw new Error(`expected a photo [height, width, 3]; got shape [${photo.shape}].`);
  const values = photo.dataSync();
  return { width, height, data: Uint8Array.from(values, (v) => Math.min(255, Math.max(0, Math.round(v)))) };
}

/** The photo with `map` drawn over it (see the file's comment); the photo's size. */
export function overlayHeatmap(photo: RgbImage | tf.Tensor3D, map: number[][], opts: OverlayOptions = {}): RgbImage {
  const { width, height, data } = toRgbImage(photo);
  const h = map.length;
  const w = map[0]?.length ?? 0;
  if (h === 0 || w === 0 || map.some((row) => row.length !== w))
    throw new Error(`the map must be a non-empty rectangle of numbers; got ${h} rows.`);
  if (data.length !== width * height * 3)
    throw new Error(`the photo has ${data.length} bytes; ${width}x${height} RGB needs ${width * height * 3}.`);
  const opacity = opts.opacity ?? 0.5;
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`opacity ${opacity} must be between 0 and 1.`);
  const heat = resizeMap(normaliseMap(map), h, w, height, width);
  const out = new Uint8Array(data.length);
  const colour: [number, number, number] = [0, 0, 0];
  for (let p = 0; p < width * height; p++) {
    viridis(heat[p], colour);
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round((1 - opacity) * data[p * 3 + c] + opacity * colour[c]);
  }
  return { width, height, data: out };
}

/** An RGB image as PNG bytes (for a notebook's display or a file). */
export async function toPng(image: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png()
    .toBuffer();
}

/** `overlayHeatmap` as PNG bytes. */
export async function overlayPng(
  photo: RgbImage | tf.Tensor3D,
  map: number[][],
  opts: OverlayOptions = {},
): Promise<Buffer> {
  return toPng(overlayHeatmap(photo, map, opts));
}
