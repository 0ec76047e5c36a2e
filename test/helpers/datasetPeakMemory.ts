/**
 * Child process of test/dataset.test.ts: iterates a dataset folder once (one batch holding every image) and
 * prints how much the process's peak resident memory grew while doing so, in MB. A warm-up on a small
 * image first loads sharp, tfjs and the dataset code, so that only the batch's own memory is measured.
 * Usage: node --import tsx datasetPeakMemory.ts <warm-up folder> <big-images folder>
 */
import * as tf from '@tensorflow/tfjs';
import { imageDatasetFromDirectory } from '../../lib/data/imageDataset';

async function iterate(dir: string, batchSize: number): Promise<void> {
  const ds = await imageDatasetFromDirectory(dir, { imageSize: [64, 64], batchSize, shuffle: false, quiet: true });
  for await (const b of ds) tf.dispose([b.xs, b.ys]);
}

async function main(): Promise<void> {
  const [warmUp, big] = process.argv.slice(2);
  await tf.setBackend('cpu');
  await iterate(warmUp, 1);
  const before = process.resourceUsage().maxRSS;
  await iterate(big, 64);
  const after = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ growthMB: (after - before) / 1024 }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
