#!/usr/bin/env bash
# On a machine with a real GPU, in at most 5 minutes: which WebGPU adapter Dawn finds, the bench's rows on webgpu
# next to wasm (VGG16-notop forward, VGG16 block5 fine-tune step, MobileNet forward and fine-tune step), and the
# WebGPU correctness tests (test/webgpu.test.ts, against wasm). Run: npm run gpu:check
# The issue's goals on a real GPU: VGG16-notop forward at least 10x wasm's images/s (on 2 cores), and the full
# profile's fine-tuning epoch (2000 images, batch 20: 100 block5 steps) under a minute, i.e. under 600 ms/step.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=1 # the WebGPU tests fail, not skip, where no adapter is found
npx tsx -e "
const { probeAdapter, summarizeAdapter } = require('./lib/backend/webgpuAdapter');
const p = probeAdapter(require.resolve('webgpu'));
if (!p.facts) { console.error('gpu:check: ' + p.why); process.exit(1); }
const s = summarizeAdapter(p.facts);
console.log('adapter: ' + s.name + ' ' + JSON.stringify(p.facts));
if (s.software) console.log('note: a software adapter: these numbers are not a GPU');
"
timeout 170 npx tsx scripts/bench.ts --quick --no-torch --webgpu --only 'vgg16,mobilenet'
timeout 120 npx tsx --test test/webgpu.test.ts
