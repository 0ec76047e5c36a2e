/** A watchdog for HTTP requests: a stalled connection otherwise waits forever. */
import { envPositiveNumber } from '../core/config';

/** Milliseconds without a response or any data after which a request is abandoned: DOWNLOAD_IDLE_TIMEOUT_S (default 60 s). */
export function idleTimeoutMs(): number {
  return envPositiveNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60) * 1000;
}

/**
 * Aborts one request when neither the response nor new data arrives for `ms`. Pass `signal` to fetch, call
 * `touch()` on progress and `clear()` when done.
 */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(readonly ms: number = idleTimeoutMs()) {
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
  }
}
