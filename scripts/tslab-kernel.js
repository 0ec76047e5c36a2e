#!/usr/bin/env node
/*
 * Starts the project's tslab kernel with the project root as its working directory, wherever the notebook is.
 * tslab type-checks cells with rootDir = the kernel's working directory, so `lib/` must lie under it; from the
 * root, notebooks import './lib/...' and read 'data/...' just as the lesson does.
 * Registered by scripts/setup.js (build/jupyter/kernels/tslab/kernel.json).
 */
'use strict';
const path = require('path');

const connectionFile = process.argv[2] ? path.resolve(process.argv[2]) : '';
const root = path.resolve(__dirname, '..');
process.chdir(root);
require(path.join(root, 'node_modules', 'tslab', 'dist', 'main.js')).startKernel({ configPath: connectionFile, enableFindLocal: false });
