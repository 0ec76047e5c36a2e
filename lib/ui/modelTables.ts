/**
 * Tables that explain an architecture, in Korean (lib/models/anatomy.ts computes the numbers): models side by
 * side (layers, convolutions, parameters, output shape), a model's blocks or stages, its layers one by one with
 * where each takes its input from, and small tensors with their shapes and values (worked examples).
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { groupLayers, layerRows, modelStats, blockOf } from '../models/anatomy';
import { APPLICATIONS } from '../models/applications';
import { lastLoadReport } from '../models/weights';
import { showTable } from './display';

/** "4x4x512" (a shape without the batch dimension; -1, an unknown size, as "?"). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? '스칼라' : shape.map((d) => (d < 0 ? '?' : String(d))).join('x');
}

/** Shows models side by side: layers, convolution layers, parameters and output shape of each. */
export function showModelSizes(models: Record<string, tf.LayersModel>, opts: { caption: string }): void {
  const rows = Object.entries(models).map(([name, model]) => {
    const s = modelStats(model);
    return {
      모델: name,
      '층 수': s.layers,
      '합성곱 층': s.convLayers,
      파라미터: s.params,
      '출력 모양': shapeText(s.outputShape),
    };
  });
  showTable(rows, opts);
}

/** Options of `showLayerGroups`. */
export interface LayerGroupOptions {
  caption: string;
  /** The group of a layer name (default: the part before the first '_'). */
  keyOf?: (name: string) => string;
  /** Also show residual blocks, strides and projection shortcuts (ResNet stages). */
  residual?: boolean;
}

/** Shows a model's layers grouped into blocks or stages: convolutions, filters, kernel, output, parameters. */
export function showLayerGroups(model: tf.LayersModel, opts: LayerGroupOptions): void {
  const rows = groupLayers(model, opts.keyOf ?? blockOf).map((g) => ({
    묶음: g.name,
    '층 수': g.layers,
    '합성곱 층': g.convLayers,
    ...(opts.residual
      ? {
          '잔차 블록': g.blocks || '',
          '첫 합성곱 stride': g.strides?.join('x') ?? '',
          '투영 shortcut': g.projection ? '있음 (1x1 합성곱)' : '',
        }
      : { 커널: g.kernel?.join('x') ?? '', 필터: g.filters ?? '' }),
    '출력 모양': shapeText(g.outputShape),
    파라미터: g.params,
  }));
  showTable(rows, { caption: opts.caption });
}

/** Shows a model's layers one by one (Keras's `summary()` in Korean), with the layers each takes its input from. */
export function showLayers(model: tf.LayersModel, opts: { caption: string; only?: (name: string) => boolean }): void {
  const rows = layerRows(model)
    .filter((r) => opts.only?.(r.name) ?? true)
    .map((r) => ({
      층: r.name,
      종류: r.type,
      '출력 모양': shapeText(r.outputShape),
      파라미터: r.params,
      '입력 받는 층': r.inputs.join(', '),
    }));
  showTable(rows, { caption: opts.caption });
}

/** What a layer's `apply` returns: one tensor, or several. */
type Applied = tf.Tensor | tf.SymbolicTensor | (tf.Tensor | tf.SymbolicTensor)[];

/**
 * Shows small tensors by name: shape (with the batch dimension) and values, read asynchronously (a GPU backend has no
 * synchronous read in Node). Symbolic tensors show their shape.
 */
export async function showTensors(tensors: Record<string, Applied>, opts: { caption: string }): Promise<void> {
  const rows = [];
  for (const [name, t] of Object.entries(tensors)) {
    const one = Array.isArray(t) ? t[0] : t;
    const values = one instanceof tf.Tensor ? JSON.stringify(await one.array()) : '(기호 텐서: 값 없음)';
    rows.push({ 텐서: name, 모양: `[${one.shape.map((d) => d ?? '?').join(', ')}]`, 값: values.replace(/,/g, ', ') });
  }
  showTable(rows, opts);
}

/** Shows the keras.applications this project builds: family, default input size, preprocessing, weight file. */
export function showApplications(): void {
  const rows = Object.values(APPLICATIONS).map((app) => ({
    모델: app.name,
    계열: app.family,
    '기본 입력 크기': `${app.defaultSize}x${app.defaultSize}`,
    전처리: app.preprocess,
    'Keras 가중치 파일 (분류기 포함)': app.weightsFile().fileName,
  }));
  showTable(rows, { caption: 'lib/models가 만드는 모델 (keras.applications와 같은 이름, 같은 가중치 파일)' });
}

/** Shows what weight loading did for each model (`lastLoadReport`): the file and how much of it was set. */
export function showLoadReports(models: Record<string, tf.LayersModel>, opts: { caption: string }): void {
  const rows = Object.entries(models).map(([name, model]) => {
    const r = lastLoadReport(model);
    return {
      모델: name,
      '가중치 파일': r ? path.basename(r.file) : '(불러오지 않음: 무작위 초기화)',
      '가중치를 받은 층': r?.loadedLayers.length ?? 0,
      '가중치 배열': r?.weightsLoaded ?? 0,
      '값 (파라미터)': r?.paramsLoaded ?? 0,
      '건너뛴 층': r?.skipped.length ?? 0,
    };
  });
  showTable(rows, opts);
}
