/**
 * Copying helpers into coursework: each lib/ folder needs only the folders CONTRIBUTING.md lists for it (its
 * imports, followed to the end), and such a set compiles on its own in an empty project.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib');
const FOLDERS = readdirSync(lib).filter((f) => f !== 'assets' && statSync(path.join(lib, f)).isDirectory());

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The lib/ folders that files of `folder` import directly (relative imports that leave the folder). */
function directDeps(folder: string): Set<string> {
  const deps = new Set<string>();
  for (const file of tsFiles(path.join(lib, folder))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(lib, path.resolve(path.dirname(file), m[1])).split(path.sep)[0];
      if (target !== folder) deps.add(target);
    }
  }
  return deps;
}

/** `folder` and every folder it needs, followed to the end. */
function closure(folder: string): string[] {
  const seen = new Set([folder]);
  const todo = [folder];
  while (todo.length) {
    for (const d of directDeps(todo.pop()!)) {
      if (!seen.has(d)) {
        seen.add(d);
        todo.push(d);
      }
    }
  }
  return [...seen].sort();
}

/** CONTRIBUTING.md's "what to copy" table: folder -> the folders listed for it. */
function documentedSets(): Map<string, string[]> {
  const text = readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');
  const section = text.slice(text.indexOf('## Copying helpers into your coursework'));
  const sets = new Map<string, string[]>();
  for (const m of section.matchAll(/^\| `lib\/([a-z]+)\/` \| ([^|]+) \|/gm)) {
    sets.set(m[1], [...m[2].matchAll(/`lib\/([a-z]+)\/`/g)].map((x) => x[1]).sort());
  }
  return sets;
}

test('CONTRIBUTING lists, for every lib/ folder, exactly the folders it needs', () => {
  const sets = documentedSets();
  for (const folder of FOLDERS) {
    assert.deepEqual(sets.get(folder), closure(folder), `lib/${folder}/ needs ${closure(folder).join(', ')}`);
  }
});

test('a documented set copied into an empty project compiles on its own', (t) => {
  for (const folder of ['data', 'models', 'explain']) {
    const dir = tempDir(`copy-${folder}-`);
    for (const f of closure(folder)) cpSync(path.join(lib, f), path.join(dir, 'lib', f), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'CommonJS',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          resolveJsonModule: true,
          noEmit: true,
          types: ['node'],
          lib: ['ES2022', 'DOM'],
        },
        include: ['lib/**/*.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      encoding: 'utf8',
    });
    assert.equal(
      r.status,
      0,
      `lib/${folder}/ with ${closure(folder).join(', ')} does not compile alone:\n${r.stdout}${r.stderr}`,
    );
    t.diagnostic(
      `lib/${folder}/ + ${
        closure(folder)
          .filter((f) => f !== folder)
          .join(', ') || 'nothing'
      }: compiles alone`,
    );
  }
});
