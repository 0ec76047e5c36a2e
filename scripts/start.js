#!/usr/bin/env node
/*
 * Opens the notebooks in JupyterLab (or the classic Notebook when Lab is missing; Debian packages only the classic
 * Notebook) with the project's tslab kernel. Run through `npm start`, which runs scripts/setup.js first.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { python } = JSON.parse(fs.readFileSync(path.join(root, 'build', 'setup.json'), 'utf8'));
const has = (mod) => spawnSync(python, ['-c', `import ${mod}`]).status === 0;
const app = has('jupyterlab') ? 'lab' : has('notebook') ? 'notebook' : null;
if (!app) {
  console.error(
    `Neither JupyterLab nor the Notebook is installed for ${python}.\n` +
      '  Debian/Ubuntu: sudo apt-get install -y jupyter-notebook   (or: python3 -m pip install jupyterlab)\n' +
      '  conda:         conda env create -f environment.yml && conda activate transfer-learning-ts',
  );
  process.exit(1);
}
console.log(
  `Starting Jupyter ${app === 'lab' ? 'Lab' : 'Notebook'}; open notebooks/ and the notebooks use the ` +
    `"TypeScript (transfer-learning-ts)" kernel (Ctrl+C to stop).`,
);
const rootFlag = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--allow-root'] : [];
const child = spawn(python, ['-m', 'jupyter', app, `--notebook-dir=${root}`, ...rootFlag, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
});
child.on('exit', (code) => process.exit(code ?? 0));
