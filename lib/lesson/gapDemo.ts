/**
 * Notebook 00's demonstrations of GlobalAveragePooling versus Flatten: a small VGG-like feature extractor, the
 * parameters of classifier heads on it (counted by hand and by TF.js), and how the heads grow with the channels of
 * the feature map. Tables and figures in Korean.
 */
import * as tf from '@tensorflow/tfjs';
import { call } from '../layers/call';
import { headInputSize, headParamCount, type HeadKind } from '../models/heads';
import { showTable } from '../ui/display';
import { barChart, showFigure } from '../ui/plot';
import { shapeText } from '../ui/modelTables';

/** Options of `convStack`. */
export interface ConvStackOptions {
  /** Input shape (default [150, 150, 3], the lesson's images). */
  inputShape?: [number, number, number];
  name?: string;
}

/**
 * A VGG-like feature extractor: one 3x3 convolution (same padding, relu) per entry of `channels`, with 2x2 max
 * pooling between them (not after the last): [32, 64, 128, 256, 512] on 150x150 ends in a 9x9x512 feature map.
 */
export function convStack(channels: number[], opts: ConvStackOptions = {}): tf.LayersModel {
  const input = tf.input({ shape: opts.inputShape ?? [150, 150, 3] });
  let x = input;
  channels.forEach((filters, i) => {
    x = call(
      tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: `conv${i + 1}` }),
      x,
    );
    if (i < channels.length - 1) x = call(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }), x);
  });
  return tf.model({ inputs: input, outputs: x, name: opts.name ?? 'conv_stack' });
}

const HEAD_NAME: Record<HeadKind, string> = {
  flatten: 'Flatten',
  gap: 'GlobalAveragePooling2D',
  gmp: 'GlobalMaxPooling2D',
};

/** The feature map a base outputs, [h, w, c]. */
function featureShape(base: tf.LayersModel): [number, number, number] {
  const [, h, w, c] = base.outputs[0].shape;
  if (!h || !w || !c)
    throw new Error(
      `the base '${base.name}' must output a feature map [batch, h, w, c]; it outputs [${base.outputs[0].shape}].`,
    );
  return [h, w, c];
}

/**
 * Shows the classifier heads built on the same `base` (each model = base + head with Dense 256 and Dense 1): the
 * head's parameters counted by hand ((inputs + 1) x units per Dense layer) and by `countParams()`, in a table and
 * in a stacked bar chart (feature extractor + classifier).
 */
export function showHeadParams(base: tf.LayersModel, heads: Partial<Record<HeadKind, tf.LayersModel>>): void {
  const shape = featureShape(base);
  const baseParams = base.countParams();
  const kinds = (Object.keys(HEAD_NAME) as HeadKind[]).filter((k) => heads[k]);
  const rows = kinds.map((kind) => ({
    분류기: HEAD_NAME[kind],
    '특성 맵': shapeText(shape),
    'Dense 입력 수': headInputSize(shape, kind),
    '분류기 파라미터 (손 계산)': headParamCount(shape, kind),
    '분류기 파라미터 (countParams)': (heads[kind]?.countParams() ?? 0) - baseParams,
    '전체 파라미터': heads[kind]?.countParams() ?? 0,
  }));
  showTable(rows, { caption: 'Flatten vs GAP: 같은 특성 추출기 위의 분류기 파라미터' });
  const head = rows.map((r) => r['분류기 파라미터 (countParams)']);
  showFigure(
    barChart(
      rows.map((r) => r.분류기),
      [
        { name: '특성 추출기', values: rows.map(() => baseParams) },
        { name: '분류기', values: head },
      ],
      {
        title: '모델의 파라미터 수: 특성 추출기 + 분류기',
        xTitle: '분류기 종류',
        yTitle: '파라미터 수',
        text: true,
        stacked: true,
      },
    ),
  );
}

/** Head parameters (Dense 256 -> Dense 1) on a `size` x `size` feature map, for each channel count. */
export function channelSweep(channels: number[], size = 7): { channels: number; flatten: number; gap: number }[] {
  return channels.map((c) => ({
    channels: c,
    flatten: headParamCount([size, size, c], 'flatten'),
    gap: headParamCount([size, size, c], 'gap'),
  }));
}

/** Shows `channelSweep` as a table and as a bar chart per channel count (log scale, categorical axis). */
export function showChannelSweep(channels: number[], size = 7): void {
  const sweep = channelSweep(channels, size);
  showTable(
    sweep.map((r) => ({
      채널: r.channels,
      'Flatten 분류기 파라미터': r.flatten,
      'GAP 분류기 파라미터': r.gap,
      'Flatten / GAP': `${(r.flatten / r.gap).toFixed(1)}배`,
    })),
    { caption: `${size}x${size} 특성 맵의 채널 수별 분류기 파라미터 (Dense 256 → Dense 1)` },
  );
  showFigure(
    barChart(
      sweep.map((r) => String(r.channels)),
      [
        { name: 'Flatten', values: sweep.map((r) => r.flatten) },
        { name: 'GAP', values: sweep.map((r) => r.gap) },
      ],
      {
        title: `채널 수별 분류기 파라미터 (${size}x${size} 특성 맵)`,
        xTitle: '특성 맵의 채널 수',
        yTitle: '파라미터 수 (로그 눈금)',
        logY: true,
      },
    ),
  );
}
