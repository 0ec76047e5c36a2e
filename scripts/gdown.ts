/**
 * Command line: `npm run gdown -- <url-or-id> [-O <file-or-folder/>] [--md5 X | --sha256 X] [--quiet]`.
 * Without arguments downloads the lesson's dataset to data/cats_and_dogs_small.zip.
 */
import { gdown, LESSON_DATASET_FILE, LESSON_DATASET_ID } from '../lib/io/gdown';

const USAGE = 'usage: npm run gdown -- <url-or-id> [-O <file or folder/>] [--md5 HASH | --sha256 HASH] [--quiet]';

function parseArgs(argv: string[]): { target: string; output?: string; hash?: string; quiet: boolean } {
  let target: string | undefined;
  let output: string | undefined;
  let hash: string | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value.\n${USAGE}`);
      return v;
    };
    if (a === '-O' || a === '--output') output = value();
    else if (a === '--md5' || a === '--sha256') hash = value();
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}.\n${USAGE}`);
    else if (target === undefined) target = a;
    else throw new Error(`unexpected argument ${a}.\n${USAGE}`);
  }
  if (target === undefined) return { target: LESSON_DATASET_ID, output: output ?? `data/${LESSON_DATASET_FILE}`, hash, quiet };
  return { target, output, hash, quiet };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const written = await gdown(args.target, { output: args.output, hash: args.hash, quiet: args.quiet });
  if (!args.quiet) console.log(written);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
