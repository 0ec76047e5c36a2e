/** Output checks of notebooks/04_pretrained_models.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { imagenetClasses } from '../../lib/models/imagenet';
import { markdownText } from '../helpers/notebookGrids';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void => {
  const rows = nb.table('출력 모양과 파라미터');
  const row = (model: string, options: string) => {
    const r = rows.find((x) => x['모델'] === model && x['옵션'] === options);
    assert.ok(r, `a row for ${model} ${options}`);
    return r;
  };
  assert.equal(num(row('VGG16', 'includeTop: true')['파라미터']), 138_357_544);
  const vggNoTop = row('VGG16', 'includeTop: false, inputShape: [150, 150, 3]');
  assert.equal(vggNoTop['출력 모양'], '[None, 4, 4, 512]');
  assert.equal(num(vggNoTop['파라미터']), 14_714_688);
  assert.equal(
    row('VGG16', "includeTop: false, inputShape: [150, 150, 3], pooling: 'avg'")['출력 모양'],
    '[None, 512]',
  );
  assert.equal(
    row('ResNet50', "includeTop: false, inputShape: [150, 150, 3], pooling: 'avg'")['출력 모양'],
    '[None, 2048]',
  );
  assert.equal(row('ResNet50', "includeTop: false, pooling: 'max'")['출력 모양'], '[None, 2048]');
  assert.equal(num(row('MobileNet', 'includeTop: true')['파라미터']), 4_253_864);
  for (const model of ['VGG16', 'ResNet50', 'MobileNet']) {
    const noTop = rows.filter((r) => r['모델'] === model && r['옵션'].startsWith('includeTop: false'));
    assert.equal(
      new Set(noTop.map((r) => r['파라미터'])).size,
      1,
      `${model}: inputShape and pooling add no parameters`,
    );
  }
  const md = markdownText(nb);
  assert.ok(md.includes('138,357,544') && md.includes('14,714,688'), "the markdown's VGG16 counts are in the table");

  const errors = nb.table('잘못된 인자');
  assert.equal(errors.length, 7);
  for (const r of errors) {
    assert.notEqual(r['오류 메시지'], '(오류 없음)', `${r['호출']} must be refused`);
    assert.match(r['오류 메시지'], /^vgg16: .*[가-힣]/, `${r['호출']}: the builder's message, in Korean in a notebook`);
  }

  // The real top (mini: the shipped MobileNet α=0.25 files), loaded completely.
  const sizes = Object.fromEntries(nb.table('분류기를 뺀 모델과 포함한 모델').map((r) => [r['모델'], r]));
  const loads = Object.fromEntries(nb.table('가중치 불러오기').map((r) => [r['모델'], r]));
  assert.equal(loads['includeTop: false']['가중치 파일'], 'mobilenet_2_5_224_tf_no_top.h5');
  assert.equal(loads['includeTop: true']['가중치 파일'], 'mobilenet_2_5_224_tf.h5');
  for (const key of ['includeTop: false', 'includeTop: true']) {
    assert.equal(num(loads[key]['건너뛴 층']), 0);
    assert.equal(
      num(loads[key]['값 (파라미터)']),
      num(sizes[key]['파라미터']),
      `${key}: every parameter came from the file`,
    );
  }
  assert.deepEqual(
    [num(loads['includeTop: false']['가중치를 받은 층']), num(loads['includeTop: false']['가중치 배열'])],
    [54, 135],
  );
  assert.equal(sizes['includeTop: true']['출력 모양'], '1000');
  const top = nb.table('분류기(top)의 층');
  assert.deepEqual(
    top.map((r) => r['종류']),
    ['GlobalAveragePooling2D', 'Reshape', 'Dropout', 'Conv2D', 'Reshape', 'Activation'],
  );
  assert.equal(
    num(top.find((r) => r['층'] === 'conv_preds')?.['파라미터']),
    256 * 1000 + 1000,
    'a 1x1 conv from 256 channels to 1000 classes',
  );
  assert.equal(
    num(sizes['includeTop: true']['파라미터']) - num(sizes['includeTop: false']['파라미터']),
    257_000,
    'the top is all the difference',
  );

  const names = new Set(imagenetClasses().map(([, name]) => name));
  const cards = nb.tables().filter((t) => t.caption.includes('상위 3개 클래스'));
  assert.equal(cards.length, 2);
  for (const { rows: preds } of cards) {
    assert.equal(preds.length, 3);
    for (const r of preds)
      assert.ok(names.has(r['클래스 (ImageNet)']), `${r['클래스 (ImageNet)']} is an ImageNet class`);
  }
};
