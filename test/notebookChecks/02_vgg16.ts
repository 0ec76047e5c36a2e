/** Output checks of notebooks/02_vgg16.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { imagenetClasses } from '../../lib/models/imagenet';
import { MINI_DATASET_DIR } from '../../lib/lesson/lessonDataset';
import { markdownText } from '../helpers/notebookGrids';
import { boxTexts } from '../helpers/diagramBoxes';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void => {
  const share = nb.table('VGG16 파라미터 비중');
  assert.equal(num(share[2]['파라미터']), 138_357_544, "VGG16 with top has Keras's parameter count");
  assert.equal(num(share[0]['파라미터']), 14_714_688, 'the 13 conv layers');
  assert.equal(num(share[0]['파라미터']) + num(share[1]['파라미터']), num(share[2]['파라미터']));
  const blocks = nb.table('VGG16 블록별');
  // The architecture diagram, drawn from the same model: 13 convolutions, each block ending in the table's shape.
  const [diagram] = nb.diagramSvgs();
  assert.ok(diagram, 'the VGG16 diagram is shown');
  assert.equal(boxTexts(diagram, 'conv').length, 13);
  assert.deepEqual(
    boxTexts(diagram, 'pool').map((lines) => lines[1].replace(/×/g, 'x')),
    blocks.filter((r) => r['묶음'].startsWith('block')).map((r) => r['출력 모양']),
  );
  assert.ok(
    diagram.includes(`파라미터 ${share[1]['파라미터']}`),
    "the classifier column has the dense layers' parameters",
  );
  const convBlocks = blocks.filter((r) => r['묶음'].startsWith('block'));
  assert.deepEqual(
    convBlocks.map((r) => num(r['합성곱 층'])),
    [2, 2, 3, 3, 3],
  );
  assert.deepEqual(
    convBlocks.map((r) => num(r['필터'])),
    [64, 128, 256, 512, 512],
  );
  assert.deepEqual(
    convBlocks.map((r) => r['출력 모양']),
    ['112x112x64', '56x56x128', '28x28x256', '14x14x512', '7x7x512'],
  );
  assert.equal(
    convBlocks.reduce((s, r) => s + num(r['파라미터']), 0),
    14_714_688,
  );
  assert.equal(
    num(blocks.find((r) => r['묶음'] === 'fc1')?.['파라미터']),
    (7 * 7 * 512 + 1) * 4096,
    'fc1 as the markdown counts it',
  );
  const md = markdownText(nb);
  for (const n of ['138,357,544', '14,714,688', '102,764,544']) assert.ok(md.includes(n), `the markdown says ${n}`);
  for (const r of nb.table('5x5 합성곱 1개 vs 3x3 합성곱 2개')) {
    const c = num(r['채널']);
    assert.equal(num(r['5x5 1개 (countParams)']), 25 * c * c + c);
    assert.equal(num(r['3x3 2개 (countParams)']), 2 * (9 * c * c + c));
  }
  assert.equal(nb.figureCount(), 1, 'the parameter chart');

  // Real ImageNet predictions of MobileNet α=0.25's shipped top: Keras's class names, sorted scores summing to <= 1.
  assert.match(nb.text(), /모델: MobileNet, 입력 224x224x3/);
  const wnid = new Map(imagenetClasses().map(([id, name]) => [name, id]));
  const cards = nb.tables().filter((t) => t.caption.includes('상위 5개 클래스'));
  assert.equal(cards.length, 8, 'four photos of each class');
  let [matches, inTop, ownTotal] = [0, 0, 0];
  for (const { caption, rows } of cards) {
    const file = caption.split(':')[0];
    assert.ok(existsSync(path.join(MINI_DATASET_DIR, 'test', file)), `${file} is a test photo of the mini set`);
    assert.deepEqual(
      rows.map((r) => num(r['순위'])),
      [1, 2, 3, 4, 5],
    );
    const scores = rows.map((r) => num(r['확률']));
    for (const r of rows)
      assert.equal(
        wnid.get(r['클래스 (ImageNet)']),
        r.WordNet,
        `${r['클래스 (ImageNet)']} is Keras's class ${r.WordNet}`,
      );
    assert.ok(
      scores.every((s, i) => s > 0 && (i === 0 || s <= scores[i - 1])),
      `scores are sorted: ${scores}`,
    );
    assert.ok(scores.reduce((a, b) => a + b, 0) <= 1 + 1e-3, 'the top five sum to at most 1');
    const own = file.startsWith('cats/') ? '고양이' : '개 품종';
    if (rows[0]['종류'] === own) matches++;
    const ownInTop = rows.filter((r) => r['종류'] === own).length;
    if (ownInTop > 0) inTop++;
    ownTotal += ownInTop;
  }
  // Issue 19 item 2: the sentence about the top five is counted from the same tables.
  const finding = nb.markdown('이번 실행의 값');
  assert.match(finding, new RegExp(`1위 클래스가 사진 속 동물인 사진은 ${matches}장`));
  assert.match(finding, new RegExp(`상위 5개 안에 사진 속 동물의 클래스가 하나라도 있는 사진은 ${inTop}장`));
  assert.match(finding, new RegExp(`사진마다 평균 ${(ownTotal / 8).toFixed(1).replace('.', '\\.')}개`));
  assert.match(
    nb.text(),
    new RegExp(`1위 클래스가 사진 속 동물과 맞는 사진 \\(.*\\): ${matches} / 8`),
    'the summary counts what the tables show',
  );
  assert.ok(matches >= 3, `a real ImageNet model recognises some of the animals (${matches} / 8)`);
};
