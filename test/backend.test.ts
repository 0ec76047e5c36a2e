/**
 * Backend selection: each case runs in a child process, since a process picks its backend once.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describeBackend, parseBackendEnv } from '../lib/backend/select';
import { backendDetails, backendLines } from '../lib/lesson/banner';
import { gpuHowTo, isSoftwareAdapter, probeAdapter, summarizeAdapter } from '../lib/backend/webgpuAdapter';

const root = path.resolve(__dirname, '..');
const script = `
const { initBackend } = require('./lib/backend/select');
const tf = require('@tensorflow/tfjs');
initBackend().then((info) => {
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).arraySync());
  console.log('RESULT ' + JSON.stringify({ info, backend: tf.getBackend(), y }));
}).catch((e) => { console.log('ERROR ' + e.message); process.exitCode = 3; });
`;

/** The child for an untested tfjs: pretends tfjs-core 4.99.0 before anything touches the backend. */
const untestedScript = `
const { simulateTfjsVersion } = require('./lib/core/internals');
simulateTfjsVersion('4.99.0');
const { initBackend } = require('./lib/backend/select');
const { registerWasmKernels } = require('./lib/backend/wasm/registry');
const { registerThreadedWasm } = require('./lib/backend/wasm/threads');
const tf = require('@tensorflow/tfjs');
initBackend({ force: 'wasm' }).then((info) => {
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).arraySync());
  const conv = tf.tidy(() => tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 3]), 1, 'valid').arraySync());
  const added = registerWasmKernels();
  const threads = registerThreadedWasm(4);
  const project = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'].filter((k) => tf.getKernel(k, 'wasm'));
  console.log('RESULT ' + JSON.stringify({ info, backend: tf.getBackend(), y, conv, added, threads, project }));
}).catch((e) => { console.log('ERROR ' + e.message); process.exitCode = 3; });
`;

/** The child for a forced webgpu: an op read asynchronously, then a synchronous read that must fail clearly. */
const webgpuScript = `
const { initBackend } = require('./lib/backend/select');
const tf = require('@tensorflow/tfjs');
initBackend().then(async (info) => {
  const t = tf.add(tf.tensor1d([1, 2]), 1);
  const y = Array.from(await t.data());
  let syncError = '';
  try { tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync(); } catch (e) { syncError = e.message; }
  console.log('RESULT ' + JSON.stringify({ info, backend: tf.getBackend(), y, syncError }));
}).catch((e) => { console.log('ERROR ' + e.message); process.exitCode = 3; });
`;

/** Why the webgpu case cannot run here (no adapter at all), else false. */
function webgpuSkip(): string | false {
  const probe = probeAdapter(require.resolve('webgpu'));
  return probe.facts ? false : (probe.why ?? 'no adapter');
}

/** Whether an optional package is installed (the native backends are not, offline). */
function resolves(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function pick(
  env: Record<string, string | undefined>,
  code = script,
): { status: number | null; out: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TFJS_BACKEND: undefined, ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr, stderr: r.stderr };
}

test('TFJS_BACKEND values are parsed, and a wrong one is named in the error', () => {
  assert.equal(parseBackendEnv(undefined), undefined);
  assert.equal(parseBackendEnv(''), undefined);
  assert.equal(parseBackendEnv('WASM'), 'wasm');
  assert.equal(parseBackendEnv('tensorflow'), 'node');
  assert.equal(parseBackendEnv('tfjs-node-gpu'), 'gpu');
  assert.equal(parseBackendEnv('WebGPU'), 'webgpu');
  assert.throws(
    () => parseBackendEnv('webgl'),
    /TFJS_BACKEND=webgl is not a backend: use one of gpu, webgpu, node, wasm, cpu/,
  );
});

test('without TFJS_BACKEND the fastest backend that loads runs, and the banner says why the others were skipped', () => {
  const { status, out } = pick({});
  assert.equal(status, 0, out);
  const r = JSON.parse(/RESULT (.*)/.exec(out)![1]);
  assert.deepEqual(r.y, [2, 3], 'ops run on the chosen backend');
  assert.equal(r.backend, r.info.tfBackend);
  // The order is gpu, webgpu, node, wasm, cpu: the skipped ones are exactly those before the choice, and cpu (the
  // slowest) is never chosen while wasm loads. Without the native packages (offline, their libtensorflow download
  // fails) and without a hardware GPU adapter (lavapipe is software: never automatic), wasm must run.
  const order = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'];
  const skipped = r.info.skipped.map((s: { choice: string }) => s.choice);
  assert.notEqual(r.info.choice, 'cpu', 'wasm ships with the project and loads: cpu is never the automatic choice');
  assert.deepEqual(skipped, order.slice(0, order.indexOf(r.info.choice)));
  if (!resolves('@tensorflow/tfjs-node') && !resolves('@tensorflow/tfjs-node-gpu')) {
    const webgpu = r.info.skipped.find((s: { choice: string }) => s.choice === 'webgpu');
    if (webgpu) {
      assert.equal(r.info.choice, 'wasm');
      assert.deepEqual(skipped, ['gpu', 'webgpu', 'node']);
      // The reason names what was found: no adapter (and how to get one), or only a software one.
      assert.match(webgpu.why, /no WebGPU adapter|only a software adapter, .*\(\w[\w ]*, software\)|Dawn/);
    } else assert.equal(r.info.choice, 'webgpu', 'webgpu is skipped only for wasm, or runs on a hardware GPU');
    assert.equal(r.info.reason, 'the fastest that loaded');
  }
  assert.match(out, /TensorFlow\.js backend: \w+ — /);
  for (const s of r.info.skipped) assert.match(out, new RegExp(`skipped ${s.choice}: `));
});

test('TFJS_BACKEND forces a backend, and a forced one that cannot load is a clear error', () => {
  const cpu = pick({ TFJS_BACKEND: 'cpu' });
  assert.equal(cpu.status, 0, cpu.out);
  const r = JSON.parse(/RESULT (.*)/.exec(cpu.out)![1]);
  assert.equal(r.backend, 'cpu');
  assert.match(r.info.reason, /forced by TFJS_BACKEND=cpu/);

  if (!resolves('@tensorflow/tfjs-node')) {
    const node = pick({ TFJS_BACKEND: 'node' });
    assert.equal(node.status, 3, node.out);
    assert.match(
      node.out,
      /ERROR TFJS_BACKEND asks for 'node' but @tensorflow\/tfjs-node is not installed .*Unset TFJS_BACKEND/,
    );
  }
});

test('the banner names the backend, the threads and every skipped backend', () => {
  const text = describeBackend({
    choice: 'wasm',
    tfBackend: 'wasm',
    reason: 'the fastest that loaded',
    threads: 2,
    notes: ['extra kernels'],
    skipped: [
      { choice: 'gpu', why: 'not installed' },
      { choice: 'node', why: 'failed to load: x' },
    ],
  });
  assert.match(text, /^TensorFlow\.js backend: wasm — WebAssembly .*; the fastest that loaded; 2 threads$/m);
  assert.match(text, /^ {2}skipped gpu: not installed$/m);
  assert.match(text, /^ {2}skipped node: failed to load: x$/m);
  assert.match(text, /^ {2}note: extra kernels$/m);
});

test('on an untested tfjs version the backend warns once and runs stock wasm: ops work, no project kernels, one thread', () => {
  const { status, out, stderr } = pick({ WASM_THREADS: '2' }, untestedScript);
  assert.equal(status, 0, out);
  const r = JSON.parse(/RESULT (.*)/.exec(out)![1]);
  assert.equal(r.backend, 'wasm');
  assert.deepEqual(r.y, [2, 3], 'an element-wise op runs on stock wasm');
  assert.deepEqual(
    r.conv,
    [
      [
        [
          [18, 18, 18],
          [18, 18, 18],
        ],
        [
          [18, 18, 18],
          [18, 18, 18],
        ],
      ],
    ],
    'a convolution runs on stock wasm',
  );
  assert.equal(r.info.threads, 1, 'stock wasm is single-threaded in Node, whatever WASM_THREADS says');
  assert.equal(r.threads, 1, 'the threaded loader stays off');
  assert.deepEqual(r.added, [], 'registerWasmKernels adds nothing');
  assert.deepEqual(r.project, [], "the project's training kernels are not registered");
  const warnings = stderr.match(/@tensorflow\/tfjs-core 4\.99\.0 is not the tested 4\.22\.0/g) ?? [];
  assert.equal(warnings.length, 1, `one warning, though select, threads and the kernel registry each ask: ${stderr}`);
  assert.match(
    out,
    /^ {2}note: stock wasm: tfjs-core 4\.99\.0 .* training kernels are off .*TFJS_BACKEND=cpu/m,
    'the banner says what is off',
  );
});

test('WebGPU adapters: named for a person, software ones (lavapipe, SwiftShader, WARP) recognised', () => {
  const lavapipe = {
    vendor: 'mesa',
    architecture: 'software',
    device: 'llvmpipe-llvm-15-0-6-256-bits-',
    description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
    isFallbackAdapter: true,
  };
  assert.deepEqual(summarizeAdapter(lavapipe, 'linux'), { name: 'llvmpipe (Vulkan, software)', software: true });
  // Dawn does not always set isFallbackAdapter: the names alone must do.
  const swiftshader = { vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)', description: '' };
  assert.deepEqual(summarizeAdapter(swiftshader, 'linux'), {
    name: 'google SwiftShader Device (Subzero) (Vulkan, software)',
    software: true,
  });
  const warp = { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' };
  assert.equal(summarizeAdapter(warp, 'win32').name, 'Microsoft Basic Render Driver (Direct3D 12, software)');
  const m2 = { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2' };
  assert.deepEqual(summarizeAdapter(m2, 'darwin'), { name: 'Apple M2 (Metal)', software: false });
  const nvidia = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060' };
  assert.deepEqual(summarizeAdapter(nvidia, 'linux'), { name: 'NVIDIA GeForce RTX 3060 (Vulkan)', software: false });
  assert.equal(isSoftwareAdapter({ ...nvidia, isFallbackAdapter: true }), true);
  assert.equal(
    summarizeAdapter({ vendor: 'amd', architecture: 'rdna-3', device: '', description: '' }, 'linux').name,
    'amd rdna-3 (Vulkan)',
  );
  // One line per system on how to get a GPU adapter, in both languages.
  assert.match(gpuHowTo('darwin').en, /macOS: nothing to install/);
  assert.match(gpuHowTo('linux').en, /Linux: the GPU's Vulkan driver/);
  assert.match(gpuHowTo('win32').en, /Windows: .*Direct3D 12/);
  for (const p of ['darwin', 'linux', 'win32'] as const) assert.match(gpuHowTo(p).ko, /[가-힣]/);
});

test('without any WebGPU adapter, webgpu is skipped with the reason and how to get one; forced, it is a clear error', () => {
  // A Vulkan loader pointed at no driver: Dawn finds no adapter (as on a machine without any GPU driver).
  const none = { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' };
  if (process.platform !== 'linux') return; // the variables above only steer the Vulkan loader
  const auto = pick(none);
  assert.equal(auto.status, 0, auto.out);
  const r = JSON.parse(/RESULT (.*)/.exec(auto.out)![1]);
  const webgpu = r.info.skipped.find((s: { choice: string }) => s.choice === 'webgpu');
  assert.match(webgpu.why, /no WebGPU adapter on this machine \(Linux: the GPU's Vulkan driver/);
  const forced = pick({ ...none, TFJS_BACKEND: 'webgpu' });
  assert.equal(forced.status, 3, forced.out);
  assert.match(
    forced.out,
    /ERROR TFJS_BACKEND asks for 'webgpu' but no WebGPU adapter on this machine .*Unset TFJS_BACKEND/,
  );
});

test('TFJS_BACKEND=webgpu runs on any adapter, a software one included, and names it', { skip: webgpuSkip() }, () => {
  const { status, out } = pick({ TFJS_BACKEND: 'webgpu' }, webgpuScript);
  assert.equal(status, 0, out);
  const r = JSON.parse(/RESULT (.*)/.exec(out)![1]);
  assert.equal(r.backend, 'webgpu');
  assert.deepEqual(r.y, [2, 3]);
  assert.match(r.info.adapter, /^.+ \((Vulkan|Metal|Direct3D 12)(, software)?\)$/);
  assert.match(
    out,
    new RegExp(`TensorFlow\\.js backend: webgpu — WebGPU on ${r.info.adapter.replace(/[()]/g, '\\$&')}`),
  );
  // Node has no synchronous GPU read: dataSync of a computed tensor says so and what to use.
  assert.match(r.syncError, /synchronous read .* Use await tensor\.data\(\)/);
});

test("the notebooks' banner (Korean) names the WebGPU adapter, why webgpu was skipped, and how to get a GPU", () => {
  const base = { tfBackend: 'wasm', reason: 'the fastest that loaded', threads: 2, notes: [] };
  const onWasm = backendLines({
    ...base,
    choice: 'wasm',
    skipped: [
      {
        choice: 'webgpu',
        why: 'only a software adapter, llvmpipe (Vulkan, software): it runs on the CPU, slower than wasm',
      },
    ],
  });
  assert.match(onWasm[1], /^ {2}더 빠른 백엔드\(webgpu\)는 쓸 수 없어 건너뛰었습니다/);
  assert.match(
    backendDetails({
      ...base,
      choice: 'wasm',
      skipped: [
        {
          choice: 'webgpu',
          why: 'only a software adapter, llvmpipe (Vulkan, software): it runs on the CPU, slower than wasm',
        },
      ],
    })[0],
    /^건너뛴 백엔드 webgpu: 소프트웨어 어댑터뿐 \(llvmpipe \(Vulkan, software\): /,
  );
  assert.match(onWasm[2], new RegExp(`^ {2}GPU를 쓰려면: ${gpuHowTo().ko.replace(/[()]/g, '\\$&')} → `));
  const onGpu = backendLines({
    ...base,
    choice: 'webgpu',
    tfBackend: 'webgpu',
    threads: 0,
    skipped: [],
    adapter: 'Apple M2 (Metal)',
  });
  assert.equal(onGpu[0], '백엔드: WebGPU (tfjs-backend-webgpu, Dawn), 어댑터 Apple M2 (Metal)');
  assert.ok(!onGpu.some((l) => /GPU를 쓰려면/.test(l)), 'on a GPU, no how-to line');
  const onLavapipe = backendLines({
    ...base,
    choice: 'webgpu',
    tfBackend: 'webgpu',
    skipped: [],
    adapter: 'llvmpipe (Vulkan, software)',
  });
  assert.match(onLavapipe.join('\n'), /GPU를 쓰려면: /, 'a software adapter is no GPU: the how-to line stays');
});
