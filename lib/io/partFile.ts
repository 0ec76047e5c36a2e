/**
 * The resumable temporary file of a download: `<dest>.part` holds the bytes received so far and
 * `<dest>.part.json` what identifies the file they belong to (the download's key, usually its URL; size;
 * ETag / Last-Modified). An interrupted run (Ctrl-C, a lost connection) leaves both; the next run resumes
 * from the part's size when the key matches, and the server decides with `If-Range` whether the file changed.
 */
import * as fsp from 'node:fs/promises';
import { commitTempFile } from '../core/atomicFile';
import { describeFsError, hasErrno } from '../core/fsErrors';

/** What identifies a remote file. */
export interface FileIdentity {
  /** The download's key: its URL, or a stable name when the URL changes between runs (Drive's confirm links). */
  key: string;
  /** Size in bytes, when the server said. */
  size?: number;
  etag?: string;
  lastModified?: string;
  contentType?: string;
}

/** The resumable file of `dest`. */
export const partPath = (dest: string): string => `${dest}.part`;
/** The identity file kept next to the part. */
export const sidecarPath = (dest: string): string => `${dest}.part.json`;

/** The `If-Range` value for an identity (a strong ETag, else Last-Modified), or undefined when it has none. */
export function ifRangeValue(id: FileIdentity): string | undefined {
  if (id.etag && !id.etag.startsWith('W/')) return id.etag;
  return id.lastModified;
}

/** True when two identities can be the same file: every field both of them know agrees. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  const agree = (x?: string | number, y?: string | number) => x === undefined || y === undefined || x === y;
  return a.key === b.key && agree(a.size, b.size) && agree(a.etag, b.etag) && agree(a.lastModified, b.lastModified);
}

/** Removes the part and its identity file (missing ones are fine). */
export async function discardPart(dest: string): Promise<void> {
  await fsp.rm(partPath(dest), { force: true });
  await fsp.rm(sidecarPath(dest), { force: true });
}

/**
 * The part left by an earlier run for the same `key`: its size (the offset to resume from) and identity.
 * A part without a readable identity, or for another key, is removed and undefined returned.
 */
export async function resumablePart(
  dest: string,
  key: string,
): Promise<{ offset: number; identity: FileIdentity } | undefined> {
  let text: string;
  let offset: number;
  try {
    text = await fsp.readFile(sidecarPath(dest), 'utf8');
    offset = (await fsp.stat(partPath(dest))).size;
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw describeFsError(err, partPath(dest));
    await discardPart(dest);
    return undefined;
  }
  const identity = parseIdentity(text);
  if (!identity || identity.key !== key || offset === 0 || (identity.size !== undefined && offset > identity.size)) {
    await discardPart(dest);
    return undefined;
  }
  return { offset, identity };
}

/** The identity in a sidecar's text, or undefined when it is torn or not one (a run killed while writing it). */
function parseIdentity(text: string): FileIdentity | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  const id = v as FileIdentity | null;
  return id && typeof id === 'object' && typeof id.key === 'string' ? id : undefined;
}

/**
 * Records what the part holds. Written in place rather than through a temporary name: a run killed while
 * writing it leaves a torn file that the next run reads as "no identity" and starts over, whereas a
 * temporary name would be left behind.
 */
export async function writeIdentity(dest: string, identity: FileIdentity): Promise<void> {
  try {
    await fsp.writeFile(sidecarPath(dest), JSON.stringify(identity));
  } catch (err) {
    throw describeFsError(err, sidecarPath(dest));
  }
}

/**
 * Puts the complete part in place as `dest`; a failed rename leaves neither part nor identity file. The
 * identity file goes first: a run killed in between leaves a part without identity, which the next run discards.
 */
export async function commitPart(dest: string): Promise<string> {
  await fsp.rm(sidecarPath(dest), { force: true });
  return commitTempFile(partPath(dest), dest);
}

/** Moves `file` aside to `<dest>.bad` (replacing an older one) and removes any identity file; returns the new path. */
export async function moveAside(file: string, dest: string): Promise<string> {
  const bad = `${dest}.bad`;
  try {
    await fsp.rename(file, bad);
  } catch (err) {
    throw describeFsError(err, bad);
  }
  await fsp.rm(sidecarPath(dest), { force: true });
  return bad;
}
