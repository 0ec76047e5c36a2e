/** Hex digests of files, md5 or sha256 told apart by length as Keras `get_file` does. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The algorithm of a hex digest by its length, as Keras `get_file` does: 64 → sha256, 32 → md5. */
export function hashAlgorithm(hash: string): 'md5' | 'sha256' {
  const h = hash.trim();
  if (/^[0-9a-fA-F]{64}$/.test(h)) return 'sha256';
  if (/^[0-9a-fA-F]{32}$/.test(h)) return 'md5';
  throw new Error(`'${hash}' is not an md5 (32 hex digits) or sha256 (64 hex digits) hash.`);
}

/** The hex digest of a file, read as a stream. */
export async function fileHash(filePath: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(filePath)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** True when the file at `filePath` matches `hash` (md5 or sha256 by length). */
export async function verifyFile(filePath: string, hash: string): Promise<boolean> {
  return (await fileHash(filePath, hashAlgorithm(hash))) === hash.trim().toLowerCase();
}
