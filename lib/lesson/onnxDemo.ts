/**
 * What the notebooks show of ONNX: 05 runs the same feature extraction on both engines (a frozen base is only
 * inference, and any inference engine can run it), 09 exports the learner's model to an ONNX file and classifies
 * photos with ONNX Runtime alone, beside TF.js's answers.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { displayPath } from '../core/paths';
import { loadImage } from '../data/imageDataset';
import { chooseEngine, engineLabel, type EngineChoice } from '../onnx/engine';
import { exportOnnx } from '../onnx/exportOnnx';
import { releaseOnnxSession } from '../onnx/modelSession';
import { loadOnnxRuntime, sessionOptions } from '../onnx/onnxRuntime';
import { extractFeatures, type FeatureBatches } from '../training/features';
import type { FolderRun } from '../training/folderTraining';
import { showTable } from '../ui/display';
import type { Backbone } from './backbone';
import { PHOTOS_RUN_DIR } from './folderRunViews';

/** The largest |a − b| of two arrays of the same length. */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * 05: extracts the features of one split on TF.js and on ONNX Runtime (no cache, same batches) and shows each
 * engine's seconds, images per second and the largest difference between their features.
 */
export async function showEngineComparison(backbone: Backbone, dataset: () => Promise<FeatureBatches>): Promise<void> {
  const engines: EngineChoice[] = [{ engine: 'tfjs', reason: '' }];
  const auto = chooseEngine('auto');
  if (auto.engine === 'onnxruntime') engines.push(auto);
  else console.log(`ONNX Runtime을 쓰지 않습니다: ${auto.reason}`);
  const results = [];
  for (const e of engines) {
    const r = await extractFeatures(backbone.convBase, await dataset(), {
      preprocess: backbone.preprocess,
      engine: e.engine,
      label: engineLabel(e),
      quiet: true,
    });
    results.push({ label: engineLabel(e), ...r, data: await r.features.data() });
    tf.dispose([r.features, r.labels]);
  }
  await releaseOnnxSession(backbone.convBase);
  const reference = results[0];
  showTable(
    results.map((r) => ({
      엔진: r.label,
      이미지: r.labels.shape[0],
      초: r.seconds.toFixed(1),
      '초당 이미지': (r.labels.shape[0] / r.seconds).toFixed(0),
      'TF.js 특성과의 최대 차이': maxDifference(reference.data, r.data).toExponential(1),
    })),
    { caption: '같은 합성곱 기반, 두 추론 엔진' },
  );
}

/** The output of an ONNX file on one batch, with onnxruntime-node alone (no TF.js in the path). */
async function runOnnxFile(file: string, x: tf.Tensor): Promise<Float32Array> {
  const ort = loadOnnxRuntime();
  const pixels = (await x.data()) as Float32Array;
  const session = await ort.InferenceSession.create(file, sessionOptions());
  try {
    const out = await session.run({
      [session.inputNames[0]]: new ort.Tensor('float32', pixels, x.shape),
    });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/**
 * 09: writes the run's model as `model.onnx` beside the saved run and classifies `count` of its evaluation photos
 * with ONNX Runtime on that file, beside TF.js's answers.
 */
export async function exportRunToOnnx(run: FolderRun, count = 5): Promise<void> {
  const file = await exportOnnx(run.model, path.join(PHOTOS_RUN_DIR(), 'model.onnx'), {
    classNames: run.metrics.classes,
  });
  console.log(`${displayPath(file)}에 저장했습니다 (ONNX, 전처리 포함, 클래스 이름은 메타데이터에).`);
  const [, h, w] = run.model.inputs[0].shape as number[];
  const files = (run.evaluation.filePaths ?? []).slice(0, count);
  const images = await Promise.all(files.map((f) => loadImage(f, { imageSize: [h, w] })));
  const x = tf.stack(images);
  const ours = tf.tidy(() => run.model.predict(x) as tf.Tensor);
  const [a, b] = [await ours.data(), await runOnnxFile(file, x)];
  const n = a.length / files.length;
  const name = (p: ArrayLike<number>, i: number) => {
    const row = Array.from(p).slice(i * n, (i + 1) * n);
    return run.metrics.classes[row.indexOf(Math.max(...row))];
  };
  showTable(
    files.map((f, i) => ({
      사진: path.basename(f),
      'TF.js 예측': name(a, i),
      'ONNX Runtime 예측': name(b, i),
      '확률의 최대 차이': maxDifference(a.slice(i * n, (i + 1) * n), b.slice(i * n, (i + 1) * n)).toExponential(1),
    })),
    { caption: 'ONNX 파일을 ONNX Runtime으로 실행' },
  );
  tf.dispose([...images, x, ours]);
}
