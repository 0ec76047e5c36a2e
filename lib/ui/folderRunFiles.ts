/**
 * Saving a `trainOnFolder` run as one folder that appears whole or not at all (core/atomicFile.ts
 * `writeFolderAtomic`; a crash or Ctrl-C leaves no half-written folder): `model.json` + `weights.bin` (with the
 * class names, for `npm run predict` and `tf.loadLayersModel`), `metrics.json` and the offline `report.html`.
 * The model is saved with TF.js's standard layers only (models/standardLayers.ts `toStandardLayers`), so a plain
 * `@tensorflow/tfjs` in a browser loads it too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeFolderAtomic } from '../core/atomicFile';
import { saveModel } from '../io/modelIO';
import { toStandardLayers } from '../models/standardLayers';
import type { FolderRun } from '../training/folderTraining';
import { folderReportHtml } from './folderReport';

/** The files of a saved run. */
export const RUN_FILES = ['model.json', 'weights.bin', 'metrics.json', 'report.html'] as const;

/** Fails when `out` exists and may not be replaced, before any work is done (the error says what to do). */
export function checkOutputFolder(out: string, overwrite = false): void {
  if (fs.existsSync(out) && !overwrite)
    throw new Error(
      `Output folder ${out} already exists: pass --overwrite (overwrite: true) to replace it, or choose another --out.`,
    );
}

/** Writes the run into `out` (see the file comment); returns `out`. */
export async function saveFolderRun(
  run: FolderRun,
  out: string,
  opts: { overwrite?: boolean; signal?: AbortSignal } = {},
): Promise<string> {
  checkOutputFolder(out, opts.overwrite);
  const report = await folderReportHtml(run);
  opts.signal?.throwIfAborted();
  return writeFolderAtomic(
    out,
    async (tmp) => {
      const standard = await toStandardLayers(run.model);
      try {
        await saveModel(standard, tmp);
      } finally {
        standard.dispose();
      }
      await writeFileAtomic(path.join(tmp, 'metrics.json'), `${JSON.stringify(run.metrics, null, 2)}\n`);
      await writeFileAtomic(path.join(tmp, 'report.html'), report);
      opts.signal?.throwIfAborted();
    },
    { replace: opts.overwrite },
  );
}
