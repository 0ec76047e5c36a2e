/**
 * The lesson's static diagrams and the figures' data behind them: VGG16's architecture from a built model, the
 * plain and residual block from ResNet50's own block, the fine-tuning quadrant, the degradation experiment's nets
 * and curves, and the heads compared in 08 (parameters of base and head).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { layerRows } from '../lib/models/anatomy';
import { buildVgg } from '../lib/models/vgg';
import { degradationCurves, degradationSentences } from '../lib/lesson/degradationView';
import { degradationNet, spiralData, trainDegradationNet } from '../lib/lesson/degradation';
import { baseAndHeadParams } from '../lib/lesson/gapHeadModel';
import { residualBlock } from '../lib/lesson/residualDemo';
import { recommendedStrategy } from '../lib/training/finetune';
import { buildTransferModel } from '../lib/training/transferModel';
import { diagramBundle } from '../lib/ui/diagram';
import { blockParts, residualBlockSvg } from '../lib/ui/residualDiagram';
import { quadrantCells, strategyQuadrantSvg } from '../lib/ui/strategyQuadrant';
import { strategyLabel } from '../lib/ui/trainableView';
import { vggColumns, vggDiagramSvg } from '../lib/ui/vggDiagram';
import { boxTexts } from './helpers/diagramBoxes';
import { inFakeNotebook } from './helpers/fakeNotebook';

before(async () => {
  await tf.setBackend('cpu');
});

describe('VGG16 diagram', () => {
  test('one column per block and the classifier, 13 convolutions with the built model’s shapes and parameters', () => {
    const vgg = buildVgg(16, { includeTop: true, weights: null, inputShape: [64, 64, 3], classes: 10 });
    const columns = vggColumns(vgg);
    assert.deepEqual(
      columns.map((c) => c.name),
      ['block1', 'block2', 'block3', 'block4', 'block5', '분류기'],
    );
    assert.equal(
      columns.reduce((s, c) => s + c.params, 0),
      vgg.countParams(),
    );
    const svg = vggDiagramSvg(vgg, 'VGG16');
    const convs = boxTexts(svg, 'conv');
    const rows = layerRows(vgg).filter((r) => r.type === 'Conv2D');
    assert.equal(convs.length, 13);
    assert.deepEqual(
      convs.map((lines) => lines[1]),
      rows.map((r) => r.outputShape.join('×')),
    );
    assert.deepEqual(
      convs.map((lines) => lines[0]),
      rows.map((r) => `Conv2D 3×3, ${r.outputShape[2]}`),
    );
    assert.deepEqual(
      boxTexts(svg, 'pool').map((l) => l[1]),
      ['32×32×64', '16×16×128', '8×8×256', '4×4×512', '2×2×512'],
    );
    assert.deepEqual(
      boxTexts(svg, 'dense').map((l) => l[0]),
      ['Dense 4,096', 'Dense 4,096', 'Dense 10'],
    );
    assert.ok(svg.includes(`파라미터 ${columns[5].params.toLocaleString('en-US')}`), 'the classifier’s parameters');
  });
});

describe('plain and residual block', () => {
  test('the identity block: three units of the main path, the add takes the block’s input', () => {
    const block = residualBlock([8, 8, 32], 8, { name: 'identity' });
    const parts = blockParts(block);
    assert.deepEqual(parts.units, [
      ['Conv2D 1×1, 8', 'BN → ReLU'],
      ['Conv2D 3×3, 8', 'BN → ReLU'],
      ['Conv2D 1×1, 32', 'BN'],
    ]);
    assert.deepEqual(parts.addInputs, ['identity_input', 'identity_3_bn']);
    assert.equal(parts.projection, false);
    const svg = residualBlockSvg(block, 'blocks');
    const plain = /<g class="panel plain">([\s\S]*?)<g class="panel residual">/.exec(svg)?.[1] ?? '';
    const residual = svg.slice(svg.indexOf('<g class="panel residual">'));
    assert.equal(boxTexts(plain, 'unit').length, 3);
    assert.equal(boxTexts(residual, 'unit').length, 3);
    assert.ok(!plain.includes('class="shortcut"') && !plain.includes('class="add"'), 'the plain block has no shortcut');
    assert.ok(residual.includes('class="shortcut"') && residual.includes('class="add"'), 'the residual one has');
    assert.deepEqual(boxTexts(residual, 'output')[0], ['출력 H(x) = F(x) + x', '8×8×32']);
  });

  test('a projection block: stride 2 on its first unit, the shortcut through a 1x1 convolution', () => {
    const parts = blockParts(residualBlock([8, 8, 32], 16, { stride: 2, projection: true, name: 'p' }));
    assert.equal(parts.projection, true);
    assert.deepEqual(parts.units[0], ['Conv2D 1×1, 16, stride 2', 'BN → ReLU']);
    assert.deepEqual(parts.outputShape, [4, 4, 64]);
    assert.deepEqual(parts.addInputs, ['p_0_bn', 'p_3_bn']);
  });
});

describe('fine-tuning quadrant', () => {
  test('the lesson’s rule: much data and little similarity -> all, little and much -> classifier, else top', () => {
    assert.equal(recommendedStrategy('large', 'low'), 'all');
    assert.equal(recommendedStrategy('large', 'high'), 'top');
    assert.equal(recommendedStrategy('small', 'low'), 'top');
    assert.equal(recommendedStrategy('small', 'high'), 'classifier');
  });

  test('four labelled cells, each with its strategy, and the mark in its cell', () => {
    const cells = quadrantCells();
    assert.equal(cells.length, 4);
    const svg = strategyQuadrantSvg('q', { size: 'small', similarity: 'high', text: '여기' });
    const drawn = boxTexts(svg, 'cell (?:all|top|classifier)');
    assert.equal(drawn.length, 4);
    for (const c of cells) {
      const inCell = boxTexts(svg, `cell ${c.strategy}`);
      assert.ok(
        inCell.some((lines) => lines[0] === strategyLabel(c.strategy).replace(/&/g, '&amp;')),
        `a cell says ${c.strategy}`,
      );
    }
    for (const axis of ['학습 데이터의 양', '적음', '많음', '높음', '낮음', '유사성'])
      assert.ok(svg.includes(axis), axis);
    assert.match(svg, /<g class="mark">.*여기/);
  });

  test('a diagram’s output: the same SVG as image/svg+xml and inside the HTML', async () => {
    const svg = strategyQuadrantSvg('q');
    const bundle = diagramBundle(svg, 'quadrant');
    assert.equal(bundle['image/svg+xml'], svg);
    const src = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(bundle['text/html'])?.[1] ?? '';
    assert.equal(Buffer.from(src, 'base64').toString('utf8'), svg);
    assert.match(bundle['text/html'], /width="\d+" height="\d+"/);
    const sent = await inFakeNotebook(async () => {
      const { showStrategyQuadrant } = await import('../lib/ui/strategyQuadrant');
      showStrategyQuadrant();
    });
    assert.equal(sent.length, 1);
    assert.match(sent[0].data?.['image/svg+xml'] ?? '', /^<svg [\s\S]*이 강의의 고양이·개[\s\S]*<\/svg>$/);
  });
});

describe('degradation experiment', () => {
  test('the spiral: classes x points, seeded, radii in [0, 1]', () => {
    const a = spiralData(50, 3, 0.2, 7);
    assert.equal(a.x.length, 150);
    assert.deepEqual([...new Set(a.y)], [0, 1, 2]);
    assert.deepEqual(spiralData(50, 3, 0.2, 7), a);
    assert.notDeepEqual(spiralData(50, 3, 0.2, 8).x, a.x);
    for (const [u, v] of a.x) assert.ok(Math.hypot(u, v) <= 1 + 1e-9);
  });

  test('nets of `depth` Dense layers; the residual one adds a shortcut around every pair of hidden layers', () => {
    for (const depth of [6, 20]) {
      const count = (m: tf.LayersModel, cls: string) => m.layers.filter((l) => l.getClassName() === cls).length;
      const plain = degradationNet(depth, false, 1);
      const residual = degradationNet(depth, true, 1);
      assert.equal(count(plain, 'Dense'), depth);
      assert.equal(count(residual, 'Dense'), depth);
      assert.equal(count(plain, 'Add'), 0);
      assert.equal(count(residual, 'Add'), (depth - 2) / 2);
      assert.equal(plain.countParams(), residual.countParams(), 'the shortcuts add no parameter');
      plain.dispose();
      residual.dispose();
    }
    assert.throws(() => degradationNet(7, true, 1), /even/);
  });

  test('a short run: an error per epoch in [0, 1], and no tensor left per epoch', async () => {
    const short = { pointsPerClass: 20, epochs: 3, width: 8 };
    await trainDegradationNet(6, false, 1, short); // the first fit leaves TF.js's cached constants behind
    const before = tf.memory().numTensors;
    const run = await trainDegradationNet(6, true, 1, short);
    assert.equal(run.trainError.length, 3);
    for (const e of run.trainError) assert.ok(e >= 0 && e <= 1);
    assert.equal(run.name, 'residual-6');
    // TF.js keeps one tensor per model compiled, fitted and disposed (measured: a bare model.fit does the same);
    // a tensor per epoch or per batch would show here as 3 or more.
    assert.ok(tf.memory().numTensors - before <= 1, `${tf.memory().numTensors - before} tensors left`);
  });

  test('curves: the mean over seeds of each net, in percent', () => {
    const run = (name: string, seed: number, trainError: number[]) => ({
      name,
      depth: Number(name.split('-')[1]),
      residual: name.startsWith('residual'),
      seed,
      trainError,
      seconds: 1,
    });
    const curves = degradationCurves([
      run('plain-20', 1, [0.5, 0.2]),
      run('plain-20', 2, [0.3, 0.1]),
      run('plain-56', 1, [0.6, 0.4]),
    ]);
    assert.deepEqual(
      curves.map((c) => [c.name, c.residual, c.depth, c.errorPercent.map((v) => Number(v.toFixed(6)))]),
      [
        ['plain-20', false, 20, [40, 15]],
        ['plain-56', false, 56, [60, 40]],
      ],
    );
    assert.deepEqual(degradationSentences(curves), [
      '일반 망: 56층의 학습 오차 50.0%는 20층의 27.5%보다 높습니다 (마지막 5 에포크의 평균).',
    ]);
    const better = degradationCurves([run('residual-20', 1, [0.3]), run('residual-56', 1, [0.1])]);
    assert.deepEqual(degradationSentences(better), [
      '잔차 망: 56층의 학습 오차 10.0%는 20층의 30.0%보다 낮습니다 (마지막 5 에포크의 평균).',
    ]);
  });
});

describe('heads compared in 08', () => {
  test('parameters of the nested base and of the head: GAP -> Dense(1) has channels + 1', () => {
    const input = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 4 }).apply(input) as tf.SymbolicTensor;
    const base = tf.model({ inputs: input, outputs: conv, name: 'tiny_base' });
    const gap = buildTransferModel(base, { head: 'gap', dense: [] });
    assert.deepEqual(baseAndHeadParams(gap), { base: base.countParams(), head: 13 });
    const flat = buildTransferModel(base, { head: 'flatten', dense: 4 });
    const [h, w] = (base.outputs[0].shape as number[]).slice(1, 3);
    assert.deepEqual(baseAndHeadParams(flat), { base: base.countParams(), head: (h * w * 12 + 1) * 4 + 5 });
  });
});
