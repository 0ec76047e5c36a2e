/** A watchdog for HTTP requests: a stalled connection otherwise waits forever. */
import { envNumber } from '../core/config';

/** Milliseconds without a response or any data after which a request is abandoned: DOWNLOAD_IDLE_TIMEOUT_S (default 60 s). */
export function idleTimeoutMs(): number {
  return envNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60) * 1000;
}

/** The longest delay a Node timer takes (2^31 - 1 ms); a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Aborts one request when neither the response nor new data arrives for `ms`, or when `parent` aborts (Ctrl-C).
 * Pass `signal` to fetch, call `touch()` on progress and `clear()` when done.
 */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly detach: () => void;
  constructor(
    readonly ms: number = idleTimeoutMs(),
    parent?: AbortSignal,
  ) {
    if (!(ms > 0 && ms <= MAX_TIMER_MS))
      throw new RangeError(
        `An idle timeout of ${ms / 1000} s is out of range: use 0.001 to ${Math.floor(MAX_TIMER_MS / 1000)} s (DOWNLOAD_IDLE_TIMEOUT_S).`,
      );
    if (parent?.aborted) this.controller.abort(parent.reason);
    const onAbort = () => this.controller.abort(parent?.reason);
    parent?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => parent?.removeEventListener('abort', onAbort);
    this.touch();
  }
  /** The signal to pass to fetch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** Restarts the countdown. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => this.controller.abort(new Error(`no response or data for ${this.ms / 1000} s`)),
      this.ms,
    );
    this.timer.unref?.();
  }
  /** Stops the countdown. */
  clear(): void {
    clearTimeout(this.timer);
    this.detach();
  }
}
