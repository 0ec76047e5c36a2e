/**
 * One voice (issue 19 item 5): the lesson uses one word for each term, and writes particles after code and names as
 * Korean prose does. `voiceProblems(text)` lists what breaks that in a learner-facing text (markdown, outputs,
 * tables, figure titles), so the notebooks test and test/voice.test.ts can name each offending phrase.
 */

/** The chosen term for each pair, and the forms that must not appear beside it. */
export const TERMS: { chosen: string; not: RegExp }[] = [
  { chosen: '특성 맵', not: /특징\s*맵/ },
  { chosen: '특성 추출', not: /특징\s*추출/ },
  { chosen: '레이블', not: /라벨/ },
  { chosen: '학습', not: /훈련/ },
  { chosen: '증식', not: /증강/ },
  // 'epoch' as a word of the prose (code spans and blocks are taken out first: `epochs` stays English).
  { chosen: '에포크', not: /(?<![A-Za-z0-9_.'"$/-])epoch(?![A-Za-z0-9_'"(])/ },
];

/** A particle written apart from the code or name before it ("`x` 은", "Keras 의"). */
const DETACHED_PARTICLE = /(?:`|[A-Za-z0-9)/]) (?:은|는|을|를|의|에|에서|으로|로|와|과)(?=[\s.,)])/;

/** What breaks the lesson's voice in `text`: each offending phrase with a few characters around it. */
export function voiceProblems(text: string): string[] {
  const out: string[] = [];
  const around = (s: string, i: number, len: number) => s.slice(Math.max(0, i - 25), i + len + 25).replace(/\n/g, ' ');
  // Terms are checked in the prose only: code blocks and code spans keep their English identifiers.
  const prose = text.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  for (const t of TERMS) {
    for (const m of prose.matchAll(new RegExp(t.not.source, 'g')))
      out.push(`"${m[0]}" where the lesson says "${t.chosen}": …${around(prose, m.index!, m[0].length)}…`);
  }
  for (const m of text.matchAll(new RegExp(DETACHED_PARTICLE.source, 'g')))
    out.push(`a particle written apart: …${around(text, m.index!, m[0].length)}…`);
  return out;
}

/** Literal backticks inside rendered HTML tables (Markdown does not render there). */
export function backticksInTables(htmls: string[]): string[] {
  const out: string[] = [];
  for (const h of htmls) for (const m of h.matchAll(/<t[dh][^>]*>([^<]*`[^<]*)<\/t[dh]>/g)) out.push(m[1]);
  return out;
}
