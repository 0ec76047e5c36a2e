/**
 * The workloads of `npm run bench`: the lesson's models at its shapes, each as a step to time. The PyTorch
 * counterparts (same shapes, same layers) are in `bench_torch.py`, under the `torch` keys.
 */
import * as tf from '@tensorflow/tfjs';
import { modelRunner, type ModelRunner } from '../lib/onnx/engine';
import { modelToOnnx } from '../lib/onnx/exportOnnx';
import { releaseOnnxSession } from '../lib/onnx/modelSession';
import { loadOnnxRuntime, sessionOptions } from '../lib/onnx/onnxRuntime';
import { buildMobileNet } from '../lib/models/mobilenet';
import { vgg16 } from '../lib/models/vgg';
import { buildTransferModel } from '../lib/training/transferModel';
import { compileModel } from '../lib/training/compile';
import { setFineTuneStrategy } from '../lib/training/finetune';

/** Batch and image size of the VGG16 and small-convnet workloads (the lesson's full profile). */
export const BATCH = 20;
export const SIZE = 150;
/** Batch and image size of the MobileNet workloads (the lesson's offline sample profile). */
const MOBILE_BATCH = 16;
const MOBILE_SIZE = 160;

/** A prepared workload: one step to time (a forward pass or a training step), and its clean-up. */
export interface Prepared {
  step(): Promise<void>;
  /** A forward pass's same step on ONNX Runtime: through the library's engine, and bare (a session on the file). */
  onnx?: { engine(): Promise<void>; bare(): Promise<void> };
  dispose(): void;
}

/** One row of the bench. */
export interface Workload {
  name: string;
  /** Key of the same workload in bench_torch.py's output. */
  torch: string;
  unit: 'images/s' | 'ms/step';
  /** Images per step (for images/s). */
  batch: number;
  /** Timed runs per run of the bench's count (cheap steps run more often). */
  repsFactor: number;
  /** Whether the wasm backend also times it with Winograd off (alternating), as a second row. */
  direct?: boolean;
  prepare(): Promise<Prepared>;
}

function images(batch: number, size: number): { x: tf.Tensor; y: tf.Tensor } {
  return {
    x: tf.randomUniform([batch, size, size, 3], 0, 1),
    y: tf.cast(tf.randomUniform([batch, 1], 0, 2, 'int32'), 'float32'),
  };
}

/** The forward pass on ONNX Runtime: the engine (`modelRunner`) and a bare session on the exported bytes. */
function onnxForward(model: tf.LayersModel, x: tf.Tensor): NonNullable<Prepared['onnx']> {
  let runner: ModelRunner | undefined;
  let bare: import('onnxruntime-node').InferenceSession | undefined;
  const data = x.dataSync() as Float32Array;
  return {
    engine: async () => {
      runner ??= await modelRunner(model, 'onnxruntime');
      (await runner.run(x)).dispose();
    },
    bare: async () => {
      const ort = loadOnnxRuntime();
      bare ??= await ort.InferenceSession.create(modelToOnnx(model), sessionOptions());
      await bare.run({ [bare.inputNames[0]]: new ort.Tensor('float32', data, x.shape) });
    },
  };
}

function forward(model: tf.LayersModel, x: tf.Tensor): Prepared {
  return {
    step: async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    },
    onnx: onnxForward(model, x),
    dispose: () => {
      x.dispose();
      void releaseOnnxSession(model);
      model.dispose();
    },
  };
}

function training(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Prepared {
  return {
    step: async () => {
      await model.trainOnBatch(x, y);
    },
    dispose: () => {
      tf.dispose([x, y]);
      model.dispose();
    },
  };
}

function denseHead(input: tf.SymbolicTensor): tf.SymbolicTensor {
  let x = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 256, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5 }).apply(x) as tf.SymbolicTensor;
  return tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
}

function smallConvnet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  for (const f of [64, 128, 128]) {
    m.add(tf.layers.conv2d({ filters: f, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 512, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: tf.train.rmsprop(1e-4), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** VGG16 with the head, block1-4 frozen (the lesson's fine-tuning). */
async function vggFineTune(): Promise<tf.LayersModel> {
  const base = await vgg16({ includeTop: false, weights: null, inputShape: [SIZE, SIZE, 3] });
  const fine = tf.model({ inputs: base.inputs, outputs: denseHead(base.outputs[0]) });
  let trainable = false;
  for (const l of base.layers) {
    if (l.name === 'block5_conv1') trainable = true;
    l.trainable = trainable;
  }
  fine.compile({ optimizer: tf.train.rmsprop(1e-5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return fine;
}

/** MobileNet α=0.25 with the lesson's head, trained from conv_dw_12 on (the lesson's 'top' strategy). */
function mobileNetFineTune(): tf.LayersModel {
  const base = buildMobileNet({
    alpha: 0.25,
    includeTop: false,
    weights: null,
    inputShape: [MOBILE_SIZE, MOBILE_SIZE, 3],
    quiet: true,
  });
  const model = buildTransferModel(base, { dropout: 0.5 });
  compileModel(model, { optimizer: tf.train.rmsprop(2e-5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  setFineTuneStrategy(model, base, 'top', { from: 'conv_dw_12', learningRate: 2e-5 });
  return model;
}

/** Every workload, in the order the bench runs them. */
export const WORKLOADS: Workload[] = [
  {
    name: 'VGG16-notop forward',
    torch: 'vgg_forward_images_s',
    unit: 'images/s',
    batch: BATCH,
    repsFactor: 1,
    direct: true,
    prepare: async () =>
      forward(await vgg16({ includeTop: false, weights: null, inputShape: [SIZE, SIZE, 3] }), images(BATCH, SIZE).x),
  },
  {
    name: 'VGG16 block5 fine-tune step',
    torch: 'vgg_finetune_ms',
    unit: 'ms/step',
    batch: BATCH,
    repsFactor: 1,
    prepare: async () => {
      const { x, y } = images(BATCH, SIZE);
      return training(await vggFineTune(), x, y);
    },
  },
  {
    name: 'small convnet train step',
    torch: 'convnet_ms',
    unit: 'ms/step',
    batch: BATCH,
    repsFactor: 1,
    prepare: async () => {
      const { x, y } = images(BATCH, SIZE);
      return training(smallConvnet(), x, y);
    },
  },
  {
    name: 'dense head train step',
    torch: 'head_ms',
    unit: 'ms/step',
    batch: BATCH,
    repsFactor: 4,
    prepare: async () => {
      const input = tf.input({ shape: [4, 4, 512] });
      const m = tf.model({ inputs: input, outputs: denseHead(input) });
      m.compile({ optimizer: tf.train.rmsprop(2e-5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const { y } = images(BATCH, 1);
      return training(m, tf.randomUniform([BATCH, 4, 4, 512]), y);
    },
  },
  {
    name: 'MobileNet α=0.25 forward (160x160, batch 16)',
    torch: 'mobilenet_forward_images_s',
    unit: 'images/s',
    batch: MOBILE_BATCH,
    repsFactor: 2,
    prepare: async () =>
      forward(
        buildMobileNet({
          alpha: 0.25,
          includeTop: false,
          weights: null,
          inputShape: [MOBILE_SIZE, MOBILE_SIZE, 3],
          quiet: true,
        }),
        images(MOBILE_BATCH, MOBILE_SIZE).x,
      ),
  },
  {
    name: 'MobileNet α=0.25 fine-tune step (from conv_dw_12)',
    torch: 'mobilenet_finetune_ms',
    unit: 'ms/step',
    batch: MOBILE_BATCH,
    repsFactor: 2,
    prepare: async () => {
      const { x, y } = images(MOBILE_BATCH, MOBILE_SIZE);
      return training(mobileNetFineTune(), x, y);
    },
  },
];
