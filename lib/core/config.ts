/**
 * Every environment variable the library reads, in one place, each parsed once per call with a clear error for
 * a bad value. Other modules call these getters; none reads `process.env` itself. The README's "Environment
 * variables" table documents each name (a test checks it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The variables the library reads. `scripts/` reads a few more (set-up: JUPYTER_PYTHON ...), listed in the README. */
export const ENV_VARS = {
  LESSON_PROFILE: 'lesson profile: full, mini, or auto (the default when unset)',
  LESSON_PROFILE_REASON: 'set by `npm run lesson`: why it chose the profile (shown in each banner)',
  LESSON_BACKBONE: 'backbone of the full profile: vgg16 (default) or mobilenet',
  LESSON_ROOT: 'project root for data/ and build/ (default: the folder above lib/)',
  LESSON_DATA:
    'folder of images notebook 09 trains on (default: lib/assets/flowers_mini; relative to the project root)',
  LESSON_QUIET: 'no progress output when set to anything but "", 0 or false',
  TFJS_BACKEND: 'force a backend: gpu, webgpu, node, wasm or cpu',
  XDG_RUNTIME_DIR:
    "(Linux) read by Dawn's Vulkan loader for the webgpu backend; set to a private temporary folder when unset",
  WASM_THREADS: 'threads of the wasm backend (default: all cores); ONNX Runtime uses as many',
  LESSON_ENGINE:
    'what runs frozen bases in inference: auto (default: ONNX Runtime on a CPU backend when it loads), tfjs or onnxruntime',
  WASM_WINOGRAD: 'wasm Winograd convolutions on (default) or off (0/false/off/no)',
  KERAS_WEIGHTS_DIR: 'weights cache folder (default data/models under the project root)',
  KERAS_HOME:
    "Keras's own folder (default ~/.keras): weight files already in its models/ are used, not downloaded again",
  KERAS_WEIGHTS_BASE_URL: "where Keras weight files are downloaded from (default Keras's storage)",
  GDRIVE_BASE_URL: 'Google Drive origin (default https://drive.google.com; tests use a loopback fake)',
  DOWNLOAD_IDLE_TIMEOUT_S: 'seconds without data before a download is abandoned (default 60)',
  UNZIP_MAX_BYTES: 'largest total size unzip extracts (default 20e9 bytes)',
  UNZIP_MAX_RATIO: 'largest compression ratio unzip accepts (default 1000)',
} as const;

/** A variable this module knows. */
export type EnvName = keyof typeof ENV_VARS;

/** A variable with a value the library cannot use: a setting to fix, never a reason to fall back silently. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** The raw value of a variable, trimmed; undefined when unset or blank. */
export function envValue(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** A boolean variable: unset, '', '0', 'false', 'off', 'no' are false; anything else is true. */
export function envFlag(name: EnvName, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = envValue(name, env);
  return v !== undefined && !/^(0|false|off|no)$/i.test(v);
}

/** The range a numeric variable must lie in (inclusive), and whether it must be a whole number. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * The ranges of the numeric variables. A timer longer than 2^31 - 1 ms is clamped by Node to 1 ms, so no
 * number of seconds may exceed 2,147,483.
 */
export const ENV_RANGES = {
  DOWNLOAD_IDLE_TIMEOUT_S: { min: 0.001, max: 2_147_483 },
  UNZIP_MAX_BYTES: { min: 1, max: Number.MAX_SAFE_INTEGER },
  UNZIP_MAX_RATIO: { min: 1, max: 1e9 },
  WASM_THREADS: { min: 1, max: 1024, integer: true },
} as const satisfies Partial<Record<EnvName, NumberRange>>;

/** A variable that holds a number. */
export type NumericEnvName = keyof typeof ENV_RANGES;

/**
 * A number within the variable's range (`ENV_RANGES`), or `fallback` when unset. Anything else (not a number,
 * out of range, a fraction where a whole number is needed) is an error naming the variable, its value and the range.
 */
export function envNumber(name: NumericEnvName, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = envValue(name, env);
  if (v === undefined) return fallback;
  const range: NumberRange = ENV_RANGES[name];
  const n = Number(v);
  if (!Number.isFinite(n) || n < range.min || n > range.max || (range.integer && !Number.isInteger(n))) {
    const kind = range.integer ? 'a whole number' : 'a number';
    const what = Number.isFinite(n) ? 'is out of range' : 'is not a number';
    throw new EnvError(
      `${name}=${v} ${what}: use ${kind} from ${range.min} to ${range.max} (${ENV_VARS[name]}), or unset it for the default (${fallback}).`,
    );
  }
  return n;
}

/** A positive number within the variable's range, or `fallback` when unset (see `envNumber`). */
export function envPositiveNumber(
  name: NumericEnvName,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  return envNumber(name, fallback, env);
}

/** One of `choices` (case-insensitive), or `fallback` when unset; anything else is an error listing the choices. */
export function envChoice<T extends string>(
  name: EnvName,
  choices: readonly T[],
  fallback: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const v = envValue(name, env)?.toLowerCase();
  if (v === undefined) return fallback;
  if ((choices as readonly string[]).includes(v)) return v as T;
  throw new EnvError(`${name}=${env[name]} is not valid: use one of ${choices.join(', ')} (${ENV_VARS[name]}).`);
}

/** True when progress output is off: an explicit `quiet` option wins, else `LESSON_QUIET`. */
export function isQuiet(quiet?: boolean): boolean {
  return quiet ?? envFlag('LESSON_QUIET');
}

/** A folder from a variable, resolved against the cwd, or undefined when unset. */
export function envPath(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = envValue(name, env);
  return v === undefined ? undefined : path.resolve(v);
}

/**
 * Dawn's Vulkan loader (the webgpu backend) reads XDG_RUNTIME_DIR and logs an error without it: on Linux, sets it to
 * a private temporary folder when unset, for this process and its children.
 */
export function ensureRuntimeDir(): void {
  if (process.platform !== 'linux' || envValue('XDG_RUNTIME_DIR') !== undefined) return;
  process.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tlts-xdg-'));
}
