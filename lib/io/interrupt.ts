/**
 * Clean-up on Ctrl-C: while some work runs, SIGINT and SIGTERM abort it (through an AbortSignal) instead of
 * killing the process mid-write, so that its `finally` blocks remove temporary files. When nothing else listens
 * to the signal (a script in a terminal), the signal is raised again afterwards and the process ends as the
 * user asked; inside a host that handles it (a notebook kernel), the work just fails with "interrupted".
 */

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** The error an interrupted piece of work fails with. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
    this.name = 'InterruptedError';
  }
}

/**
 * Runs `work(signal)`; on SIGINT/SIGTERM the signal is aborted and, once `work` has settled (its clean-up
 * done), the process signal is raised again unless another listener handles it. `work` must stop promptly
 * when the signal aborts.
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
  try {
    return await work(controller.signal);
  } finally {
    for (const s of SIGNALS) process.off(s, handler);
    if (caught && reRaise) {
      process.kill(process.pid, caught);
      // The signal may land on another thread a moment later: wait for it here, so that the caller's error path
      // (a script's `catch` that exits 1) does not end the process first. Only a signal that is ignored gets past.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
