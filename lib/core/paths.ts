/**
 * Where the project keeps things: one project root (the folder above `lib/`, or `LESSON_ROOT`) and the folders
 * below it. Data and the weights cache move together with `LESSON_ROOT`; `KERAS_WEIGHTS_DIR` moves the cache alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envPath } from './config';

/**
 * The folder holding `lib/` (two levels above this file), through symbolic links: notebooks reach `lib/` through
 * the link `notebooks/lib`, and the root must be the same whichever way the file was loaded.
 */
const LIBRARY_ROOT = path.resolve(fs.realpathSync(__dirname), '..', '..');

/** The project root: `LESSON_ROOT`, else the folder above `lib/`. Relative paths in notebooks start here. */
export function projectRoot(): string {
  return envPath('LESSON_ROOT') ?? LIBRARY_ROOT;
}

/** A path under the project's `data/` folder (datasets, downloads, caches). */
export function dataPath(...parts: string[]): string {
  return path.join(projectRoot(), 'data', ...parts);
}

/** A path under the project's `build/` folder (executed notebooks, saved models, overlays). */
export function buildPath(...parts: string[]): string {
  return path.join(projectRoot(), 'build', ...parts);
}

/** The Keras weights cache: `KERAS_WEIGHTS_DIR`, else `data/models` under the project root. */
export function weightsCacheDir(): string {
  return envPath('KERAS_WEIGHTS_DIR') ?? dataPath('models');
}

/** Where Keras itself caches weight files: `$KERAS_HOME/models`, else `~/.keras/models` (a Keras user has them there). */
export function kerasHomeModelsDir(): string {
  return path.join(envPath('KERAS_HOME') ?? path.join(os.homedir(), '.keras'), 'models');
}

/**
 * A file the lesson ships with the library (`lib/assets/`): read-only inputs such as the mini dataset and the
 * small MobileNet weights. Always inside the repository, whatever `LESSON_ROOT` says.
 */
export function assetPath(...parts: string[]): string {
  return path.join(LIBRARY_ROOT, 'lib', 'assets', ...parts);
}

/** `p` relative to the project root when it is inside it (for messages), else `p` unchanged. */
export function displayPath(p: string): string {
  const rel = path.relative(projectRoot(), path.resolve(p));
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  return rel && !outside ? rel : p;
}
