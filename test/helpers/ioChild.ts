/**
 * A child process for interruption tests: `download <url> <dest>` or `unzip <zip> <dest> [delayMs]` (the delay
 * slows each written chunk, so that a signal lands mid-extraction). Prints `start` when the work begins and
 * `done` when it ends; an error is printed and exits 1.
 */
import { getFile } from '../../lib/io/download';
import { unzip } from '../../lib/io/unzip';
import { slowWriter } from './slowWriter';

async function main(argv: string[]): Promise<void> {
  const [cmd, from, to, delay] = argv;
  console.log(`start ${process.pid}`);
  if (cmd === 'download') await getFile(from, { dest: to, quiet: true, retries: 0 });
  else if (cmd === 'unzip')
    await unzip(from, to, { quiet: true, writeStream: delay ? slowWriter(Number(delay)) : undefined });
  else throw new Error(`unknown command ${cmd}`);
  console.log('done');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
