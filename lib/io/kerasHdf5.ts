/**
 * Reading Keras HDF5 weight files with jsfive (pure JavaScript, so it works inside tslab notebooks): layer names,
 * weight names and shapes, and the values on demand.
 *
 * Both Keras 2 layouts are understood: `layer_names` at the root (`save_weights`, the keras.applications files) or
 * under `model_weights` (`model.save`); each layer group lists its `weight_names`, stored as `<layer>/<weight>:0`.
 * Weights stored the way Keras writes them (contiguous, uncompressed, little-endian float32) are read as raw bytes
 * at their file offset, one at a time; chunked, compressed or other-typed datasets use jsfive's element reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsfive from 'jsfive';
import { describeFsError } from '../core/fsErrors';
import { jsfiveMessageOffset } from '../core/internals';

/** One weight array of a Keras file; its values are read on demand (large files are not held in memory at once). */
export interface KerasWeight {
  /** Name as stored, e.g. 'conv1/kernel:0'. */
  name: string;
  shape: number[];
  /** Number of values (product of the shape). */
  size: number;
  /**
   * How `read` gets the values: 'contiguous-f32' reads the raw little-endian float32 bytes straight from the
   * file (what Keras writes; fast, one weight in memory at a time), 'jsfive' uses jsfive's element reader
   * (chunked or compressed datasets, other dtypes).
   */
  storage: 'contiguous-f32' | 'jsfive';
  /** Reads the values from the file (row-major, float32). Errors name the file and the weight. */
  read(): Float32Array;
}

/** Options of `readKerasWeights`. */
export interface ReadKerasWeightsOptions {
  /** 'auto' (default): raw float32 reads where the layout allows, jsfive otherwise; 'jsfive': jsfive for all. */
  reader?: 'auto' | 'jsfive';
}

/** The content of a Keras weight file: layers in file order, each with its weights in Keras order. */
export interface KerasWeightsContent {
  file: string;
  kerasVersion?: string;
  backend?: string;
  /** All layer names of the file (also those without weights), in file order. */
  layerNames: string[];
  /** Weights per layer name (layers without weights map to []). */
  layers: Map<string, KerasWeight[]>;
}

/** The 8 bytes every HDF5 file starts with (when it has no user block, as Keras's files). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 Data Layout message type (spec IV.A.2.i). */
const LAYOUT_MSG_TYPE = 0x0008;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `buf` starts with the HDF5 signature. */
export function hasHdf5Signature(buf: Uint8Array): boolean {
  return buf.length >= HDF5_SIGNATURE.length && HDF5_SIGNATURE.every((b, i) => buf[i] === b);
}

/**
 * The file offset of a dataset's values when they are stored contiguously, uncompressed, as little-endian
 * float32 (HDF5 layout class 1, the layout h5py uses for Keras weights), else undefined (read with jsfive).
 */
function contiguousFloat32Offset(d: jsfive.Node, size: number, buf: Buffer): number | undefined {
  if (!LITTLE_ENDIAN_HOST || d.dtype !== '<f4' || size === 0) return undefined;
  const at = jsfiveMessageOffset(d, LAYOUT_MSG_TYPE);
  if (at === undefined || at < 0 || at + 24 > buf.length) return undefined;
  const version = buf[at];
  let address: bigint;
  if (version === 3 || version === 4) {
    if (buf[at + 1] !== 1) return undefined; // 0 compact, 2 chunked, 3 virtual
    address = buf.readBigUInt64LE(at + 2);
    if (buf.readBigUInt64LE(at + 10) !== BigInt(size * 4)) return undefined;
  } else if (version === 1 || version === 2) {
    if (buf[at + 2] !== 1) return undefined;
    address = buf.readBigUInt64LE(at + 8);
  } else {
    return undefined;
  }
  if (address === 0xffffffffffffffffn || address + BigInt(size * 4) > BigInt(buf.length)) return undefined;
  return Number(address);
}

/** Reads `size` float32 values at `offset` of `file`, checking the file is still the one that was opened. */
function readFloat32At(file: string, offset: number, size: number, fileSize: number): Float32Array {
  const out = new Float32Array(size);
  const bytes = new Uint8Array(out.buffer);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== fileSize) {
      throw new Error(`${file} changed size since it was opened (${fileSize} bytes then): read the weights again.`);
    }
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, bytes.length - done, offset + done);
      if (n <= 0)
        throw new Error(
          `${file} ended early at byte ${offset + done}: the file may be truncated; delete it and download it again.`,
        );
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

// The readers come from top-level factories so that a fast reader's closure holds numbers only and the file
// buffer can be released once the metadata is parsed.
function rawFloat32Reader(file: string, offset: number, size: number, fileSize: number): () => Float32Array {
  return () => readFloat32At(file, offset, size, fileSize);
}

function jsfiveReader(d: jsfive.Node, file: string, name: string): () => Float32Array {
  return () => {
    let raw: ArrayLike<number>;
    try {
      raw = d.value ?? [];
    } catch (err) {
      // jsfive throws strings, e.g. 'NotImplementedError("Filter with id:5 not supported")'.
      throw new Error(
        `Cannot read weight '${name}' of ${file}: ${err instanceof Error ? err.message : String(err)}. ` +
          'The file may be damaged, or stored with an HDF5 filter jsfive does not read: save it again with h5py/Keras defaults.',
        { cause: err },
      );
    }
    return raw instanceof Float32Array ? raw : Float32Array.from(raw);
  };
}

function cleanString(s: unknown): string {
  const str = typeof s === 'string' ? s : s instanceof Uint8Array ? Buffer.from(s).toString('utf8') : String(s);
  return str.replace(/\0+$/, '').replace(/\0/g, '');
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [cleanString(v)];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).map(cleanString);
  return undefined;
}

/** Reads `h5Path` whole and parses it with jsfive; errors name the file and say what to do. */
function openHdf5(h5Path: string): { buf: Buffer; root: jsfive.Node } {
  if (!fs.existsSync(h5Path)) {
    throw new Error(
      `Keras weight file not found: ${path.resolve(h5Path)}. Check the path (relative paths start at the cwd, ${process.cwd()}).`,
    );
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(h5Path);
  } catch (err) {
    throw describeFsError(err, h5Path);
  }
  if (!hasHdf5Signature(buf)) {
    throw new Error(
      `${h5Path} is not an HDF5 file (no HDF5 signature). Keras weight files are .h5 files saved by model.save_weights / model.save.`,
    );
  }
  try {
    // A large file read by readFileSync owns its ArrayBuffer: use it without copying.
    const whole = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
    const ab = (whole ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) as ArrayBuffer;
    return { buf, root: new jsfive.File(ab, path.basename(h5Path)) };
  } catch (err) {
    throw new Error(
      `Could not read ${h5Path} as HDF5 (${err instanceof Error ? err.message : String(err)}). The file may be ` +
        `truncated: delete it and download it again.`,
      { cause: err },
    );
  }
}

/**
 * `node.get(name)`, where jsfive throws a bare string (`x not found in group`) for a missing name: always an
 * Error naming the file and what is missing.
 */
function child(node: jsfive.Node, name: string, h5Path: string, where: string): jsfive.Node {
  try {
    return node.get(name);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${h5Path}: ${where} '${name}' is listed but cannot be read (${why}). The file is damaged or not a Keras ` +
        `weight file: delete it and download it again.`,
      { cause: err },
    );
  }
}

/** The group holding `layer_names` (the root, or `model_weights` of a `model.save` file) and those names. */
function layerGroup(root: jsfive.Node, h5Path: string): { group: jsfive.Node; names: string[] } {
  let names = stringList(root.attrs.layer_names);
  if (names) return { group: root, names };
  if ((root.keys ?? []).includes('model_weights')) {
    const group = child(root, 'model_weights', h5Path, 'group');
    names = stringList(group.attrs.layer_names);
    if (names) return { group, names };
  }
  throw new Error(
    `${h5Path} has no 'layer_names' attribute (at the root or under 'model_weights'): it is not a Keras 2 weight file. ` +
      `Keras 3 '.weights.h5' files are not supported; save with Keras 2 (h5 format) instead.`,
  );
}

/**
 * Opens a Keras HDF5 weight file (Keras 2 layouts): layer names, weight names and shapes; values on demand.
 * The file is read once to parse its metadata; contiguous float32 weights are then read one at a time from
 * the file at their offset, so the whole file is not kept in memory (unless some dataset needs jsfive).
 */
export function readKerasWeights(h5Path: string, opts: ReadKerasWeightsOptions = {}): KerasWeightsContent {
  const reader = opts.reader ?? 'auto';
  if (reader !== 'auto' && reader !== 'jsfive')
    throw new Error(`readKerasWeights: reader must be 'auto' or 'jsfive', not '${String(reader)}'.`);
  const { buf, root } = openHdf5(h5Path);
  const filePath = path.resolve(h5Path);
  const { group, names } = layerGroup(root, h5Path);
  const attr = (k: string): string | undefined => {
    const v = root.attrs[k] ?? group.attrs[k];
    return v === undefined ? undefined : cleanString(v);
  };
  const layers = new Map<string, KerasWeight[]>();
  for (const layerName of names) {
    const g = child(group, layerName, h5Path, 'layer');
    const weightNames = stringList(g.attrs.weight_names) ?? [];
    layers.set(
      layerName,
      weightNames.map((name): KerasWeight => {
        const d = child(g, name, h5Path, `weight of layer '${layerName}'`);
        const shape = (d.shape ?? []).map(Number);
        const size = shape.reduce((a, b) => a * b, 1);
        const offset = reader === 'auto' ? contiguousFloat32Offset(d, size, buf) : undefined;
        return offset !== undefined
          ? { name, shape, size, storage: 'contiguous-f32', read: rawFloat32Reader(filePath, offset, size, buf.length) }
          : { name, shape, size, storage: 'jsfive', read: jsfiveReader(d, h5Path, name) };
      }),
    );
  }
  return { file: h5Path, kerasVersion: attr('keras_version'), backend: attr('backend'), layerNames: names, layers };
}
