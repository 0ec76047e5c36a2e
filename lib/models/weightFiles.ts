/**
 * Where keras.applications publishes its weight files, and fetching one into the cache (`get_file` with Keras's
 * URLs and hashes, cached under `data/models/`), each file checked as a Keras weight file before it is used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { envValue } from '../core/config';
import { say } from '../core/messages';
import { displayPath, kerasHomeModelsDir, weightsCacheDir } from '../core/paths';
import { getFile } from '../io/download';
import { readKerasWeights } from '../io/kerasHdf5';

/** Where keras.applications keeps its weight files (override with `KERAS_WEIGHTS_BASE_URL`, e.g. a local mirror). */
export const KERAS_WEIGHTS_BASE_URL = 'https://storage.googleapis.com/tensorflow/keras-applications/';

/** One Keras weight file: the folder under the base URL, its file name, and the md5/sha256 Keras checks (if any). */
export interface KerasWeightsFile {
  /** Folder under the base URL, e.g. 'vgg16', 'resnet', 'mobilenet', 'mobilenet_v2'. */
  subdir: string;
  /** File name, e.g. 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'. */
  fileName: string;
  /** The file_hash Keras passes to get_file (md5), when it publishes one. */
  hash?: string;
}

/** The base URL in force: `KERAS_WEIGHTS_BASE_URL` from the environment, or Keras's own. Ends with '/'. */
function kerasWeightsBaseUrl(): string {
  const base = envValue('KERAS_WEIGHTS_BASE_URL') ?? KERAS_WEIGHTS_BASE_URL;
  return base.endsWith('/') ? base : `${base}/`;
}

/** The URL a weight file is downloaded from. */
export function kerasWeightsUrl(file: KerasWeightsFile): string {
  return `${kerasWeightsBaseUrl()}${file.subdir}/${file.fileName}`;
}

/**
 * Returns the local path of a Keras weight file in the cache (`KERAS_WEIGHTS_DIR`, or `data/models/` under the
 * project root), downloading it first unless a verified copy is cached.
 * Keras publishes no hash for some files (MobileNet), so every file is also read as a Keras weight file before
 * it enters the cache and before a cached copy is used: an error page or a cut download is kept aside as
 * `<file>.bad` with an error (a cached one is moved aside and downloaded again; see io/download.ts). `fits`
 * checks the file against the model it is for, before it is cached and before a cached copy is used.
 */
export async function fetchKerasWeights(
  file: KerasWeightsFile,
  opts: { quiet?: boolean; fits?: (h5Path: string) => void } = {},
): Promise<string> {
  const dest = path.join(weightsCacheDir(), file.fileName);
  const validate = (p: string) => {
    // Opening checks the HDF5 signature, the structure and that raw weights lie inside the file; others are read.
    for (const weights of readKerasWeights(p).layers.values())
      for (const w of weights) if (w.storage === 'jsfive') w.read();
    opts.fits?.(p); // a file for another model is not cached (nor used from the cache): it is moved aside as .bad
  };
  const fromKeras = fs.existsSync(dest) ? undefined : kerasCachedFile(file, validate, opts.quiet);
  if (fromKeras) return fromKeras;
  return getFile(kerasWeightsUrl(file), { dest, hash: file.hash, quiet: opts.quiet, label: file.fileName, validate });
}

/**
 * The file in Keras's own cache (`$KERAS_HOME/models`, else `~/.keras/models`) when it is there and reads as a Keras
 * weight file (used in place, read-only); undefined otherwise (a copy that fails is named in a warning and skipped).
 */
function kerasCachedFile(file: KerasWeightsFile, validate: (p: string) => void, quiet?: boolean): string | undefined {
  const p = path.join(kerasHomeModelsDir(), file.fileName);
  if (!fs.existsSync(p)) return undefined;
  try {
    validate(p);
    return p;
  } catch (err) {
    if (!quiet)
      console.warn(
        say({
          en: `Keras's cached ${displayPath(p)} is not a readable weight file (${(err as Error).message}); downloading instead.`,
          ko: `Keras 캐시의 ${displayPath(p)} 파일을 가중치로 읽을 수 없어 (${(err as Error).message}) 새로 내려받습니다.`,
        }),
      );
    return undefined;
  }
}
