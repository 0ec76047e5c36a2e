#!/usr/bin/env node
/*
 * One-step set-up, safe to run again (quick when everything is in place):
 *   1. npm dependencies (npm ci when node_modules is missing or older than package-lock.json);
 *   2. a Jupyter with nbconvert + nbclient + jupyter_client (found, or installed with apt as root on Debian,
 *      or with pip into build/venv; otherwise a clear message of what to install);
 *   3. the project's tslab kernel ('transfer-learning-ts') registered at user level, where a plain Jupyter finds it.
 * Plain JavaScript on purpose: it runs before node_modules exists.
 * Writes build/setup.json (the Python to use for Jupyter and the kernel's name) for the other scripts.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'build');
const quiet = process.argv.includes('--quiet');
const log = (...a) => {
  if (!quiet) console.log('[setup]', ...a);
};

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: root, ...opts });
}

function fail(msg) {
  console.error(`\n[setup] ${msg}\n`);
  process.exit(1);
}

// 0. Node
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 16))
  fail(`Node ${process.versions.node} is too old: this project needs Node 20.16 or newer.`);

// 1. npm dependencies
function depsStale() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!fs.existsSync(marker)) return 'node_modules is missing';
  if (fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000) return 'package-lock.json changed';
  if (!fs.existsSync(path.join(root, 'node_modules', 'tslab', 'package.json'))) return 'tslab is not installed';
  return null;
}
const stale = depsStale();
if (stale) {
  log(`installing npm dependencies (${stale}): npm ci`);
  const r = run('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0)
    fail('npm ci failed (see above). Check your network access to the npm registry and run it again.');
} else {
  log('npm dependencies: up to date');
}
const tslabVersion = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules', 'tslab', 'package.json'), 'utf8'),
).version;

// 2. Jupyter
const JUPYTER_MODULES = ['nbconvert', 'nbclient', 'jupyter_client', 'nbformat'];
function pythonHasJupyter(py) {
  const r = run(py, ['-c', `import ${JUPYTER_MODULES.join(', ')}; import sys; print(sys.executable)`]);
  return r.status === 0 ? r.stdout.trim() : null;
}
function findJupyterPython() {
  const candidates = [
    process.env.JUPYTER_PYTHON,
    process.env.CONDA_PREFIX && path.join(process.env.CONDA_PREFIX, 'bin', 'python'),
    path.join(build, 'venv', 'bin', 'python'),
    'python3',
    '/usr/bin/python3',
    'python',
  ].filter(Boolean);
  const tried = [];
  for (const py of candidates) {
    const exe = pythonHasJupyter(py);
    if (exe) return { python: exe, tried };
    tried.push(py);
  }
  return { python: null, tried };
}

function isRootWithApt() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && run('sh', ['-c', 'command -v apt-get']).status === 0;
}

let { python, tried } = findJupyterPython();
if (!python) {
  const aptPackages = [
    'jupyter-nbconvert',
    'python3-nbclient',
    'python3-ipykernel',
    'jupyter-notebook',
    'jupyter-client',
  ];
  if (isRootWithApt() && process.env.SETUP_NO_APT !== '1') {
    log(
      `no Python with ${JUPYTER_MODULES.join('/')} found (tried ${tried.join(', ')}); installing Debian's Jupyter with apt-get`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (r.status === 0)
      r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...aptPackages], {
        stdio: 'inherit',
        env,
      });
    if (r.status !== 0) fail(`apt-get install ${aptPackages.join(' ')} failed (see above).`);
  } else if (run('python3', ['-m', 'venv', '--help']).status === 0 && process.env.SETUP_NO_PIP !== '1') {
    log('no Jupyter found; creating build/venv and installing nbconvert there with pip');
    let r = run('python3', ['-m', 'venv', path.join(build, 'venv')], { stdio: 'inherit' });
    if (r.status === 0)
      r = run(
        path.join(build, 'venv', 'bin', 'python'),
        ['-m', 'pip', 'install', '-q', 'nbconvert', 'nbclient', 'jupyter_client', 'ipykernel', 'jupyterlab'],
        { stdio: 'inherit' },
      );
    if (r.status !== 0) {
      fs.rmSync(path.join(build, 'venv'), { recursive: true, force: true });
    }
  }
  ({ python, tried } = findJupyterPython());
  if (!python) {
    fail(
      [
        `Jupyter is missing: no Python among (${tried.join(', ')}) can import ${JUPYTER_MODULES.join(', ')}.`,
        'Install it one of these ways, then run this command again:',
        `  Debian/Ubuntu:  sudo apt-get install -y ${aptPackages.join(' ')}`,
        '  pip:           python3 -m pip install jupyterlab nbconvert nbclient',
        '  conda:         conda env create -f environment.yml && conda activate transfer-learning-ts',
        'or point JUPYTER_PYTHON at a Python that has them.',
      ].join('\n'),
    );
  }
}
log(`Jupyter: ${python}`);

// 3. the tslab kernel, registered at user level where any Jupyter finds it (plain `jupyter nbconvert --execute`,
//    JupyterLab, the classic Notebook), under its own name so that it does not replace a learner's `tslab` kernel.
//    `npx --no-install tslab` runs the tslab of the checkout the notebook sits in, whichever checkout that is.
const KERNEL_NAME = 'transfer-learning-ts';
const dataDir = run(python, ['-c', 'from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())']);
if (dataDir.status !== 0) fail(`could not ask ${python} for Jupyter's data folder:\n${dataDir.stderr}`);
const kernelDir = path.join(dataDir.stdout.trim(), 'kernels', KERNEL_NAME);
const kernel = {
  argv: ['npx', '--no-install', 'tslab', 'kernel', '--config-path', '{connection_file}'],
  display_name: 'TypeScript (transfer-learning-ts)',
  language: 'typescript',
};
const kernelFile = path.join(kernelDir, 'kernel.json');
const kernelJson = JSON.stringify(kernel, null, 2) + '\n';
if (!fs.existsSync(kernelFile) || fs.readFileSync(kernelFile, 'utf8') !== kernelJson) {
  try {
    fs.mkdirSync(kernelDir, { recursive: true });
    fs.writeFileSync(kernelFile + '.tmp', kernelJson);
    fs.renameSync(kernelFile + '.tmp', kernelFile);
  } catch (err) {
    fail(
      `could not register the kernel in ${kernelDir} (${err.code || err.message}): make that folder writable, ` +
        `or set JUPYTER_DATA_DIR to a writable folder.`,
    );
  }
  log(`registered the tslab ${tslabVersion} kernel '${KERNEL_NAME}' in ${kernelDir}`);
} else {
  log(`tslab ${tslabVersion} kernel '${KERNEL_NAME}': registered in ${kernelDir}`);
}
const check = run(python, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], {
  env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
});
if (check.status !== 0 || !JSON.parse(check.stdout).kernelspecs[KERNEL_NAME]) {
  fail(
    `Jupyter at ${python} does not see the kernel '${KERNEL_NAME}' in ${kernelDir}:\n${check.stderr || check.stdout}`,
  );
}

// 4. (npm test only) a headless Chromium, for the check that the exported notebooks' plots draw
let chromium = null;
if (process.argv.includes('--test')) {
  const find = () =>
    ['chromium', 'chromium-browser', 'google-chrome']
      .map((c) => run('sh', ['-c', `command -v ${c}`]).stdout.trim())
      .find(Boolean) || null;
  chromium = process.env.CHROMIUM_PATH || find();
  if (!chromium && isRootWithApt() && process.env.SETUP_NO_APT !== '1') {
    log("installing Debian's chromium for the browser check of the notebooks' plots");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-nanum'], {
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) {
      run('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-nanum'], {
        stdio: 'inherit',
        env,
      });
    }
    chromium = find();
  }
  log(
    chromium
      ? `Chromium: ${chromium}`
      : 'Chromium: not found (set CHROMIUM_PATH); the browser check of the plots will say it was skipped',
  );
}

// 5. (npm test only) a WebGPU adapter for test/webgpu.test.ts: without a GPU, Mesa's lavapipe from Debian
//    bookworm-backports (bookworm's own Mesa 22.3 is refused by Dawn), installed by scripts/install_lavapipe.sh.
if (process.argv.includes('--test') && process.platform === 'linux') {
  const icds = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].flatMap((d) =>
    fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith('.json')) : [],
  );
  const lavapipe = run('sh', [
    '-c',
    'dpkg --compare-versions "$(dpkg-query -W -f=\'${Version}\' mesa-vulkan-drivers 2>/dev/null)" ge 23',
  ]);
  if (lavapipe.status !== 0 && isRootWithApt() && process.env.SETUP_NO_APT !== '1') {
    log("installing Mesa's lavapipe (software Vulkan) from bookworm-backports for the WebGPU tests");
    const r = run('bash', [path.join(root, 'scripts', 'install_lavapipe.sh')], { stdio: 'inherit' });
    if (r.status !== 0) log('lavapipe: not installed (see above); the WebGPU tests will say why they skip');
  } else if (lavapipe.status !== 0 && icds.length === 0) {
    log(
      'Vulkan drivers: none; without a GPU driver the WebGPU tests skip ' +
        '(as root on Debian bookworm: bash scripts/install_lavapipe.sh)',
    );
  }
}

const state = { python, kernel: KERNEL_NAME, kernelDir, tslab: tslabVersion, chromium };
fs.mkdirSync(build, { recursive: true });
fs.writeFileSync(path.join(build, 'setup.json'), JSON.stringify(state, null, 2) + '\n');
log('ready');
