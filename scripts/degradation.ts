/**
 * Runs the degradation experiment of lib/lesson/degradation.ts (plain and residual nets of 20 and 56 layers on a
 * toy spiral, the protocol fixed there) and writes its training-error curves to lib/assets/degradation.json,
 * which notebook 03 plots:
 *
 *   npx tsx scripts/degradation.ts [--out <file.json>]
 *
 * Slow for its size: TF.js spends the time per layer call, not on arithmetic. The recorded run took about 55 minutes
 * on 2 CPU cores shared with other jobs (wasm backend; 3 to 14 minutes a net and seed, the 56-layer nets the longest).
 */
import * as os from 'node:os';
import { parseCommandLine, runMain } from './cli';
import { initBackend } from '../lib/backend/select';
import { writeFileAtomic } from '../lib/core/atomicFile';
import { assetPath } from '../lib/core/paths';
import { DEGRADATION_PROTOCOL, trainDegradationNet, type DegradationRun } from '../lib/lesson/degradation';

runMain('degradation', async () => {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { out: { type: 'string' } },
    'usage: npx tsx scripts/degradation.ts [--out <file.json>]',
    false,
  );
  const backend = await initBackend();
  const runs: DegradationRun[] = [];
  for (const seed of DEGRADATION_PROTOCOL.seeds)
    for (const residual of [false, true])
      for (const depth of DEGRADATION_PROTOCOL.depths) {
        const run = await trainDegradationNet(depth, residual, seed);
        const last = run.trainError[run.trainError.length - 1];
        console.log(`${run.name} seed ${seed}: final training error ${last.toFixed(3)} (${run.seconds.toFixed(1)} s)`);
        runs.push(run);
      }
  const out = values.out ?? assetPath('degradation.json');
  const record = {
    protocol: DEGRADATION_PROTOCOL,
    backend: backend.choice,
    cpus: os.cpus().length,
    date: new Date().toISOString().slice(0, 10),
    runs,
  };
  await writeFileAtomic(out, `${JSON.stringify(record, null, 1)}\n`);
  console.log(`wrote ${out}`);
});
