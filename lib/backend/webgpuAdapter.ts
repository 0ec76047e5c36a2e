/**
 * The WebGPU adapter of this machine, as Dawn (the `webgpu` package, Chrome's WebGPU in Node) sees it: its name for
 * a person ("Apple M2 (Metal)", "llvmpipe (Vulkan, software)"), whether it is a software rasteriser (lavapipe /
 * llvmpipe, SwiftShader, Microsoft's Basic Render Driver: slower than wasm on the same CPU, so never chosen
 * automatically), and how a learner gets a GPU adapter on each system.
 *
 * `probeAdapter` asks in a child process: a broken GPU driver can crash or hang its caller, and Dawn prints the
 * driver's warnings on stderr, neither of which may reach a notebook that only wants to know whether a GPU is there.
 */
import { spawnSync } from 'node:child_process';
import { ensureRuntimeDir } from '../core/config';
import { say, type Bilingual } from '../core/messages';

/** What `GPUAdapter.info` says (the fields this project reads). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's own flag for a CPU (software) adapter. */
  isFallbackAdapter?: boolean;
}

/** An adapter described for a person. */
export interface AdapterSummary {
  /** e.g. "llvmpipe (Vulkan, software)", "Apple M2 (Metal)". */
  name: string;
  /** A software rasteriser on the CPU: never chosen automatically. */
  software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|basic render|microsoft basic|warp\b/i;

/** The graphics API Dawn uses on `platform`. */
export function graphicsApi(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'Direct3D 12';
  return 'Vulkan';
}

/** True for a software adapter (lavapipe / llvmpipe, SwiftShader, WARP), from any field of its info. */
export function isSoftwareAdapter(info: AdapterFacts): boolean {
  if (info.isFallbackAdapter === true || /^(software|cpu)$/i.test(info.architecture)) return true;
  return SOFTWARE.test([info.vendor, info.device, info.description].join(' '));
}

/** The adapter's name for a person: its description's first words (else vendor/device), the API, "software". */
export function summarizeAdapter(info: AdapterFacts, platform: NodeJS.Platform = process.platform): AdapterSummary {
  const software = isSoftwareAdapter(info);
  // Mesa's description is "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)": the driver name before the colon is the part to show.
  const described = info.description.split(':')[0].trim();
  const fallback = [info.vendor, info.device || info.architecture].filter(Boolean).join(' ');
  const base = described || fallback || 'unnamed adapter';
  return { name: `${base} (${graphicsApi(platform)}${software ? ', software' : ''})`, software };
}

/** One line in both languages: how to get a GPU adapter on `platform`. */
export function gpuHowTo(platform: NodeJS.Platform = process.platform): Bilingual {
  if (platform === 'darwin')
    return {
      en: 'macOS: nothing to install, WebGPU runs on the Mac GPU through Metal',
      ko: 'macOS: 설치할 것 없음 — WebGPU가 Metal로 Mac의 GPU에서 돌아감',
    };
  if (platform === 'win32')
    return {
      en: 'Windows: a GPU driver with Direct3D 12 (any current NVIDIA, AMD or Intel driver)',
      ko: 'Windows: Direct3D 12를 지원하는 GPU 드라이버 (요즘의 NVIDIA·AMD·Intel 드라이버)',
    };
  return {
    en: "Linux: the GPU's Vulkan driver (mesa-vulkan-drivers for AMD/Intel, NVIDIA's own driver), then restart the kernel",
    ko: 'Linux: GPU의 Vulkan 드라이버(AMD·Intel은 mesa-vulkan-drivers, NVIDIA는 NVIDIA 드라이버) 설치 후 커널 재시작',
  };
}

/** The child's script: Dawn's default adapter, as JSON on the last line. */
const PROBE = `
const { create, globals } = require(process.argv[1]);
Object.assign(globalThis, globals);
create([]).requestAdapter({ powerPreference: 'high-performance' }).then((a) => {
  const i = a && a.info;
  const facts = i && { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
    isFallbackAdapter: i.isFallbackAdapter };
  process.stdout.write('\\nADAPTER ' + JSON.stringify(facts || null) + '\\n');
  process.exit(0);
}, (e) => { process.stdout.write('\\nADAPTER-ERROR ' + String(e && e.message || e) + '\\n'); process.exit(0); });
`;

/** The result of a probe: the adapter (`facts`), or why there is none (`why`). */
export interface Probe {
  facts?: AdapterFacts;
  why?: string;
}

/** Asks Dawn for the default adapter in a child process (see the file's comment); `modulePath` is `webgpu`'s. */
export function probeAdapter(modulePath: string, timeoutMs = 60_000): Probe {
  ensureRuntimeDir();
  const r = spawnSync(process.execPath, ['-e', PROBE, modulePath], { encoding: 'utf8', timeout: timeoutMs });
  const out = r.stdout ?? '';
  const found = /\nADAPTER (.*)\n/.exec(out);
  if (found) {
    const facts = JSON.parse(found[1]) as AdapterFacts | null;
    return facts ? { facts } : { why: `no WebGPU adapter on this machine (${say(gpuHowTo())})` };
  }
  const err = /\nADAPTER-ERROR (.*)\n/.exec(out)?.[1];
  const how = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
  const detail = err ?? ((r.stderr ?? '').trim().split('\n').pop() || how);
  return { why: `asking Dawn for a WebGPU adapter failed (${detail}); ${say(gpuHowTo())}` };
}
