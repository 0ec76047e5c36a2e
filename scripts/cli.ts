/**
 * Command lines of the project's scripts, one way for all: `parseCommandLine` (Node's `util.parseArgs`, with the
 * script's usage line added to every error) and `runMain` / `runScript` (an error prints `<script>: <message>`
 * and exits 1; an interrupted run exits 130).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InterruptedError } from '../lib/io/interrupt';

/**
 * Parses `argv` with `options` (positionals allowed unless `allowPositionals` is false); a bad command line
 * throws with `usage` appended.
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, allowPositionals, options, strict: true });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${usage}`, { cause: err });
  }
}

/** The line a script prints for an error: `<script>: <message>` (the name once, even if the message has it). */
export function errorLine(script: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${script}:`) || message.startsWith(`${script} `) ? message : `${script}: ${message}`;
}

/** A script's work: returns its exit code (nothing for 0) or throws. */
export type ScriptWork = () => Promise<number | void> | number | void;

/**
 * Runs a script's work and returns its exit code: what `work` returns (0 when nothing), 1 after printing
 * `errorLine` for an error, 130 after printing `interrupted` for an `InterruptedError` (Ctrl-C, with the work's
 * clean-up done).
 */
export async function runScript(script: string, work: ScriptWork, interrupted = 'interrupted.'): Promise<number> {
  try {
    return (await work()) ?? 0;
  } catch (err) {
    if (err instanceof InterruptedError) {
      console.error(`\n${script}: ${interrupted}`);
      return 130;
    }
    console.error(errorLine(script, err));
    return 1;
  }
}

/** A script's entry point: runs `main` with `runScript` and sets the process's exit code from it. */
export function runMain(script: string, main: ScriptWork): void {
  void runScript(script, main).then((code) => {
    process.exitCode = code;
  });
}
