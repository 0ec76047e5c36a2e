// StrykerJS: mutation testing of the modules whose bugs give a user a wrong answer or lose data (issue 23).
// `npm run test:mutation` runs it all; `npm run test:mutation -- --mutate lib/training/evaluate.ts` one file.
// Each test file runs in its own node process (node:test prints TAP when not on a terminal), under tsx;
// coverage is recorded per test file, so a mutant runs only the test files that reach it. Mutants that do
// not compile are dropped by the TypeScript checker. Incremental: a rerun tests only what changed since the
// last run (build/mutation/incremental.json). `npm run mutation:report` turns the last run into test/MUTATION.md.

import { readdirSync } from 'node:fs';

/**
 * Slow end-to-end files (notebooks, a browser, child processes killed at random, the CLIs run as child processes, wasm
 * builds, type-checking every doc example): not for mutants (a child process reports no coverage anyway).
 */
const SLOW_TESTS = [
  'notebooks',
  'plotsBrowser',
  'ioFaults',
  'wasmNative',
  'wasmThreads',
  'wasmWinograd',
  'wasmKernels',
  'wasmOps',
  'tslabCompat',
  'copyable',
  'lessonDemos',
  'reliability2',
  'trainFolder',
  'modelBrowser',
  'docExamples',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    testFiles: readdirSync('test')
      .filter((f) => f.endsWith('.test.ts') && !SLOW_TESTS.includes(f.replace('.test.ts', '')))
      .map((f) => `test/${f}`),
    nodeArgs: ['--import', 'tsx'],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'lib/data/**/*.ts',
    'lib/training/**/*.ts',
    'lib/explain/**/*.ts',
    'lib/io/**/*.ts',
    'lib/core/**/*.ts',
    'lib/models/**/*.ts',
    'lib/backend/select.ts',
    '!lib/**/*.d.ts',
  ],
  // The sandbox stays inside the project (so node_modules resolves); the notebooks' `lib` link breaks its copy.
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['/notebooks/lib', '/build', '/data', '/.stryker-tmp', '/reports'],
  concurrency: 2,
  timeoutMS: 15000,
  // The first run of every test file (with coverage) takes about 3 minutes on an idle 2-core machine; under load more.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'build/mutation/incremental.json',
  reporters: ['json', 'progress', 'clear-text'],
  jsonReporter: { fileName: 'build/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  cleanTempDir: 'always',
};
