/**
 * Transform (tf.image.transform) with fillMode 'reflect' runs on the cpu implementation: wasm 4.22 reflects
 * rows across the wrong edge. It goes one image at a time, because cpu's kernel gets images after the first
 * wrong. Other fill modes keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorFromInfo } from '../../../core/internals';
import { composite, type Attrs, type KernelFn } from '../composite';
import { cpuFallback } from '../cpuBridge';

/** The Transform kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function transformReflectFix(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Transform', 'wasm');
  const cpuOne = cpuFallback('Transform');
  if (!orig || !cpuOne) return undefined;
  const perImage = composite('Transform', (t, attrs) => {
    const images = t.image as tf.Tensor4D;
    const transforms = t.transforms as tf.Tensor2D;
    const backend = tf.backend();
    const outs: tf.Tensor[] = [];
    for (let i = 0; i < images.shape[0]; i++) {
      const image = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]);
      const row = tf.slice(transforms, [transforms.shape[0] === 1 ? 0 : i, 0], [1, -1]);
      const info = (cpuOne.kernelFunc as KernelFn)({
        inputs: { image, transforms: row },
        backend,
        attrs: attrs as tf.NamedAttrMap,
      }) as tf.TensorInfo;
      outs.push(tensorFromInfo(info, backend));
    }
    return outs.length === 1 ? outs[0] : tf.concat(outs, 0);
  });
  const kernelFunc: KernelFn = (args) =>
    (args.attrs as Attrs | undefined)?.fillMode === 'reflect'
      ? (perImage.kernelFunc as KernelFn)(args)
      : orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
  return { kernelName: 'Transform', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
