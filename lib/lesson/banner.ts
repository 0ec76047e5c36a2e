/**
 * The banner at the top of every notebook: which TensorFlow.js backend runs (and why faster ones were skipped) and
 * which lesson profile runs (and why), in Korean. Outside a notebook it prints the same as plain text.
 */
import * as path from 'node:path';
import type { BackendChoice, BackendInfo } from '../backend/select';
import { gpuHowTo } from '../backend/webgpuAdapter';
import { projectRoot } from '../core/paths';
import { chooseEngine, engineLabel } from '../onnx/engine';
import type { LessonProfile } from './profile';
import { escapeHtml, showHtml } from '../ui/display';

const BACKEND_LABEL: Record<BackendChoice, string> = {
  gpu: 'TensorFlow 네이티브 + CUDA GPU (tfjs-node-gpu)',
  webgpu: 'WebGPU (tfjs-backend-webgpu, Dawn)',
  node: 'TensorFlow 네이티브, CPU (tfjs-node)',
  wasm: 'WebAssembly (tfjs-backend-wasm, SIMD)',
  cpu: '순수 JavaScript (tfjs-backend-cpu, 가장 느림)',
};

/** Why a faster backend was skipped, in Korean where the reason is a known one (else as tfjs said it). */
function skippedReason(why: string): string {
  if (/is not installed/.test(why)) return '설치되어 있지 않음 (선택 의존성: 설치할 때 libtensorflow를 내려받아야 함)';
  const software = /^only a software adapter, (.*?):/.exec(why);
  if (software) return `소프트웨어 어댑터뿐 (${software[1]}: CPU에서 돌아 wasm보다 느려서 자동으로 고르지 않음)`;
  if (/^no WebGPU adapter/.test(why)) return 'WebGPU 어댑터(GPU) 없음';
  if (/^tfjs-node-gpu loaded, but/.test(why)) return 'tfjs-node-gpu는 불러왔지만 CUDA GPU가 없음';
  return why;
}

/** The backend lines of the banner: the backend, and in one line which faster ones were skipped (details apart). */
export function backendLines(info: BackendInfo): string[] {
  const threads = info.threads > 1 ? `, 스레드 ${info.threads}개` : '';
  const adapter = info.adapter ? `, 어댑터 ${info.adapter}` : '';
  const lines = [`백엔드: ${BACKEND_LABEL[info.choice]}${adapter}${threads}`];
  if (info.skipped.length) {
    const names = info.skipped.map((s) => s.choice).join(', ');
    lines.push(`  더 빠른 백엔드(${names})는 쓸 수 없어 건너뛰었습니다. 이 레슨은 지금 백엔드로 충분히 돌아갑니다.`);
  }
  // No GPU runs: one line on how to get one on this system (WebGPU), and what the notebooks then take.
  if (info.choice !== 'gpu' && !(info.choice === 'webgpu' && !/software/.test(info.adapter ?? '')))
    lines.push(`  GPU를 쓰려면: ${gpuHowTo().ko} → 노트북은 그대로 두면 되고, 배너에 webgpu와 GPU 이름이 나옵니다.`);
  for (const note of info.notes) lines.push(`  참고: ${note}`);
  const engine = chooseEngine();
  lines.push(`  추론 엔진(얼린 합성곱 기반의 특성 추출·평가): ${engineLabel(engine)} — ${engine.reason}`);
  return lines;
}

/** Why each faster backend was skipped: the banner folds these lines (`<details>`), for whoever wants to install one. */
export function backendDetails(info: BackendInfo): string[] {
  return info.skipped.map((s) => `건너뛴 백엔드 ${s.choice}: ${skippedReason(s.why)}`);
}

/** The profile lines of the banner. */
export function profileLines(p: LessonProfile): string[] {
  const rel = path.relative(projectRoot(), p.dataDir);
  const b = p.backbone;
  const weights =
    b.weights === 'imagenet'
      ? 'Keras의 ImageNet 가중치 (data/models에 내려받음)'
      : 'Keras의 ImageNet 가중치 (저장소에 포함)';
  return [
    `프로필: ${p.name} — ${p.reason}`,
    `  데이터: ${rel}, 이미지 ${p.imageSize.join('×')}, 배치 ${p.batchSize}`,
    `  백본: ${b.application}${b.alpha !== undefined && b.application === 'MobileNet' ? ` α=${b.alpha}` : ''}, ${weights}`,
  ];
}

/** Shows the banner (a coloured box in a notebook, plain lines elsewhere). */
export function showLessonBanner(backend: BackendInfo, profile: LessonProfile): void {
  const tone = profile.name === 'mini' ? 'offline' : 'full';
  showBanner([...backendLines(backend), ...profileLines(profile)], tone, backendDetails(backend));
}

/**
 * Shows banner lines: orange for what ships with the library ('offline'), green for the lesson's own data; `details`
 * (developer detail, such as why a backend was skipped) folded under 자세히 (`<details>`).
 */
export function showBanner(lines: string[], tone: 'offline' | 'full', details: string[] = []): void {
  const colour = tone === 'offline' ? '#fff4e5;border-left:6px solid #f0a030' : '#e8f4ea;border-left:6px solid #3a9a50';
  const body = lines.map((l) => escapeHtml(l).replace(/^ {2}/, '&nbsp;&nbsp;')).join('<br/>');
  const folded = details.length
    ? `<details style="margin-top:4px"><summary>자세히</summary>${details.map(escapeHtml).join('<br/>')}</details>`
    : '';
  showHtml(
    `<div class="tlts-banner" style="background:${colour};padding:8px 12px;margin:4px 0">${body}${folded}</div>`,
    [...lines, ...details.map((d) => `  ${d}`)].join('\n'),
  );
}
