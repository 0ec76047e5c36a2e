/**
 * Opening an ONNX file to run it (`npm run predict -- model.onnx <images>`): the file is read with `onnx-proto`
 * for its input shape and metadata (class names), then given to ONNX Runtime. A file that is not ONNX (corrupt,
 * truncated, another format) or one whose input is not an image batch this library feeds (float32 NHWC
 * [batch, h, w, 3], as `exportOnnx` writes) is an error naming the file and what to do.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { METADATA_KEYS } from './exportOnnx';
import { loadOnnxRuntime, sessionOptions } from './onnxRuntime';

/** An opened ONNX file: its input shape (null = any size), class names, and a way to run it. */
export interface OnnxFileModel {
  file: string;
  inputShape: (number | null)[];
  classNames?: string[];
  /** The first output for a float32 batch of pixels (a new tensor: dispose it). */
  run(x: tf.Tensor): Promise<tf.Tensor>;
  close(): Promise<void>;
}

/** The graph's first input as [batch, h, w, c] (null where the file names a size instead of fixing it). */
function imageInput(file: string, proto: onnx.ModelProto): (number | null)[] {
  const input = proto.graph?.input?.[0];
  const tensor = input?.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimValue ? Number(d.dimValue) : null));
  if (!input || tensor?.elemType !== onnx.TensorProto.DataType.FLOAT || dims.length !== 4 || dims[3] !== 3)
    throw new Error(
      `${file}: its input '${input?.name ?? '?'}' is [${dims.map((d) => d ?? '?')}] of element type ${tensor?.elemType ?? '?'}; ` +
        'this library feeds float32 NHWC pixels [batch, height, width, 3] (what `npm run export` writes). ' +
        'Export the model with `npm run export`, or run this file with ONNX Runtime directly.',
    );
  return dims;
}

/** Reads and checks `file`, then opens an ONNX Runtime session on it (see the file comment). */
export async function openOnnxFile(file: string): Promise<OnnxFileModel> {
  if (!fs.existsSync(file))
    throw new Error(`${file} does not exist: write one with \`npm run export -- <model folder>\`.`);
  const bytes = fs.readFileSync(file);
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
    if (!proto.graph?.node?.length) throw new Error('no graph');
  } catch (err) {
    throw new Error(
      `${file} is not an ONNX model (${(err as Error).message}): the file is corrupt, truncated or another format. ` +
        'Write it again with `npm run export -- <model folder>`.',
      { cause: err },
    );
  }
  const inputShape = imageInput(file, proto);
  const meta = Object.fromEntries((proto.metadataProps ?? []).map((p) => [p.key, p.value]));
  const classNames = meta[METADATA_KEYS.classNames]
    ? (JSON.parse(meta[METADATA_KEYS.classNames]!) as string[])
    : undefined;
  const ort = loadOnnxRuntime();
  const session = await ort.InferenceSession.create(bytes, sessionOptions()).catch((err: Error) => {
    throw new Error(`${file}: ONNX Runtime cannot run it: ${err.message.split('\n')[0]}`, { cause: err });
  });
  return {
    file,
    inputShape,
    classNames,
    run: async (x) => {
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', (await x.data()) as Float32Array, x.shape) };
      const y = (await session.run(feeds))[session.outputNames[0]];
      return tf.tensor(y.data as Float32Array, y.dims as number[]);
    },
    close: () => session.release(),
  };
}
