/**
 * Decoding image files as Keras does: sharp for JPEG, PNG, GIF (first frame) and what else it reads, the small
 * decoder of ./bmp for BMP; alpha dropped (not composited), grayscale, palette, CMYK and 16-bit made 8-bit RGB, EXIF
 * orientation ignored (as TensorFlow does) unless `autoOrient` asks for the photo as a viewer shows it. Grayscale
 * output uses `tf.image.rgb_to_grayscale`'s weights.
 */
import * as fsp from 'node:fs/promises';
import sharp from 'sharp';
import { describeFsError } from '../core/fsErrors';
import { decodeBmp, looksLikeBmp } from './bmp';
import type { RawImage } from './rawImage';

/** The colour mode of decoded images: 'rgb' (3 channels) or 'grayscale' (1). */
export type ColorMode = 'rgb' | 'grayscale';

/** `tf.image.rgb_to_grayscale` of an RGB image. */
function toGrayscale(rgb: RawImage): RawImage {
  const n = rgb.width * rgb.height;
  const gray = new Uint8Array(n);
  const d = rgb.data;
  for (let i = 0; i < n; i++) gray[i] = Math.round(0.2989 * d[i * 3] + 0.587 * d[i * 3 + 1] + 0.114 * d[i * 3 + 2]);
  return { data: gray, width: rgb.width, height: rgb.height, channels: 1 };
}

/** How `decodeImageFile` decodes. */
export interface DecodeOptions {
  /** Turn the photo as its EXIF Orientation says (as a photo viewer shows it); default false (TensorFlow's way). */
  autoOrient?: boolean;
}

async function decodeWithSharp(buf: Buffer, opts: DecodeOptions): Promise<RawImage> {
  const image = sharp(buf, { failOn: 'error', pages: 1 });
  const { data, info } = await (opts.autoOrient ? image.rotate() : image)
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}

/**
 * Decodes an image file (JPEG, PNG, GIF first frame, BMP, and what else sharp reads) to RGB, or 1-channel gray.
 * Errors name the file and say what to do.
 */
export async function decodeImageFile(
  file: string,
  colorMode: ColorMode = 'rgb',
  opts: DecodeOptions = {},
): Promise<RawImage> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (err) {
    throw describeFsError(err, file);
  }
  let rgb: RawImage;
  try {
    rgb = looksLikeBmp(buf) ? decodeBmp(buf, file) : await decodeWithSharp(buf, opts);
  } catch (err) {
    throw new Error(
      `Cannot decode image ${file}: ` +
        `${err instanceof Error ? err.message.split('\n')[0] : String(err)}. Delete or replace the file (or use ` +
        `onBadImage: 'skip').`,
      { cause: err },
    );
  }
  return colorMode === 'rgb' ? rgb : toGrayscale(rgb);
}
