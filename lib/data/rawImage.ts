/** The one shape of decoded pixels in lib/data/ (what decode.ts and bmp.ts return, what resize.ts reads). */

/** Decoded pixels, row-major interleaved uint8. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}
