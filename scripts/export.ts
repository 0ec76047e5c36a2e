/**
 * Exports a saved model to ONNX from the command line:
 *
 *   npm run export -- <model folder> [--out model.onnx]
 *
 * The folder is one `saveModel` or `npm run train` wrote (model.json + weights.bin); the file (default
 * `<model folder>/model.onnx`) takes the same float32 NHWC pixels 0..255 as the model, has its preprocessing
 * inside and its class names in the metadata (lib/onnx/exportOnnx.ts). Prints the file, its size, input and output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import { initBackend } from '../lib/backend/select';
import { loadSavedModel } from '../lib/models/savedModel';
import { exportOnnx } from '../lib/onnx/exportOnnx';

const USAGE = 'usage: npm run export -- <model folder> [--out model.onnx]';

/** Parsed command line of the export script. */
export interface ExportArgs {
  modelDir: string;
  out: string;
}

/** Parses `argv` (without node and the script path). */
export function parseExportArgs(argv: string[]): ExportArgs {
  const { values: v, positionals: pos } = parseCommandLine(
    argv,
    { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (v.help) throw new Error(USAGE);
  if (pos.length !== 1) throw new Error(`give one model folder (got ${pos.length}).\n${USAGE}`);
  if (v.out === '') throw new Error(`--out needs a file name.\n${USAGE}`);
  return { modelDir: pos[0], out: v.out ?? path.join(pos[0], 'model.onnx') };
}

/** Checks the folder has a saved model before tfjs reads it (a clearer message than tfjs's). */
function checkModelFolder(dir: string): void {
  const json = path.join(dir, 'model.json');
  if (!fs.existsSync(json))
    throw new Error(`${dir} has no model.json: pass a folder written by saveModel or \`npm run train\`.`);
  const manifest = JSON.parse(fs.readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
  for (const group of manifest.weightsManifest ?? [])
    for (const p of group.paths)
      if (!fs.existsSync(path.join(dir, p)))
        throw new Error(
          `${dir} has model.json but not its weights file ${p}: copy the whole folder the model was saved to.`,
        );
}

/** Loads, exports and prints what was written. */
export async function main(argv: string[]): Promise<void> {
  const args = parseExportArgs(argv);
  checkModelFolder(args.modelDir);
  await initBackend({ quiet: true });
  const model = await loadSavedModel(args.modelDir);
  try {
    const file = await exportOnnx(model, args.out);
    const mb = (fs.statSync(file).size / 1e6).toFixed(1);
    const shape = (s: (number | null)[]) => `[${s.map((d) => d ?? 'batch').join(', ')}]`;
    console.log(
      `Wrote ${file} (${mb} MB): input ${shape(model.inputs[0].shape)} float32 pixels 0..255, output ${shape(model.outputs[0].shape)}`,
    );
  } finally {
    model.dispose();
  }
}

if (require.main === module) runMain('export', () => main(process.argv.slice(2)));
