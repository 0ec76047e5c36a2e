/** Output checks of notebooks/00_gap.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { imagenetClasses } from '../../lib/models/imagenet';
import { imageGrids } from '../helpers/notebookGrids';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

/** Parameters of 3x3 convolutions with these output channels on an RGB input, counted by hand. */
const convStackParams = (channels: number[]): number =>
  channels.reduce((s, c, i) => s + (9 * (i === 0 ? 3 : channels[i - 1]) + 1) * c, 0);

export default (nb: ExecutedNotebook): void => {
  assert.ok(
    nb.htmls().some((h) => h.includes('tlts-banner')),
    'the first cell shows the lesson banner',
  );

  // The worked example: GAP is the mean of each channel, Flatten keeps all 12 values.
  const example = Object.fromEntries(nb.table('작은 예제').map((r) => [r['텐서'], r]));
  const fmap: number[][][][] = JSON.parse(example['특성 맵']['값']);
  const means = [0, 1, 2].map((k) => fmap[0].flat().reduce((s, px) => s + px[k], 0) / 4);
  assert.deepEqual(JSON.parse(example.GAP['값']), [means]);
  assert.deepEqual(means, [2.5, 25, 250]);
  assert.equal(example.GAP['모양'], '[1, 3]');
  assert.deepEqual(JSON.parse(example.Flatten['값']), [fmap.flat(3)]);

  // Heads on the same 9x9x512 base: by hand = countParams = an independent TF.js count of the head alone.
  const heads = nb.table('Flatten vs GAP');
  assert.deepEqual(
    heads.map((r) => r['분류기']),
    ['Flatten', 'GlobalAveragePooling2D'],
  );
  for (const r of heads) {
    assert.equal(r['특성 맵'], '9x9x512');
    const head = tf.sequential({
      layers: [
        r['분류기'] === 'Flatten'
          ? tf.layers.flatten({ inputShape: [9, 9, 512] })
          : tf.layers.globalAveragePooling2d({ inputShape: [9, 9, 512] }),
        tf.layers.dense({ units: 256 }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    assert.equal(num(r['분류기 파라미터 (countParams)']), head.countParams(), `${r['분류기']} head`);
    assert.equal(num(r['분류기 파라미터 (손 계산)']), head.countParams(), `${r['분류기']} head by hand`);
    assert.equal(num(r['전체 파라미터']), head.countParams() + convStackParams([32, 64, 128, 256, 512]));
    head.dispose();
  }
  assert.equal(num(heads[0]['분류기 파라미터 (손 계산)']), 10_617_345, "the markdown's Flatten count");
  assert.equal(num(heads[1]['분류기 파라미터 (손 계산)']), 131_585, "the markdown's GAP count");

  const sweep = nb.table('채널 수별');
  assert.equal(sweep.length, 8);
  for (const r of sweep) {
    const c = num(r['채널']);
    assert.equal(num(r['Flatten 분류기 파라미터']), (7 * 7 * c + 1) * 256 + 257);
    assert.equal(num(r['GAP 분류기 파라미터']), (c + 1) * 256 + 257);
  }

  const [deep, wide] = nb.table('깊게 vs 넓게');
  assert.equal(num(deep['파라미터']), convStackParams([32, 32, 64, 64, 128, 128]));
  assert.equal(num(wide['파라미터']), convStackParams([128, 256, 512]));
  assert.deepEqual([deep['출력 모양'], wide['출력 모양']], ['4x4x128', '37x37x512']);
  assert.equal(nb.figureCount(), 2, 'the head parameters and the channel sweep are drawn, once each');

  // CAM of MobileNet α=0.25's ImageNet top on six photos: real class names, 7x7 maps, logit = mean + bias.
  const names = new Set(imagenetClasses().map(([, name]) => name));
  const cams = nb.table('CAM (층 conv_pw_13_relu)');
  assert.equal(cams.length, 6);
  for (const r of cams) {
    assert.ok(names.has(r['클래스']), `${r['클래스']} is an ImageNet class of Keras's index`);
    assert.equal(r['지도 크기'], '7x7', 'a 224x224 input gives a 7x7 map');
    const [sum, logit] = [num(r['평균 + 편향']), num(r['점수 (logit)'])];
    assert.ok(Math.abs(sum - logit) <= 1e-3 * Math.max(1, Math.abs(logit)), `mean + bias ${sum} = logit ${logit}`);
    assert.ok(num(r['확률']) > 0 && num(r['확률']) <= 1);
  }
  const grid = imageGrids(nb).find((g) => g.length === 12 && g.some((f) => f.caption === cams[0]['사진']));
  assert.ok(grid, 'a grid of 6 photos beside their 6 overlays');
  for (let i = 0; i < 6; i++) {
    assert.equal(grid[2 * i].caption, cams[i]['사진']);
    assert.match(
      grid[2 * i + 1].caption,
      new RegExp(`^1위 ${cams[i]['클래스'].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\d+\\.\\d%$`),
    );
    assert.ok(
      grid[2 * i + 1].png.length > 1000 && !grid[2 * i + 1].png.equals(grid[2 * i].png),
      'the overlay is an image of its own',
    );
  }
};
