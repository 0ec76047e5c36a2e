/**
 * Paths that a file names relative to its own folder (a model.json's weight files): they must stay inside that
 * folder. An absolute path, a `..` that climbs out, or a symbolic link whose target lies outside is refused, so a
 * file from elsewhere can never be read in its place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const inside = (root: string, p: string): boolean => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * `rel` resolved against `root`, when it stays inside `root` (following symbolic links of what exists); else an
 * error saying that `source` names a path outside `what` (e.g. "the model folder").
 */
export function resolveInside(root: string, rel: string, source: string, what: string): string {
  const refuse = (how: string) =>
    new Error(
      `${source} names '${rel}', ${how} outside ${what} ${root}. Refusing to read it: only files inside ${what} are used. ` +
        `Save or copy the whole folder again.`,
    );
  if (path.isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw refuse('an absolute path');
  const full = path.resolve(root, rel);
  if (!inside(path.resolve(root), full)) throw refuse('a path');
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    return full; // missing: the caller reports it as missing
  }
  if (!inside(fs.realpathSync(root), real)) throw refuse('a symbolic link to a file');
  return full;
}
