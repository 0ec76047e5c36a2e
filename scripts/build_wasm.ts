/**
 * Builds the project's WebAssembly kernels from their C sources (lib/backend/wasm/native/*.c) into the committed
 * binaries: kernels.wasm (128-bit SIMD) and kernels-relaxed.wasm (the same with relaxed-SIMD fused multiply-adds).
 *
 *   npm run build:wasm [-- --check] [-- --out <dir>]
 *
 * Needs Debian 12's clang-19 and lld-19 (`apt-get install -y clang-19 lld-19`).
 * The build is reproducible: the same compiler gives the same bytes (no debug info, names stripped), which
 * `--check` verifies against the committed binaries (and `test/wasmNative.test.ts` runs). Every binary is checked
 * to import only the tfjs memory and to have no data segments and no stack (see native/common.h).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import { nativeDir, NATIVE_BINARIES, wasmLayoutProblems } from '../lib/backend/wasm/nativeFiles';

const COMMON = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-matomics',
  '-mbulk-memory',
  '-nostdlib',
  '-ffreestanding',
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-Wno-unused-parameter',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--shared-memory',
  '-Wl,--max-memory=4294967296',
  '-Wl,-z,stack-size=0',
  '-Wl,--stack-first',
  '-Wl,--strip-all',
];
const VARIANTS: Record<string, string[]> = {
  'kernels.wasm': [],
  'kernels-relaxed.wasm': ['-mrelaxed-simd', '-DTL_RELAXED'],
};

/** The compiler: the binaries are byte-for-byte what this version gives. */
export const CLANG = 'clang-19';

/** Compiles every variant into `outDir`; returns the written paths. */
export function buildNative(outDir: string): string[] {
  const dir = nativeDir();
  const sources = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .sort();
  const written: string[] = [];
  for (const [file, flags] of Object.entries(VARIANTS)) {
    const out = path.join(outDir, file);
    // Relative source names and a fixed working directory: nothing of the checkout's location enters the build.
    const r = spawnSync(CLANG, [...COMMON, ...flags, '-o', out, ...sources], { cwd: dir, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : r.stderr.trim();
      throw new Error(
        `build_wasm: ${CLANG} failed for ${file}: ${why}\nInstall the compiler with: apt-get install -y clang-19 lld-19`,
      );
    }
    const problems = wasmLayoutProblems(fs.readFileSync(out));
    if (problems.length)
      throw new Error(`build_wasm: ${file} is unsafe to run on the tfjs memory: ${problems.join('; ')}`);
    written.push(out);
  }
  return written;
}

const USAGE = 'usage: npm run build:wasm -- [--check] [--out <folder>]';

function main(): void {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { check: { type: 'boolean', default: false }, out: { type: 'string' } },
    USAGE,
    false,
  );
  if (values.check) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-wasm-'));
    try {
      buildNative(tmp);
      const differ = NATIVE_BINARIES.filter(
        (f) => !fs.readFileSync(path.join(tmp, f)).equals(fs.readFileSync(path.join(nativeDir(), f))),
      );
      if (differ.length)
        throw new Error(
          `build_wasm --check: rebuilding gives different bytes for ${differ.join(', ')}; run npm run build:wasm and commit`,
        );
      console.log(`build_wasm --check: ${NATIVE_BINARIES.join(', ')} rebuild to the same bytes`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  for (const f of buildNative(values.out ?? nativeDir())) console.log(`wrote ${f} (${fs.statSync(f).size} bytes)`);
}

if (require.main === module) runMain('build_wasm', main);
