/**
 * Where the project's WebAssembly kernels live (`native/`: C sources and the two committed binaries built from them
 * by `scripts/build_wasm.ts`) and the structural check every binary must pass before it runs on tfjs's memory.
 */
import * as path from 'node:path';

/** The committed binaries: plain 128-bit SIMD, and relaxed SIMD (fused multiply-add) for engines that have it. */
export const NATIVE_BINARIES = ['kernels.wasm', 'kernels-relaxed.wasm'] as const;

/** The folder of the C sources and binaries. */
export function nativeDir(): string {
  return path.join(__dirname, 'native');
}

/** Reads an unsigned LEB128 number at `pos`; returns it and the position after it. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [v, pos];
  }
}

/** The module's imports as `module.name:kind` (kind 2 = memory; 3 = shared memory). */
function importsOf(bytes: Uint8Array, start: number): string[] {
  const out: string[] = [];
  let [count, p] = leb(bytes, start);
  const text = (): string => {
    const [len, q] = leb(bytes, p);
    p = q + len;
    return Buffer.from(bytes.subarray(q, q + len)).toString('utf8');
  };
  for (; count > 0; count--) {
    const mod = text();
    const name = text();
    const kind = bytes[p++];
    if (kind !== 2) return [...out, `${mod}.${name}:kind${kind}`]; // only a memory is allowed; stop parsing here
    const flags = bytes[p++];
    [, p] = leb(bytes, p);
    if (flags & 1) [, p] = leb(bytes, p);
    out.push(`${mod}.${name}:${flags & 2 ? 'shared memory' : 'memory'}`);
  }
  return out;
}

/** Mutable globals whose initial value is not `i32.const 0` (a stack pointer anywhere but address 0). */
function movedStackPointers(bytes: Uint8Array, start: number): number {
  let [count, p] = leb(bytes, start);
  let bad = 0;
  for (; count > 0; count--) {
    const mutable = bytes[p + 1] === 1;
    p += 2;
    const isZero = bytes[p] === 0x41 && bytes[p + 1] === 0x00 && bytes[p + 2] === 0x0b;
    if (mutable && !isZero) bad++;
    while (bytes[p] !== 0x0b) p++; // simple constant expressions only
    p++;
  }
  return bad;
}

/**
 * Whether the code section moves a global: `global.set` of global 0 as wasm-ld writes it (a 5-byte padded index),
 * which is how compiled C code reserves stack space.
 */
function setsStackPointer(code: Uint8Array): boolean {
  const pattern = [0x24, 0x80, 0x80, 0x80, 0x80, 0x00];
  outer: for (let i = 0; i + pattern.length <= code.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (code[i + j] !== pattern[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * What makes a kernels binary unsafe to run on tfjs's memory (empty when none): it must import exactly one shared
 * memory (`env.memory`) and nothing else, have no data segments (which would be copied into tfjs's memory) and no
 * start function, and use no stack (its stack pointer stays at 0, so a stack use that slipped through would trap).
 */
export function wasmLayoutProblems(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    return ['not a WebAssembly binary'];
  let p = 8;
  let imports: string[] = [];
  while (p < bytes.length) {
    const id = bytes[p];
    const [size, body] = leb(bytes, p + 1);
    if (id === 2) imports = importsOf(bytes, body);
    if (id === 6 && movedStackPointers(bytes, body))
      problems.push('a mutable global (stack pointer) does not start at 0');
    if (id === 8) problems.push('it has a start function');
    if (id === 10 && setsStackPointer(bytes.subarray(body, body + size)))
      problems.push('its code uses the stack (a struct or array whose address is taken)');
    if (id === 11 || id === 12) problems.push('it has data segments');
    p = body + size;
  }
  if (imports.join() !== 'env.memory:shared memory')
    problems.push(`it imports ${imports.join(', ') || 'nothing'} instead of one shared env.memory`);
  return problems;
}
