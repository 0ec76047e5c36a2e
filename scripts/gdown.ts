/**
 * Command line: `npm run gdown -- <url-or-id> [-O <file-or-folder/>] [--md5 X | --sha256 X] [--quiet]`.
 * Without arguments downloads the lesson's dataset to data/cats_and_dogs_small.zip under the project root
 * (`LESSON_ROOT` when set, where the notebooks look for it).
 */
import { parseCommandLine, runMain } from './cli';
import { dataPath } from '../lib/core/paths';
import { gdown, LESSON_DATASET_FILE, LESSON_DATASET_ID } from '../lib/io/gdown';

const USAGE = 'usage: npm run gdown -- <url-or-id> [-O <file or folder/>] [--md5 HASH | --sha256 HASH] [--quiet]';

/** The command line's target, output, hash and quiet flag; throws with the usage on a bad one. */
export function parseGdownArgs(argv: string[]): {
  target: string;
  output?: string;
  hash?: string;
  quiet: boolean;
  help: boolean;
} {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      output: { type: 'string', short: 'O' },
      md5: { type: 'string' },
      sha256: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (positionals.length > 1) throw new Error(`unexpected argument ${positionals[1]}.\n${USAGE}`);
  for (const flag of ['output', 'md5', 'sha256'] as const) {
    const v = values[flag];
    if (v !== undefined && v.trim() === '')
      throw new Error(
        `${flag === 'output' ? '-O/--output' : `--${flag}`} is empty: give a value or leave the option out.\n${USAGE}`,
      );
  }
  if (values.md5 !== undefined && values.sha256 !== undefined)
    throw new Error(`give --md5 or --sha256, not both.\n${USAGE}`);
  const hash = values.md5 ?? values.sha256;
  const common = { hash, quiet: values.quiet ?? false, help: values.help ?? false };
  if (positionals.length === 0)
    return { target: LESSON_DATASET_ID, output: values.output ?? dataPath(LESSON_DATASET_FILE), ...common };
  return { target: positionals[0], output: values.output, ...common };
}

async function main(): Promise<void> {
  const args = parseGdownArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const written = await gdown(args.target, { output: args.output, hash: args.hash, quiet: args.quiet });
  if (!args.quiet) console.log(written);
}

if (require.main === module) runMain('gdown', main);
