/**
 * The ```ts usage examples in lib/'s doc comments are what a learner copies: each must compile. Every example is
 * type-checked (not run) with the TypeScript compiler API and the repository's tsconfig, as a file in the
 * repository root (in memory only), so its `import ... from './lib/...'` lines resolve as they would in a notebook.
 * The example's lines other than imports become the body of an async function (examples use `await`).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');

/** One ```ts block of a doc comment: where it is and its code. */
interface DocExample {
  file: string;
  line: number;
  code: string;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The ```ts blocks inside the `/** ... *\/` comments of `text`. */
function docExamples(file: string, text: string): DocExample[] {
  const found: DocExample[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\*( |$)/, ''));
    const startLine = text.slice(0, comment.index).split('\n').length;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '```ts') continue;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
      assert.ok(end > i, `${file}:${startLine + i}: a \`\`\`ts block without its closing \`\`\``);
      found.push({ file, line: startLine + i, code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return found;
}

/** The example as a module: its imports on top, the rest inside an async function. */
function asModule(code: string): string {
  const lines = code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  return [...imports, 'export async function example(): Promise<void> {', ...body, '}', ''].join('\n');
}

/** Type-checks `examples`; returns one message per diagnostic, located in the lib/ file of the example. */
function typeCheck(examples: DocExample[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  assert.ok(config);
  const sources = new Map(examples.map((e, k) => [path.join(root, `__doc_example_${k}.ts`), e]));
  const host = ts.createCompilerHost(config.options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => sources.has(path.resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => {
    const e = sources.get(path.resolve(f));
    return e ? asModule(e.code) : readFile.call(host, f);
  };
  host.getSourceFile = (f, lang, ...rest) => {
    const e = sources.get(path.resolve(f));
    return e ? ts.createSourceFile(f, asModule(e.code), lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const declarations = config.fileNames.filter((f) => f.endsWith('.d.ts')); // lib/io/jsfive.d.ts ...
  const program = ts.createProgram([...declarations, ...sources.keys()], config.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const e = d.file && sources.get(path.resolve(d.file.fileName));
    const where = e ? `${path.relative(root, e.file)}:${e.line} (example)` : (d.file?.fileName ?? '');
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

const examples = tsFiles(path.join(root, 'lib')).flatMap((f) =>
  docExamples(path.relative(root, f), fs.readFileSync(f, 'utf8')),
);

test('the APIs a learner copies have a ```ts example in their doc comment', () => {
  const names = examples.map((e) => e.code).join('\n');
  for (const api of [
    'vgg16',
    'resnet50',
    'mobilenet',
    'mobilenetV2',
    'buildTransferModel',
    'setFineTuneStrategy',
    'imageDatasetFromDirectory',
    'extractFeatures',
    'gdown',
    'unzip',
    'gradCam',
  ]) {
    assert.match(names, new RegExp(`\\b${api}\\(`), `no example calls ${api}`);
  }
});

test('every ```ts example in a lib/ doc comment compiles', () => {
  assert.ok(examples.length >= 11, `found ${examples.length} examples`);
  assert.deepEqual(typeCheck(examples), []);
});

test('a broken example is reported with its lib/ file and line', () => {
  const broken = { file: 'lib/models/vgg.ts', line: 1, code: "import { vgg16 } from './lib/models/vgg';\nvgg16(42);" };
  const messages = typeCheck([broken]);
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0], /^lib\/models\/vgg\.ts:1 \(example\): .*'42'/);
});
