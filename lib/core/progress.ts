/**
 * The one progress renderer of the library (downloads, extraction, feature extraction, training epochs).
 *
 * In a terminal (the stream is a TTY) a bar redrawn in place with `\r` and an erase-to-end; elsewhere (a Jupyter
 * cell, a log) `\r`-prefixed lines at most every second or every 10 % — Jupyter redraws such a line in place.
 * It prints numbers and a caller-given label and detail only, so callers choose the words (and their language).
 */
import { isQuiet } from './config';
import { say } from './messages';

/** Where progress goes (default: stderr in a terminal, stdout otherwise). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** Options of a `ProgressLine`. */
export interface ProgressOptions {
  /** Text before the bar (a file name, 'train', 'Epoch 3/10'). */
  label: string;
  /** The total, when known (a bar and a percentage are drawn). */
  total?: number;
  /** 'bytes' shows 1.2 MB / 5.0 MB; 'count' shows 12/63. Default 'count'. */
  unit?: 'bytes' | 'count';
  /** Print nothing (default: `LESSON_QUIET`). */
  quiet?: boolean;
  /** Output (default: stderr when it is a terminal, else stdout). */
  sink?: ProgressSink;
  /**
   * Also show a rate and, with a total, the time left: `unit` names what is counted per second ('images'), `per` how
   * many of them one step is (default 1).
   */
  rate?: { unit: string; per?: number };
}

/** Seconds as a short duration (42s, 3m05s; in a notebook 42초, 3분 05초). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [m, r] = [Math.floor(s / 60), String(s % 60).padStart(2, '0')];
  return say({ en: s < 60 ? `${s}s` : `${m}m${r}s`, ko: s < 60 ? `${s}초` : `${m}분 ${r}초` });
}

/** Bytes as a short string (1.5 MB). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A text bar of `width` characters for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
}

function defaultSink(): ProgressSink {
  return process.stderr.isTTY ? process.stderr : process.stdout;
}

/** A progress line updated in place; `finish` ends it, `log` prints a permanent line above it. */
export class ProgressLine {
  readonly quiet: boolean;
  private readonly sink: ProgressSink;
  private readonly tty: boolean;
  private readonly started = Date.now();
  private lastTime = 0;
  private lastFraction = -1;
  private open = false;

  constructor(private readonly opts: ProgressOptions) {
    this.quiet = isQuiet(opts.quiet);
    this.sink = opts.sink ?? defaultSink();
    this.tty = Boolean(this.sink.isTTY);
  }

  /** Seconds since the line was created. */
  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** The text of the line for `done` (exported for tests and for callers that print elsewhere). */
  render(done: number, total = this.opts.total, detail?: string): string {
    const bytes = this.opts.unit === 'bytes';
    const fmt = (n: number) => (bytes ? formatBytes(n) : String(n));
    const counts = total ? `${fmt(done)}/${fmt(total)}` : fmt(done);
    const pct = total ? ` ${String(Math.floor(Math.min(1, done / total) * 100)).padStart(3)}%` : '';
    const bar = total ? ` ${progressBar(done / total)}` : '';
    const rate = this.rateText(done, total);
    const secs = `${this.seconds().toFixed(1)}${say({ en: 's', ko: '초' })}`;
    return `${this.opts.label}${bar}${pct} ${counts} ${secs}${rate}${detail ? ` - ${detail}` : ''}`;
  }

  /** ' - 250 images/s, ETA 14s' (with the `rate` option and some progress), else ''. */
  private rateText(done: number, total?: number): string {
    const secs = this.seconds();
    if (!this.opts.rate || done <= 0 || secs <= 0) return '';
    const perSecond = (done * (this.opts.rate.per ?? 1)) / secs;
    const left = total && done < total ? formatDuration(((total - done) * secs) / done) : undefined;
    const eta = left ? say({ en: `, ETA ${left}`, ko: `, 남은 시간 ${left}` }) : '';
    return ` - ${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} ${this.opts.rate.unit}/s${eta}`;
  }

  /** Reports progress; throttled unless `force`. */
  update(done: number, opts: { total?: number; detail?: string; force?: boolean } = {}): void {
    if (this.quiet) return;
    const total = opts.total ?? this.opts.total;
    const now = Date.now();
    const fraction = total ? Math.min(1, done / total) : undefined;
    const enoughTime = now - this.lastTime >= (this.tty ? 100 : 1000);
    const enoughFraction = fraction !== undefined && !this.tty && fraction - this.lastFraction >= 0.1;
    if (!opts.force && this.open && !enoughTime && !enoughFraction) return;
    this.lastTime = now;
    if (fraction !== undefined) this.lastFraction = fraction;
    this.open = true;
    const line = this.render(done, total, opts.detail);
    this.sink.write(this.tty ? `\r${line}\x1b[K` : `\r${line}`);
  }

  /** Prints a permanent line (replacing the progress line, which the next `update` redraws). */
  log(text: string): void {
    if (this.quiet) return;
    this.sink.write(this.open ? `\r${text}${this.tty ? '\x1b[K' : ' '.repeat(8)}\n` : `${text}\n`);
    this.open = false;
    this.lastFraction = -1;
  }

  /** Ends the line: with `text` the line is replaced by it, else the last update stays. */
  finish(text?: string): void {
    if (this.quiet) return;
    if (text !== undefined) this.log(text);
    else if (this.open) this.sink.write('\n');
    this.open = false;
  }
}
