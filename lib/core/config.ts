/**
 * Every environment variable the library reads, in one place, each parsed once per call with a clear error for
 * a bad value. Other modules call these getters; none reads `process.env` itself. The README's "Environment
 * variables" table documents each name (a test checks it).
 */
import * as path from 'node:path';

/** One documented variable: its name and what it does (the README repeats these). */
export interface EnvVar {
  name: string;
  help: string;
}

/** The variables the library reads. `scripts/` reads a few more (set-up: JUPYTER_PYTHON ...), listed in the README. */
export const ENV_VARS = {
  LESSON_PROFILE: 'lesson profile: full, sample, or unset (auto)',
  LESSON_PROFILE_REASON: 'set by `npm run lesson`: why it chose the profile (shown in each banner)',
  LESSON_BACKBONE: 'backbone of the full profile: vgg16 (default) or mobilenet',
  LESSON_ROOT: 'project root for data/ and build/ (default: the folder above lib/)',
  LESSON_DATA:
    'folder of images notebook 09 trains on (default: lib/assets/flowers_mini; relative to the project root)',
  LESSON_QUIET: 'no progress output when set to anything but "", 0 or false',
  TFJS_BACKEND: 'force a backend: gpu, node, wasm or cpu',
  WASM_THREADS: 'threads of the wasm backend (default: all cores)',
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

/** A positive number, or `fallback` when unset; a value that is not a positive number is an error naming it. */
export function envPositiveNumber(name: EnvName, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = envValue(name, env);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name}=${v} is not a positive number (${ENV_VARS[name]}); fix or unset it.`);
  return n;
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
  throw new Error(`${name}=${env[name]} is not valid: use one of ${choices.join(', ')} (${ENV_VARS[name]}).`);
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
