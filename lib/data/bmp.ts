/**
 * A small decoder of uncompressed BMP files (1/4/8-bit palette, 16/24/32-bit, with or without bit masks) to RGB,
 * for the BMPs Keras accepts and sharp does not read.
 */
import type { RawImage } from './rawImage';

/** What the BMP header says about the pixels. */
interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bpp: number;
  dataOffset: number;
  rowSize: number;
  /** Red, green, blue bit masks (16/32-bit with masks). */
  masks?: [number, number, number];
  /** RGB colours of a 1/4/8-bit image. */
  palette: number[][];
}

function readPalette(buf: Uint8Array, headerSize: number, bpp: number, colors: number): number[][] {
  const palette: number[][] = [];
  if (bpp > 8) return palette;
  const n = colors || 1 << bpp;
  const entry = headerSize === 12 ? 3 : 4;
  for (let i = 0; i < n; i++) {
    const o = 14 + headerSize + i * entry;
    palette.push([buf[o + 2], buf[o + 1], buf[o]]);
  }
  return palette;
}

function readMasks(
  dv: DataView,
  headerSize: number,
  compression: number,
  bpp: number,
): [number, number, number] | undefined {
  if (compression === 3 || compression === 6) {
    const at = headerSize >= 52 ? 54 : 14 + headerSize;
    return [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
  }
  return bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : undefined;
}

function readHeader(buf: Uint8Array, fail: (why: string) => Error): BmpHeader {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 26 || buf[0] !== 0x42 || buf[1] !== 0x4d) throw fail('no BM signature');
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  const core = headerSize === 12;
  if (!core && buf.length < 54) throw fail('header cut short');
  const width = core ? dv.getUint16(18, true) : dv.getInt32(18, true);
  const rawHeight = core ? dv.getInt16(20, true) : dv.getInt32(22, true);
  const bpp = dv.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : dv.getUint32(30, true);
  const colors = core ? 0 : dv.getUint32(46, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0 || width > 65535 || height > 65535) throw fail(`bad size ${width}x${height}`);
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw fail(`compression ${compression} ` + `(RLE/JPEG/PNG inside BMP) is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail(`${bpp} bits per pixel`);
  const rowSize = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + rowSize * height > buf.length) throw fail('pixel data cut short');
  return {
    width,
    height,
    topDown: rawHeight < 0,
    bpp,
    dataOffset,
    rowSize,
    masks: readMasks(dv, headerSize, compression, bpp),
    palette: readPalette(buf, headerSize, bpp, colors),
  };
}

/** The 0..255 value of the channel `mask` selects in `v`. */
function channel(v: number, mask: number): number {
  if (!mask) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return Math.round((((v & mask) >>> shift) * 255) / (mask >>> shift));
}

/** The RGB of pixel x of the row starting at byte `row`. */
function pixel(buf: Uint8Array, dv: DataView, h: BmpHeader, row: number, x: number): number[] {
  const { bpp, masks } = h;
  if (bpp === 24 || (bpp === 32 && !masks)) {
    const p = row + x * (bpp / 8);
    return [buf[p + 2], buf[p + 1], buf[p]];
  }
  if (bpp === 32 || bpp === 16) {
    const v = bpp === 32 ? dv.getUint32(row + x * 4, true) : dv.getUint16(row + x * 2, true);
    return [channel(v, masks![0]), channel(v, masks![1]), channel(v, masks![2])];
  }
  const bit = x * bpp;
  const idx = (buf[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
  return h.palette[idx] ?? [0, 0, 0];
}

/** Decodes an uncompressed BMP to RGB; errors name the file (`name`) and what is not supported. */
export function decodeBmp(buf: Uint8Array, name = 'BMP'): RawImage {
  const h = readHeader(buf, (why) => new Error(`${name} is not a BMP this decoder reads (${why}).`));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Uint8Array(h.width * h.height * 3);
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * h.rowSize;
    for (let x = 0; x < h.width; x++) out.set(pixel(buf, dv, h, row, x), (y * h.width + x) * 3);
  }
  return { data: out, width: h.width, height: h.height, channels: 3 };
}

/** True when `buf` starts like a BMP file ('BM'). */
export function looksLikeBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}
