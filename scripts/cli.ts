/**
 * Command lines of the project's scripts: Node's `util.parseArgs`, with the script's usage line added to every
 * error (an unknown option, a missing value), so each script only declares its options.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parses `argv` with `options` (positionals allowed); a bad command line throws with `usage` appended. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options, strict: true });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${usage}`, { cause: err });
  }
}
