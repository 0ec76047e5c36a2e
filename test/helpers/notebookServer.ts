/**
 * A real classic Notebook 6 server (Debian's `/usr/bin/python3 -m notebook`) on loopback with a token, for
 * browser tests, isolated from the user's Jupyter set-up: its own config, runtime and data folders (so notebook
 * signatures go to a throw-away database), while the user-level kernels (the project's `transfer-learning-ts`)
 * stay visible through JUPYTER_PATH.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Debian's Python, where its Jupyter lives. */
export const JUPYTER_PYTHON = process.env.JUPYTER_PYTHON ?? '/usr/bin/python3';
/** The project's kernel, registered at user level by `node scripts/setup.js`. */
export const KERNEL = 'transfer-learning-ts';

/** Why the notebook-server tests cannot run here (a sentence), or null when they can. */
export function notebookServerMissing(): string | null {
  const nb = spawnSync(JUPYTER_PYTHON, ['-c', 'import notebook.notebookapp, nbformat.sign, nbclient'], {
    encoding: 'utf8',
  });
  if (nb.status !== 0)
    return `${JUPYTER_PYTHON} has no classic Notebook 6 (apt-get install jupyter-notebook python3-nbclient)`;
  if (!userKernelDir()) return `the Jupyter kernel '${KERNEL}' is not registered: run \`node scripts/setup.js\``;
  return null;
}

/** The user-level Jupyter data folder when it holds the project's kernel. */
function userKernelDir(): string | null {
  const r = spawnSync(
    JUPYTER_PYTHON,
    ['-c', 'from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())'],
    { encoding: 'utf8' },
  );
  const dir = r.stdout?.trim();
  return dir && existsSync(path.join(dir, 'kernels', KERNEL, 'kernel.json')) ? dir : null;
}

/** Environment for every Jupyter process of a test: isolated folders under `home`, the user's kernels visible. */
export function jupyterEnv(home: string): NodeJS.ProcessEnv {
  const dirs = { JUPYTER_CONFIG_DIR: 'config', JUPYTER_DATA_DIR: 'data', JUPYTER_RUNTIME_DIR: 'runtime' };
  const env: NodeJS.ProcessEnv = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  delete env.LESSON_QUIET;
  for (const [k, sub] of Object.entries(dirs)) {
    env[k] = path.join(home, sub);
    mkdirSync(env[k] as string, { recursive: true });
  }
  env.JUPYTER_PATH = [userKernelDir(), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  return env;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A running Notebook 6 server. */
export interface NotebookServer {
  /** The URL that opens `file` (relative to the served folder) with the token. */
  url(file: string): string;
  stop(): Promise<void>;
}

/** Starts `python3 -m notebook` serving `dir` on 127.0.0.1; resolves once it answers. */
export async function startNotebookServer(dir: string, env: NodeJS.ProcessEnv): Promise<NotebookServer> {
  const port = await freePort();
  const token = randomBytes(12).toString('hex');
  const child: ChildProcess = spawn(
    JUPYTER_PYTHON,
    [
      '-m',
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
      '--NotebookApp.port_retries=0',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the notebook server exited:\n${log}`);
    const ok = await fetch(`${base}/api/status?token=${token}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the notebook server did not answer in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url: (file) => `${base}/notebooks/${file}?token=${token}`,
    stop: async () => {
      // SIGTERM: the server shuts its kernels down and exits.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
