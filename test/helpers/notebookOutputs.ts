/** Reading an executed notebook's outputs in tests. */
import { readFileSync } from 'fs';

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

const join = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''));

/** An executed notebook, with helpers to find its printed text and HTML tables. */
export class ExecutedNotebook {
  readonly cells: Cell[];
  constructor(readonly path: string) {
    this.cells = JSON.parse(readFileSync(path, 'utf8')).cells;
  }
  /** All stream text of all code cells, in order. */
  text(): string {
    return this.cells
      .flatMap((c) => c.outputs ?? [])
      .filter((o) => o.output_type === 'stream')
      .map((o) => join(o.text))
      .join('');
  }
  /** All text/html outputs, in order. */
  htmls(): string[] {
    return this.cells
      .flatMap((c) => c.outputs ?? [])
      .map((o) => join(o.data?.['text/html']))
      .filter((h) => h.length > 0);
  }
  /** Tables rendered by lib/display.ts, as rows of strings keyed by header, with their caption. */
  tables(): { caption: string; rows: Record<string, string>[] }[] {
    const out: { caption: string; rows: Record<string, string>[] }[] = [];
    for (const html of this.htmls()) {
      for (const m of html.matchAll(/<table class="tlts-table">([\s\S]*?)<\/table>/g)) {
        const body = m[1];
        const caption = strip(/<caption[^>]*>([\s\S]*?)<\/caption>/.exec(body)?.[1] ?? '');
        const headers = [...(/<thead>([\s\S]*?)<\/thead>/.exec(body)?.[1] ?? '').matchAll(/<th>([\s\S]*?)<\/th>/g)].map(
          (h) => strip(h[1]),
        );
        const rows = [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(body)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(
          (r) => {
            const cells = [...r[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => strip(c[1]));
            return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
          },
        );
        out.push({ caption, rows });
      }
    }
    return out;
  }
  /** The first table whose caption contains `part`; throws with the captions seen otherwise. */
  table(part: string): Record<string, string>[] {
    const all = this.tables();
    const t = all.find((x) => x.caption.includes(part));
    if (!t)
      throw new Error(
        `${this.path}: no table captioned like "${part}" (tables: ${all.map((x) => x.caption).join(' | ')})`,
      );
    return t.rows;
  }
  /** Every output that carries a plotly figure (HTML with a `tlts-plot` div), with all its MIME types. */
  figureOutputs(): Record<string, string>[] {
    return this.cells
      .flatMap((c) => c.outputs ?? [])
      .filter((o) => /class="tlts-plot"/.test(join(o.data?.['text/html'])))
      .map((o) => Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, join(v)])));
  }
  /** Every output that carries a static diagram (lib/ui/diagram.ts: HTML with a `tlts-diagram` div), all its MIME types. */
  diagramOutputs(): Record<string, string>[] {
    return this.cells
      .flatMap((c) => c.outputs ?? [])
      .filter((o) => /class="tlts-diagram"/.test(join(o.data?.['text/html'])))
      .map((o) => Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, join(v)])));
  }
  /** The SVG of each static diagram, in order. */
  diagramSvgs(): string[] {
    return this.diagramOutputs().map((d) => d['image/svg+xml'] ?? '');
  }
  /** All text/markdown outputs (sentences a lib/ helper built from the run's numbers), in order. */
  markdowns(): string[] {
    return this.cells
      .flatMap((c) => c.outputs ?? [])
      .map((o) => join(o.data?.['text/markdown']))
      .filter((m) => m.length > 0);
  }
  /** The first markdown output that contains `part`; throws with what was shown otherwise. */
  markdown(part: string): string {
    const m = this.markdowns().find((x) => x.includes(part));
    if (!m) throw new Error(`${this.path}: no markdown output with "${part}" (shown: ${this.markdowns().join(' | ')})`);
    return m;
  }
  /** Everything a learner reads: markdown cells, printed text, markdown outputs and HTML without its scripts. */
  learnerText(): string {
    const md = this.cells.filter((c) => c.cell_type === 'markdown').map((c) => join(c.source));
    const html = this.htmls().map((h) =>
      strip(h.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '')),
    );
    return [...md, this.text(), ...this.markdowns(), ...html].join('\n');
  }
  /** Number of plotly figures in the outputs. */
  figureCount(): number {
    return this.htmls().reduce((n, h) => n + (h.match(/class="tlts-plot"/g)?.length ?? 0), 0);
  }
}

function strip(s: string): string {
  return s
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();
}

/** Parses a number printed with thousands separators. */
export function num(s: string | undefined): number {
  if (s === undefined) throw new Error('missing cell');
  const v = Number(s.replace(/,/g, ''));
  if (Number.isNaN(v)) throw new Error(`not a number: ${s}`);
  return v;
}

/**
 * A check on a random outcome that a correct notebook fails now and then (07: test accuracy after fine-tuning vs
 * before, on 100 photos). test/notebooks.test.ts executes the notebook once more when only such a check failed,
 * and fails if it fails again.
 */
export class StatisticalCheckFailure extends Error {}

/** Throws a `StatisticalCheckFailure` with `message` unless `ok`. */
export function statisticalCheck(ok: boolean, message: string): void {
  if (!ok) throw new StatisticalCheckFailure(message);
}
