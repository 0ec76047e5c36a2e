/**
 * A child process for interruption tests: `download <url> <dest>`, `unzip <zip> <dest> [delayMs]` (the delay
 * slows each written chunk, so that a signal lands mid-extraction) or `write <dest> <text>` (an atomic write of
 * `text` repeated to about 4 MB, one write at a time, to race another writer of the same file). Prints `start` when the work begins and
 * `done` when it ends; an error is printed and exits 1.
 */
import { writeFileAtomic } from '../../lib/core/atomicFile';
import { getFile } from '../../lib/io/download';
import { unzip } from '../../lib/io/unzip';
import { slowWriter } from './slowWriter';

async function main(argv: string[]): Promise<void> {
  const [cmd, a, b, delay] = argv;
  const [from, to] = cmd === 'write' ? [b, a] : [a, b];
  console.log(`start ${process.pid}`);
  if (cmd === 'download') await getFile(from, { dest: to, quiet: true, retries: 0 });
  else if (cmd === 'unzip')
    await unzip(from, to, { quiet: true, writeStream: delay ? slowWriter(Number(delay)) : undefined });
  else if (cmd === 'write') {
    const text = from.repeat(Math.ceil(4_000_000 / from.length));
    for (let i = 0; i < 5; i++) await writeFileAtomic(to, text);
  } else throw new Error(`unknown command ${cmd}`);
  console.log('done');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
