/** What a path is, for callers that decide between "use the cached file" and "download": a missing path is no error. */
import type { Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { describeFsError, hasErrno } from '../core/fsErrors';

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.stat(p);
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw describeFsError(err, p);
  }
}

/** True when `p` exists and is a regular file (false when it does not exist; other errors are thrown, described). */
export async function isFile(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isFile() ?? false;
}

/** True when `p` exists and is a folder (false when it does not exist; other errors are thrown, described). */
export async function isDir(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isDirectory() ?? false;
}

/** True when `p` is a regular file holding at least one byte (an empty file is never a finished download). */
export async function nonEmptyFile(p: string): Promise<boolean> {
  const s = await statOrUndefined(p);
  return s !== undefined && s.isFile() && s.size > 0;
}
