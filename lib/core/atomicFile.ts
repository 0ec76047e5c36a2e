/**
 * Files that appear whole or not at all: content goes to a temporary name in the same folder, then one `rename`
 * puts it in place. A failure (or an exception in the writer) removes the temporary file and leaves the old
 * destination untouched. Every writer in the library goes through here.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError } from './fsErrors';

let writers = 0;

/**
 * A new temporary name for one write of `dest`: `<dest>.tmp-<pid>-<n>` (same folder, so rename is atomic). Each
 * call gives another name, so two writers of the same file, in one process or in two, never share one.
 */
export function tempPathFor(dest: string): string {
  return `${dest}.tmp-${process.pid}-${++writers}`;
}

/** True for a name `tempPathFor` makes (for clean-up and for tests that look for leftovers). */
export const isTempName = (name: string): boolean => /\.tmp-\d+-\d+$/.test(name);

/**
 * Runs `write(tmp)`, which must create the file `tmp`, then renames it to `dest` (parent folders are created).
 * On any error the temporary file is removed and the error is rethrown (file-system errors name the path).
 */
export async function writeAtomic(dest: string, write: (tmp: string) => Promise<void>): Promise<string> {
  const tmp = tempPathFor(dest);
  try {
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await write(tmp);
    await fsp.rename(tmp, dest);
    return dest;
  } catch (err) {
    await fsp.rm(tmp, { force: true, recursive: true }).catch(() => undefined);
    throw describeFsError(err, dest);
  }
}

/** Writes `data` to `dest` atomically (see `writeAtomic`). */
export async function writeFileAtomic(dest: string, data: string | Uint8Array): Promise<string> {
  return writeAtomic(dest, (tmp) => fsp.writeFile(tmp, data));
}

/** The synchronous form of `writeFileAtomic`, for code that cannot await (tfjs IO handlers' sync paths, workers). */
export function writeFileAtomicSync(dest: string, data: string | Uint8Array): string {
  const tmp = tempPathFor(dest);
  try {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, dest);
    return dest;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw describeFsError(err, dest);
  }
}

/**
 * Puts a finished temporary file in place with one `rename` (`tmp` must be in `dest`'s folder). When the rename
 * fails, `tmp` is removed and the error names `dest`: for writers that keep their own temporary file, such as a
 * download's resumable `.part`.
 */
export async function commitTempFile(tmp: string, dest: string): Promise<string> {
  try {
    await fsp.rename(tmp, dest);
    return dest;
  } catch (err) {
    await fsp.rm(tmp, { force: true, recursive: true });
    throw describeFsError(err, dest);
  }
}

/**
 * A folder that appears whole or not at all: `write(tmp)` fills the temporary folder `<dest>.tmp-<pid>`, then one
 * `rename` puts it in place. With `replace`, an existing `dest` is first renamed aside (`<dest>.old-<pid>`) and
 * removed only after the new folder is in place; without it an existing `dest` is an error naming it. On any error
 * (Ctrl-C included) the temporary folder is removed and `dest` is left as it was.
 */
export async function writeFolderAtomic(
  dest: string,
  write: (tmp: string) => Promise<void>,
  opts: { replace?: boolean } = {},
): Promise<string> {
  const old = `${dest}.old-${process.pid}`;
  let movedAside = false;
  try {
    return await writeAtomic(dest, async (tmp) => {
      await fsp.rm(tmp, { recursive: true, force: true });
      await fsp.mkdir(tmp);
      await write(tmp);
      if (fs.existsSync(dest)) {
        if (!opts.replace)
          throw new Error(`${dest} already exists: choose another folder, or replace it (--overwrite).`);
        await fsp.rename(dest, old);
        movedAside = true;
      }
    });
  } catch (err) {
    if (movedAside && !fs.existsSync(dest)) await fsp.rename(old, dest);
    throw err;
  } finally {
    if (movedAside) await fsp.rm(old, { recursive: true, force: true });
  }
}
