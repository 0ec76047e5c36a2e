/** Test images without an encoder library: BMP files of given pixels (the format lib/data/bmp.ts decodes). */

/** A 24-bit BMP (bottom-up) or 8-bit palette BMP of the given RGB pixels. */
export function writeBmp(rgb: Uint8Array, w: number, h: number, palette8 = false): Buffer {
  const bpp = palette8 ? 8 : 24;
  const row = Math.floor((bpp * w + 31) / 32) * 4;
  const pal = palette8 ? 256 * 4 : 0;
  const off = 54 + pal;
  const buf = Buffer.alloc(off + row * h);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(off, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  if (palette8) for (let i = 0; i < 256; i++) buf.set([i, 255 - i, i >> 1, 0], 54 + i * 4); // B, G, R
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = off + (h - 1 - y) * row;
      const s = (y * w + x) * 3;
      if (palette8) buf[p + x] = rgb[s];
      else buf.set([rgb[s + 2], rgb[s + 1], rgb[s]], p + x * 3);
    }
  }
  return buf;
}
