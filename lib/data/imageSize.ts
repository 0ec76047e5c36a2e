/** An image size given as text (`150`, `150x200`, `150,200`), checked before any image is read. */

/** The largest side accepted: a 8192 x 8192 RGB float32 image is already 800 MB. */
export const MAX_IMAGE_SIDE = 8192;

/**
 * `[height, width]` from `text` (one number for a square); `option` names where it came from in errors
 * (default `--size`). Zero, a side above `MAX_IMAGE_SIDE`, or anything else is an error saying what is accepted.
 */
export function parseImageSize(text: string, option = '--size'): [number, number] {
  const m = /^\s*(\d+)\s*(?:[x,]\s*(\d+))?\s*$/i.exec(text);
  if (!m) throw new Error(`${option} ${text}: give one number (150) or height x width (150x200).`);
  const size: [number, number] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (size.some((s) => s < 1 || s > MAX_IMAGE_SIDE))
    throw new Error(
      `${option} ${text}: each side must be from 1 to ${MAX_IMAGE_SIDE} pixels (the model's own input size is ` +
        `used when ${option} is left out).`,
    );
  return size;
}
