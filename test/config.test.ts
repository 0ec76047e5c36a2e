/**
 * Configuration from the environment: one module reads every variable, each variable is documented, and the
 * getters reject bad values with a message naming the variable.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ENV_VARS, envChoice, envFlag, envPositiveNumber, isQuiet } from '../lib/core/config';

const root = path.resolve(__dirname, '..');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'assets' ? [] : files(p, ext);
    return ext.test(name) ? [p] : [];
  });
}

test('only lib/core/config.ts reads process.env in lib/', () => {
  const readers = files(path.join(root, 'lib'), /\.ts$/)
    // Not preceded by a dot: Stryker's instrumented copies read `g.process.env` in a header of their own.
    .filter((f) => /(?<![\w.])process\.env\b/.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(root, f));
  assert.deepEqual(readers, [path.join('lib', 'core', 'config.ts')]);
});

test('every environment variable read in lib/ and scripts/ is documented in the README', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const names = new Set<string>(Object.keys(ENV_VARS));
  for (const f of files(path.join(root, 'scripts'), /\.(ts|js|py)$/)) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(
      /process\.env\.([A-Z][A-Z0-9_]+)|process\.env\[['"]([A-Z][A-Z0-9_]+)['"]\]|os\.environ(?:\.get)?[[(]['"]([A-Z][A-Z0-9_]+)['"]/g,
    )) {
      names.add(m[1] ?? m[2] ?? m[3]);
    }
  }
  // Variables of other tools that the scripts only pass through are not the project's to document.
  for (const foreign of ['CONDA_PREFIX', 'DEBIAN_FRONTEND', 'PYDEVD_DISABLE_FILE_VALIDATION', 'PATH', 'HOME'])
    names.delete(foreign);
  const missing = [...names].filter((n) => !readme.includes(`\`${n}\``)).sort();
  assert.deepEqual(missing, [], `README.md does not document ${missing.join(', ')}`);
});

test('getters: flags, numbers and choices, with errors naming the variable', () => {
  assert.equal(envFlag('LESSON_QUIET', { LESSON_QUIET: '1' }), true);
  for (const off of ['', '0', 'false', 'OFF', 'no'])
    assert.equal(envFlag('LESSON_QUIET', { LESSON_QUIET: off }), false, off);
  assert.equal(envPositiveNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, {}), 60);
  assert.equal(envPositiveNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, { DOWNLOAD_IDLE_TIMEOUT_S: '2.5' }), 2.5);
  assert.throws(
    () => envPositiveNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, { DOWNLOAD_IDLE_TIMEOUT_S: 'soon' }),
    /DOWNLOAD_IDLE_TIMEOUT_S=soon is not a number/,
  );
  assert.equal(
    envChoice('LESSON_BACKBONE', ['vgg16', 'mobilenet'] as const, 'vgg16', { LESSON_BACKBONE: ' MobileNet ' }),
    'mobilenet',
  );
  assert.throws(
    () => envChoice('LESSON_BACKBONE', ['vgg16', 'mobilenet'] as const, 'vgg16', { LESSON_BACKBONE: 'resnet' }),
    /LESSON_BACKBONE=resnet is not valid: use one of vgg16, mobilenet/,
  );
  assert.equal(isQuiet(false), false, 'an explicit option wins over the environment');
});
