/**
 * One writer per target: a lock file `<target>.lock` created with `O_EXCL`, holding the holder's pid, host and
 * what it does. A second writer (another process, or another call in this one) waits until the lock is free;
 * a lock whose holder is gone (a killed run: its pid no longer exists on this host) is taken over. Downloads and
 * extractions hold the lock of their destination while they write, so concurrent runs serialize instead of
 * writing into each other's temporary files.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import { describeFsError, hasErrno } from './fsErrors';
import { say } from './messages';

/** Who holds a lock (the lock file's content). */
export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder does, in words (`downloading`, `extracting`). */
  what: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** Options of `withFileLock`. */
export interface LockOptions {
  /** Stops waiting (and fails with the signal's reason) when aborted. */
  signal?: AbortSignal;
  /** Longest wait for a live holder, in ms (default: as long as it lives). */
  waitMs?: number;
  /** How often the lock is tried again while waiting (default 200 ms). */
  pollMs?: number;
  /** No "waiting for process N" note. */
  quiet?: boolean;
}

/** The lock file of `target`. */
export const lockPath = (target: string): string => `${target}.lock`;

/** Locks this process holds now (a lock file naming this pid but not listed here is stale). */
const heldHere = new Set<string>();

/** True when a process with `pid` exists on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return hasErrno(err, 'EPERM'); // it exists, owned by someone else
  }
}

/** The holder recorded in `lock`, or undefined when the file is gone; `null` when it is torn (a holder killed while writing it). */
async function readHolder(lock: string): Promise<LockHolder | null | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(lock, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw describeFsError(err, lock);
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h?.pid === 'number' ? h : null;
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

/** True when the recorded holder no longer runs (or the file is torn and older than a few seconds). */
async function isStale(lock: string, holder: LockHolder | null): Promise<boolean> {
  if (holder === null) {
    const age = await fsp.stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    return age > 5000;
  }
  if (holder.host !== os.hostname()) return false; // another machine's process: cannot tell, so wait
  if (holder.pid === process.pid) return !heldHere.has(lock);
  return !alive(holder.pid);
}

/** Tries once to create the lock; true when this call now holds it. */
async function tryCreate(lock: string, me: LockHolder): Promise<boolean> {
  try {
    await fsp.writeFile(lock, JSON.stringify(me), { flag: 'wx' });
    return true;
  } catch (err) {
    if (hasErrno(err, 'EEXIST')) return false;
    throw describeFsError(err, lock);
  }
}

/** Removes a stale lock, unless another writer replaced it in between (then it is put back). */
async function takeOver(lock: string, stale: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await fsp.rename(lock, aside);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return;
    throw describeFsError(err, lock);
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => stale);
  if (moved !== stale) await fsp.link(aside, lock).catch(() => undefined); // a live lock taken by mistake: restore it
  await fsp.rm(aside, { force: true });
}

function busyError(target: string, lock: string, h: LockHolder | null): Error {
  const who = h ? `process ${h.pid} on ${h.host} (${h.what} since ${h.since})` : 'another run';
  return new Error(
    `${target} is in use by ${who}. Wait for it to finish, or stop it; if no such process runs, delete ${lock} and run again.`,
  );
}

/** Waits until this call holds the lock of `target`. */
async function acquire(target: string, what: string, opts: LockOptions): Promise<string> {
  const lock = lockPath(target);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
  const deadline = Date.now() + (opts.waitMs ?? Infinity);
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (await tryCreate(lock, me)) return lock;
    const holder = await readHolder(lock);
    if (holder === undefined) continue;
    if (await isStale(lock, holder)) {
      await takeOver(lock, await fsp.readFile(lock, 'utf8').catch(() => ''));
      continue;
    }
    if (Date.now() >= deadline) throw busyError(target, lock, holder);
    if (!told && !opts.quiet && holder) {
      told = true;
      console.log(
        say({
          en: `Waiting for process ${holder.pid}, which is ${holder.what} ${target}...`,
          ko: `프로세스 ${holder.pid}이(가) ${target}을(를) 처리 중이라 기다립니다...`,
        }),
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}

/**
 * Runs `work` while holding the lock of `target` (see the file comment): waits for a live holder, takes over a
 * stale lock, and removes the lock when `work` settles. `what` says what the holder does, for the waiting note
 * and for errors.
 */
export async function withFileLock<T>(
  target: string,
  what: string,
  work: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const lock = await acquire(target, what, opts);
  heldHere.add(lock);
  try {
    return await work();
  } finally {
    heldHere.delete(lock);
    await fsp.rm(lock, { force: true });
  }
}
