/**
 * File-system errors a learner can act on: permission denied, disk full, read-only disk, missing folder, a file
 * where a folder is needed (or the reverse), a name too long.
 * `describeFsError` turns Node's errno errors into messages that name the path and say what to do; other errors
 * pass through unchanged.
 */

/** A Node system error (`code` like 'EACCES'). */
type ErrnoError = Error & { code?: string; path?: string };

const ADVICE: Record<string, (p: string) => string> = {
  EACCES: (p) => `permission denied for ${p}: make the folder writable (chmod/chown) or run from a folder you own`,
  EPERM: (p) => `the operation is not permitted on ${p}: check its owner and permissions`,
  EROFS: (p) => `${p} is on a read-only file system: point the project (LESSON_ROOT) or the cache at a writable folder`,
  ENOSPC: (p) => `the disk holding ${p} is full: free some space (df -h shows how much is left) and run again`,
  EDQUOT: (p) => `your disk quota is used up for ${p}: free some space and run again`,
  ENOENT: (p) => `${p} does not exist: check the path`,
  EEXIST: (p) =>
    `${p} cannot be created: a file of that name is in the way (a folder is needed there); move it or choose another path`,
  ENOTDIR: (p) => `part of ${p} is a file, not a folder: move that file or choose another path`,
  EISDIR: (p) => `${p} is a folder where a file is expected: give the path of a file`,
  ENAMETOOLONG: (p) => `the name ${p} is too long for the file system: use a shorter name or path`,
  ELOOP: (p) => `${p} goes through a loop of symbolic links: fix the links`,
};

/** True when `err` is a Node file-system error with one of `codes`. */
export function hasErrno(err: unknown, ...codes: string[]): boolean {
  const code = (err as ErrnoError | undefined)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/**
 * An error whose message names `where` (or the errno's own path) and what to do, for the errno codes above;
 * the original error is kept as `cause`. Anything else is returned unchanged. Idempotent.
 */
export function describeFsError(err: unknown, where?: string): unknown {
  const e = err as ErrnoError;
  if (!(e instanceof Error) || typeof e.code !== 'string' || !(e.code in ADVICE)) return err;
  if ((e as { described?: boolean }).described) return err;
  const p = e.path ?? where ?? 'the file';
  const out = new Error(`${ADVICE[e.code](p)} (${e.code}).`, { cause: e }) as ErrnoError & { described?: boolean };
  out.code = e.code;
  out.path = p;
  out.described = true;
  return out;
}
