/**
 * Notebook cells are type-checked by tslab's own TypeScript (5.0, lib ES2022 without DOM, node10 resolution),
 * not by this project's tsc settings: a lib/ file that tsc accepts can still fail every notebook cell that
 * imports it. This test compiles every lib/ file the way tslab does and fails on any diagnostic.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'fs';
import * as path from 'path';
import * as ts from '@tslab/typescript-for-tslab';

const root = path.resolve(__dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return f.endsWith('.ts') && !f.endsWith('.d.ts') ? [p] : [];
  });
}

test("every lib/ file type-checks under tslab's compiler settings", () => {
  const files = tsFiles(path.join(root, 'lib'));
  assert.ok(files.length > 5);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    typeRoots: [path.join(root, 'node_modules', '@types')],
  });
  const messages = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  assert.deepEqual(messages, [], `tslab would reject these in notebook cells:\n${messages.join('\n')}`);
  assert.equal(ts.version.split('.')[0], '5');
});
