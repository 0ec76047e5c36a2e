/**
 * `OnnxGraph`: the ONNX graph an export is building — its nodes, its constant tensors (initializers) and where each
 * value's channels are. Keras tensors are channels-last (NHWC); ONNX's Conv, pools and BatchNormalization are
 * channels-first (NCHW). Every 4-D value therefore carries its layout, and `nchw` / `nhwc` insert one Transpose
 * (remembered, so a value is transposed once) where a node needs the other layout. Messages are built here, the
 * protobuf is encoded by `onnx-proto` (ONNX's own schema) in `exportOnnx.ts`.
 */
import { onnx } from 'onnx-proto';

/** Where a value's channels are: a 4-D value is `nhwc` or `nchw`; any other rank is `plain` (channels last). */
export type Layout = 'nhwc' | 'nchw' | 'plain';

/** One value of the graph: its name, rank and layout. */
export interface Value {
  name: string;
  rank: number;
  layout: Layout;
}

/** An attribute value: a number is an INT unless `float` is used, arrays of numbers are INTS, a string is STRING. */
export type AttributeValue = number | number[] | string | { float: number };

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** One attribute as ONNX's AttributeProto. */
function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'object') return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.INT, i: value };
}

/** The ONNX graph under construction (see the file comment). */
export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  /** A name not used yet, made from `base` (a suffix `_2`, `_3` ... when taken). */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node `op(inputs) -> one output` named after `name`; returns the output's name. */
  node(op: string, inputs: string[], name: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.unique(name);
    this.nodes.push({
      opType: op,
      name: output,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Adds an Identity node whose output has exactly the name `output` (a graph output: reserve it first). */
  rename(input: string, output: string): void {
    this.nodes.push({ opType: 'Identity', name: `${output}_identity`, input: [input], output: [output] });
  }

  /** A float32 constant of shape `dims` (row-major `data`); returns its name. */
  floats(name: string, data: Float32Array | number[], dims: number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new Error(`OnnxGraph: constant '${name}' has ${values.length} values for shape [${dims}].`);
    const unique = this.unique(name);
    const rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    this.initializers.push({ name: unique, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData });
    return unique;
  }

  /** A 1-D int64 constant (shapes, pads, indices); returns its name. */
  int64s(name: string, values: number[]): string {
    const unique = this.unique(name);
    const rawData = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    this.initializers.push({ name: unique, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData });
    return unique;
  }

  /** `v` with its channels second (NCHW); a Transpose is added the first time a channels-last 4-D value needs it. */
  nchw(v: Value): Value {
    if (v.rank !== 4 || v.layout === 'nchw') return v;
    return this.transpose(v, NHWC_TO_NCHW, 'nchw');
  }

  /** `v` channels-last (Keras's own layout); a Transpose is added the first time an NCHW value needs it. */
  nhwc(v: Value): Value {
    if (v.layout !== 'nchw') return v;
    return this.transpose(v, NCHW_TO_NHWC, 'nhwc');
  }

  private transpose(v: Value, perm: number[], layout: Layout): Value {
    const key = `${v.name}->${layout}`;
    const done = this.transposed.get(key);
    if (done) return done;
    const out: Value = { name: this.node('Transpose', [v.name], `${v.name}_${layout}`, { perm }), rank: 4, layout };
    this.transposed.set(key, out);
    return out;
  }
}
