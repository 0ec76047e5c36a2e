/**
 * NumPy `.npy` files (format versions 1.0 and 2.0): `saveNpy` writes what `numpy.load` reads, `loadNpy` reads
 * what `numpy.save` writes. Little-endian float32 / float64 / int32 / int64 / uint8 / bool, C or Fortran order.
 * Writes are atomic (`core/atomicFile.ts`).
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../core/atomicFile';
import { describeFsError } from '../core/fsErrors';

/** dtypes that can be written. */
export type NpyDtype = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';

/** Raw array data: what `saveNpy` accepts besides a tensor. */
export interface NpyArray {
  data: ArrayLike<number> | ArrayLike<boolean>;
  shape: number[];
  dtype: NpyDtype;
}

const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1', bool: '|b1' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The header bytes numpy (>= 1.24) writes for this dtype and shape: the dict, spare spaces for the first axis
 * to grow (numpy's GROWTH_AXIS_MAX_DIGITS = 21), padded with spaces and a newline so the data starts at a
 * multiple of 64. Version 1.0 unless the header needs 2.0's 4-byte length.
 */
export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const hlen = dict.length + 1;
  let prefix = 10;
  let padlen = 64 - ((prefix + hlen) % 64);
  let version = 1;
  if (hlen + padlen > 65535) {
    version = 2;
    prefix = 12;
    padlen = 64 - ((prefix + hlen) % 64);
  }
  dict = dict + ' '.repeat(padlen) + '\n';
  const out = new Uint8Array(prefix + dict.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  return out;
}

function encodeData(dtype: NpyDtype, data: ArrayLike<number> | ArrayLike<boolean>): Uint8Array {
  const n = data.length;
  const nums = data as ArrayLike<number>;
  switch (dtype) {
    case 'float32': {
      const a = data instanceof Float32Array ? data : Float32Array.from(nums);
      return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    }
    case 'float64': {
      const a = data instanceof Float64Array ? data : Float64Array.from(nums);
      return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    }
    case 'int32': {
      const a = data instanceof Int32Array ? data : Int32Array.from(nums);
      return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    }
    case 'uint8':
      return data instanceof Uint8Array ? data : Uint8Array.from(nums);
    case 'bool': {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) a[i] = data[i] ? 1 : 0;
      return a;
    }
  }
}

/** Encodes a tensor or raw array as the bytes of a `.npy` file. */
export function encodeNpy(array: tf.Tensor | NpyArray): Uint8Array {
  let dtype: NpyDtype;
  let shape: number[];
  let data: ArrayLike<number> | ArrayLike<boolean>;
  if (array instanceof tf.Tensor) {
    if (array.dtype === 'string' || array.dtype === 'complex64')
      throw new Error(`saveNpy: tensors of dtype ${array.dtype} cannot be saved; cast to float32 or int32.`);
    dtype = array.dtype as NpyDtype;
    shape = array.shape;
    data = array.dataSync() as Float32Array | Int32Array | Uint8Array;
  } else {
    ({ dtype, shape, data } = array);
    if (!(dtype in DESCR))
      throw new Error(`saveNpy: dtype '${dtype}' is not supported; use one of ${Object.keys(DESCR).join(', ')}.`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new Error(`saveNpy: shape [${shape}] holds ${size} values but data has ${data.length}.`);
  }
  const header = npyHeader(dtype, shape);
  const body = encodeData(dtype, data);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Writes a tensor (or `{ data, shape, dtype }`) to a `.npy` file, atomically (a temp file and a rename). */
export async function saveNpy(file: string, array: tf.Tensor | NpyArray): Promise<void> {
  await writeFileAtomic(file, encodeNpy(array));
}

/** The parsed header of a `.npy` file. */
export interface NpyHeader {
  version: [number, number];
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** Parses the header of `.npy` bytes; `name` is used in error messages. */
export function parseNpyHeader(bytes: Uint8Array, name = 'the .npy data'): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new Error(`${name} is not a NumPy .npy file (the magic string \\x93NUMPY is missing).`);
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let len: number;
  let start: number;
  if (major === 1) {
    len = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    len = view.getUint32(8, true);
    start = 12;
  } else throw new Error(`${name}: .npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are).`);
  if (start + len > bytes.length) throw new Error(`${name} is truncated: its header says ${len} bytes.`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + len));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeStr = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeStr === undefined)
    throw new Error(`${name}: cannot parse the .npy header ${JSON.stringify(text)}.`);
  const shape = shapeStr
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`${name}: bad shape (${shapeStr}) in the .npy header.`);
  return { version: [major, minor], descr, fortranOrder: fortran === 'True', shape, dataOffset: start + len };
}

/** Decodes `.npy` bytes into a tensor (float64 -> float32, int64/uint* -> int32, bool -> bool). */
export function decodeNpy(bytes: Uint8Array, name = 'the .npy data'): tf.Tensor {
  const h = parseNpyHeader(bytes, name);
  const size = h.shape.reduce((a, b) => a * b, 1);
  const d = h.descr;
  if (d.startsWith('>') && !/^>(u1|i1|b1)$/.test(d))
    throw new Error(`${name}: big-endian data (${d}) is not supported; save with numpy's default little-endian dtype.`);
  const kind = d.replace(/^[<>|=]/, '');
  const itemBytes: Record<string, number> = { f4: 4, f8: 8, i4: 4, i8: 8, u1: 1, i1: 1, b1: 1, u2: 2, i2: 2, u4: 4 };
  const ib = itemBytes[kind];
  if (ib === undefined)
    throw new Error(`${name}: dtype '${d}' is not supported (float32/64, int8/16/32/64, uint8/16/32, bool are).`);
  if (bytes.length < h.dataOffset + size * ib)
    throw new Error(
      `${name} is truncated: expected ${size * ib} data bytes after the header, found ${bytes.length - h.dataOffset}.`,
    );
  const raw = new Uint8Array(size * ib); // a copy: Buffers from fs share a pool, so .buffer is not ours
  raw.set(bytes.subarray(h.dataOffset, h.dataOffset + size * ib));
  const view = new DataView(raw.buffer);
  let values: Float32Array | Int32Array | Uint8Array;
  let dtype: 'float32' | 'int32' | 'bool';
  if (kind === 'f4') {
    values = new Float32Array(raw.buffer);
    dtype = 'float32';
  } else if (kind === 'f8') {
    values = Float32Array.from(new Float64Array(raw.buffer));
    dtype = 'float32';
  } else if (kind === 'b1') {
    values = raw;
    dtype = 'bool';
  } else {
    values = new Int32Array(size);
    dtype = 'int32';
    for (let i = 0; i < size; i++) {
      const o = i * ib;
      if (kind === 'i4') values[i] = view.getInt32(o, true);
      else if (kind === 'i8') {
        const v = view.getBigInt64(o, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${name}: int64 value ${v} does not fit in int32.`);
        values[i] = Number(v);
      } else if (kind === 'u1') values[i] = view.getUint8(o);
      else if (kind === 'i1') values[i] = view.getInt8(o);
      else if (kind === 'u2') values[i] = view.getUint16(o, true);
      else if (kind === 'i2') values[i] = view.getInt16(o, true);
      else {
        const v = view.getUint32(o, true);
        if (v > 2147483647)
          throw new Error(
            `${name}: uint32 value ${v} does not fit in int32; save it as float64 or int64 within the int32 range.`,
          );
        values[i] = v;
      }
    }
  }
  if (!h.fortranOrder || h.shape.length < 2) return tf.tensor(values, h.shape, dtype);
  // Fortran order: the data is the C-order array of the reversed shape, transposed.
  return tf.tidy(() => tf.transpose(tf.tensor(values, [...h.shape].reverse(), dtype)));
}

/** Reads a `.npy` file into a tensor. */
export function loadNpy(file: string): tf.Tensor {
  if (!fs.existsSync(file)) throw new Error(`loadNpy: ${file} does not exist.`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw describeFsError(err, file);
  }
  return decodeNpy(bytes, file);
}
