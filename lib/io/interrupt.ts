/**
 * Clean-up on Ctrl-C: while some work runs, SIGINT, SIGTERM and SIGHUP abort it (through an AbortSignal) instead of
 * killing the process mid-write, so that its `finally` blocks remove temporary files. When nothing else listens
 * to the signal (a script in a terminal), the signal is raised again afterwards and the process ends as the
 * user asked; inside a host that handles it (a notebook kernel), the work just fails with "interrupted".
 */

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** How often the parent process is checked: a launcher (`npm run`, `tsx`) that died of a signal it did not pass on. */
const PARENT_CHECK_MS = 250;

/** The error an interrupted piece of work fails with. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
    this.name = 'InterruptedError';
  }
}

/**
 * Runs `work(signal)`; on SIGINT/SIGTERM/SIGHUP the signal is aborted and, once `work` has settled (its clean-up
 * done), the process signal is raised again unless another listener handles it. When the parent process goes
 * away (a launcher such as `tsx` ended by SIGHUP, which it does not pass on), the work is aborted the same way:
 * an orphan must not go on writing. `work` must stop promptly when the signal aborts.
 */
export async function withInterruptCleanup<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  let reRaise = false;
  const handler = (sig: NodeJS.Signals) => {
    if (caught === undefined) reRaise = process.listenerCount(sig) === 1; // ours alone: the default action is what the user expects
    caught = sig;
    controller.abort(new InterruptedError(sig));
  };
  for (const s of SIGNALS) process.on(s, handler);
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent && !controller.signal.aborted) controller.abort(new InterruptedError('SIGHUP'));
  }, PARENT_CHECK_MS);
  orphanCheck.unref();
  try {
    return await work(controller.signal);
  } finally {
    clearInterval(orphanCheck);
    for (const s of SIGNALS) process.off(s, handler);
    if (caught && reRaise) {
      process.kill(process.pid, caught);
      // The signal may land on another thread a moment later: wait for it here, so that the caller's error path
      // (a script's `catch` that exits 1) does not end the process first. Only a signal that is ignored gets past.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
