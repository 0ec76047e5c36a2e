/**
 * Runs code with the permissions of an ordinary user. Root ignores file modes, so a test of "permission
 * denied" run as root switches its effective uid to `nobody` (65534) for the duration, then back.
 */

/** Runs `fn` as an ordinary user: unchanged when not root, else with the effective uid of `nobody`. */
export async function asOrdinaryUser<T>(fn: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0 || !process.seteuid) return fn();
  process.seteuid(65534);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
  }
}
