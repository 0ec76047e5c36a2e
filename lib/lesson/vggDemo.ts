/**
 * Notebook 02's demonstrations on VGG16: where its parameters are (13 convolutions versus 3 dense layers), and
 * why two stacked 3x3 convolutions instead of one 5x5 (same 5x5 view, fewer parameters), counted by hand and by
 * TF.js. Tables and figures in Korean.
 */
import * as tf from '@tensorflow/tfjs';
import { call } from '../layers/call';
import { groupLayers } from '../models/anatomy';
import { showTable } from '../ui/display';
import { barChart, showFigure } from '../ui/plot';

const sumParams = (layers: tf.layers.Layer[]): number => layers.reduce((s, l) => s + l.countParams(), 0);

/** Shows the parameters of VGG16's convolutions and dense layers (table), and per block and layer (bar chart). */
export function showVggParamShare(vgg: tf.LayersModel): void {
  const total = vgg.countParams();
  const convs = vgg.layers.filter((l) => l.getClassName() === 'Conv2D');
  const dense = vgg.layers.filter((l) => l.getClassName() === 'Dense');
  const share = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
  showTable(
    [
      { 부분: `합성곱 층 ${convs.length}개`, 파라미터: sumParams(convs), 비율: share(sumParams(convs)) },
      { 부분: `완전연결 층 ${dense.length}개`, 파라미터: sumParams(dense), 비율: share(sumParams(dense)) },
      { 부분: '전체', 파라미터: total, 비율: '100%' },
    ],
    { caption: 'VGG16 파라미터 비중' },
  );
  const groups = groupLayers(vgg).filter((g) => g.params > 0);
  showFigure(
    barChart(
      groups.map((g) => g.name),
      [{ name: '파라미터', values: groups.map((g) => g.params) }],
      {
        title: 'VGG16: 블록·층별 파라미터 수',
        xTitle: '블록 / 완전연결 층',
        yTitle: '파라미터 수',
        text: true,
      },
    ),
  );
}

/** Parameters of one 5x5 convolution and of two stacked 3x3 ones, C channels in and out: by hand and by TF.js. */
export function kernelComparison(
  channels: number[],
): { channels: number; one5: number; one5Counted: number; two3: number; two3Counted: number }[] {
  return channels.map((c) => {
    // Only counted, never run: zeros are the quickest weights to make.
    const conv = (k: number) =>
      tf.layers.conv2d({ filters: c, kernelSize: k, padding: 'same', kernelInitializer: 'zeros' });
    const input = tf.input({ shape: [28, 28, c] });
    const one5 = tf.model({ inputs: input, outputs: call(conv(5), input) });
    const two3 = tf.model({ inputs: input, outputs: call(conv(3), call(conv(3), input)) });
    const row = {
      channels: c,
      one5: 5 * 5 * c * c + c,
      one5Counted: one5.countParams(),
      two3: 2 * (3 * 3 * c * c + c),
      two3Counted: two3.countParams(),
    };
    one5.dispose();
    two3.dispose();
    return row;
  });
}

/** Shows `kernelComparison` as a table (with the ratio of the two). */
export function showKernelComparison(channels: number[]): void {
  showTable(
    kernelComparison(channels).map((r) => ({
      채널: r.channels,
      '5x5 1개 (손 계산)': r.one5,
      '5x5 1개 (countParams)': r.one5Counted,
      '3x3 2개 (손 계산)': r.two3,
      '3x3 2개 (countParams)': r.two3Counted,
      '3x3 2개 / 5x5 1개': Number((r.two3 / r.one5).toFixed(3)),
    })),
    { caption: '같은 5x5 영역을 보는 두 방법: 5x5 합성곱 1개 vs 3x3 합성곱 2개 (입력·출력 채널 C)' },
  );
}
