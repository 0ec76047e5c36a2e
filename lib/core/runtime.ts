/**
 * Where the code runs: inside a tslab notebook kernel (rich display, Korean messages) or in a terminal / script.
 */
import { randomBytes } from 'node:crypto';

/** What tslab's kernel hands each cell for rich output (`display_data`, or `update_display_data` with `update`). */
type WriteDisplayData = (
  msg: { data: Record<string, string>; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update?: boolean,
) => void;

/** tslab's `jupyter` module when this process is a tslab kernel, else undefined. */
function tslabJupyter(): { lastWriteDisplayData?: WriteDisplayData | null } | undefined {
  // The kernel loads tslab itself; outside a kernel tslab is not in the module cache at all.
  const key = Object.keys(require.cache).find((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  return key
    ? (require.cache[key]?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined)
    : undefined;
}

/** True when running inside a tslab notebook kernel (rich display works). */
export function inNotebook(): boolean {
  const jupyter = tslabJupyter();
  return jupyter !== undefined && jupyter.lastWriteDisplayData != null;
}

/**
 * The cell the kernel is executing, as an opaque token: the same object for every call during one cell's
 * execution, a new one for the next executed cell (tslab hands each execute request its own display writer).
 * Undefined outside a notebook. lib/ui/plot.ts uses it to embed plotly.js once per executed cell.
 */
export function cellExecution(): object | undefined {
  return tslabJupyter()?.lastWriteDisplayData ?? undefined;
}

/** The language of messages a person reads: Korean in the lesson's notebooks, English in terminals and logs. */
export function messageLanguage(): 'ko' | 'en' {
  return inNotebook() ? 'ko' : 'en';
}

/** Rich output of a notebook cell: HTML, text, or one output with several MIME types (the front end picks one). */
export interface NotebookDisplay {
  html(s: string): void;
  text(s: string): void;
  /** One output whose data holds every entry of `data` (MIME type to content), e.g. HTML with an SVG beside it. */
  bundle(data: Record<string, string>): void;
}

/**
 * tslab's display, without loading tslab: what tslab's public `display` (or, with `updating`, `newDisplay()`)
 * does in tslab 1.0 — each call goes to the running cell's output; an updating display replaces its own output
 * on every call after the first (for live progress). Undefined outside a notebook.
 */
export function notebookDisplay(opts: { updating?: boolean } = {}): NotebookDisplay | undefined {
  if (!inNotebook()) return undefined;
  const id = opts.updating ? randomBytes(8).toString('hex') : undefined;
  let shown = false;
  const bundle = (data: Record<string, string>): void => {
    const write = tslabJupyter()?.lastWriteDisplayData;
    if (!write)
      throw new Error('notebookDisplay: the tslab kernel is not executing a cell; show output from inside a cell.');
    write({ data, metadata: {}, transient: { display_id: id } }, id !== undefined && shown);
    shown = true;
  };
  return { html: (s) => bundle({ 'text/html': s }), text: (s) => bundle({ 'text/plain': s }), bundle };
}
