/**
 * Issue 19 item 5, one voice: the notebooks' markdown and the Korean sentences of lib/ use one term for each idea
 * (특성 맵, 특성 추출, 레이블, 에포크) and attach particles to code and names. The executed notebooks' outputs get the same
 * check in test/notebooks.test.ts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { backticksInTables, voiceProblems } from './helpers/voice';

const root = path.join(__dirname, '..');

test('voiceProblems finds each mixed term and detached particle, and passes the chosen forms', () => {
  assert.deepEqual(voiceProblems('특성 맵, 특성 추출기, 레이블, 에포크마다, `epochs: 30`, `x`는, Keras의'), []);
  const found = voiceProblems('특징 맵 / 특징 추출기 / 라벨 / epoch마다 / 30 epoch면 / `x` 는 / Keras 의 가중치');
  assert.equal(found.length, 7, found.join('\n'));
  assert.deepEqual(backticksInTables(['<table><tr><td>`pooling`</td><td>avg</td></tr></table>']), ['`pooling`']);
});

test("the notebooks' markdown speaks with one voice", () => {
  const dir = path.join(root, 'notebooks');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ipynb'))) {
    const cells = JSON.parse(readFileSync(path.join(dir, f), 'utf8')).cells as {
      cell_type: string;
      source: string[];
    }[];
    const md = cells
      .filter((c) => c.cell_type === 'markdown')
      .map((c) => c.source.join(''))
      .join('\n');
    assert.deepEqual(voiceProblems(md), [], f);
  }
});

test("lib/'s Korean sentences speak with one voice", () => {
  const files = (readdirSync(path.join(root, 'lib'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    // Korean string literals only (comments and code are English).
    const src = readFileSync(path.join(root, 'lib', f), 'utf8');
    const korean = [...src.matchAll(/(['`])((?:(?!\1)[^\n\\])*[\uac00-\ud7a3](?:(?!\1)[^\n\\])*)\1/g)].map((m) => m[2]);
    const sentences = korean
      .join('\n')
      .replace(/\$\{[^}]*\}/g, 'X')
      .replace(/`/g, '');
    assert.deepEqual(voiceProblems(sentences), [], `lib/${f}`);
  }
});
