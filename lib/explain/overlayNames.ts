/**
 * Where the overlays of a list of images go: `<out-dir>/<image name>_cam.png`, then `_cam_2.png`, `_cam_3.png`
 * ... so that no two overlays share a name and no overlay is written over one of the input images (an input
 * named like another's overlay, such as `a.png` with `a_cam.png`, in the same folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from '../core/fsErrors';

/**
 * One overlay path per image (in order), unique and never one of `images`. `outDir` must be a folder or not
 * exist yet; a file there is an error naming it.
 */
export function overlayPaths(images: string[], outDir: string): string[] {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw describeFsError(err, outDir);
  }
  if (stat && !stat.isDirectory())
    throw new Error(
      `--cam ${outDir} is a file, not a folder: give a folder for the overlays (it is created if missing).`,
    );
  const taken = new Set(images.map((f) => path.resolve(f)));
  return images.map((file) => {
    const stem = path.basename(file, path.extname(file));
    let out = path.resolve(outDir, `${stem}_cam.png`);
    for (let i = 2; taken.has(out); i++) out = path.resolve(outDir, `${stem}_cam_${i}.png`);
    taken.add(out);
    return path.join(outDir, path.basename(out));
  });
}
