/** Output checks of notebooks/01_data.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { downloadCommand, MINI_DATASET_DIR } from '../../lib/lesson/lessonDataset';
import { imageGrids } from '../helpers/notebookGrids';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

const IMAGE = /\.(jpe?g|png|bmp|gif)$/i;

export default (nb: ExecutedNotebook): void => {
  const html = nb.htmls().join('\n');
  assert.ok(html.includes('tlts-banner'), 'the first cell shows the lesson banner');
  // Offline: the mini set is said to be the data, with the command a learner with Drive access runs; no download.
  assert.ok(
    html.includes('mini 프로필') && html.includes(downloadCommand()),
    'the mini note shows the download command',
  );
  assert.doesNotMatch(nb.text(), /내려받는 중|풀었습니다/, 'nothing is downloaded or unzipped in the mini profile');
  const source = nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => [c.source].flat().join(''))
    .join('\n');
  assert.match(
    source,
    /gdown\(LESSON_DATASET\.url, \{ output: LESSON_DATASET\.zip \}\)/,
    'the cell calls gdown visibly',
  );
  assert.match(source, /unzip\(zip, LESSON_DATASET\.dir\)/, 'and then unzip');

  // Photos per split and class, as on disk.
  const rows = nb.table('폴더별 사진 수');
  // Korean names with the folder beside them: '학습 (train/)', '고양이 (cats/)'.
  assert.deepEqual(
    rows.map((r) => r['분할']),
    ['학습 (train/)', '검증 (validation/)', '테스트 (test/)'],
  );
  const classColumns = { cats: '고양이 (cats/)', dogs: '개 (dogs/)' };
  for (const r of rows) {
    const split = /\((\w+)\/\)/.exec(r['분할'])![1];
    for (const [cls, column] of Object.entries(classColumns)) {
      const onDisk = readdirSync(path.join(MINI_DATASET_DIR, split, cls)).filter(
        (f) => IMAGE.test(f) && !f.startsWith('.'),
      ).length;
      assert.equal(num(r[column]), onDisk, `${split}/${cls}: table says ${r[column]}, disk has ${onDisk}`);
    }
    assert.equal(num(r['합계']), num(r[classColumns.cats]) + num(r[classColumns.dogs]));
  }
  assert.deepEqual(
    rows.map((r) => num(r['합계'])),
    [200, 100, 100],
    'the mini set is split 100/50/50 per class',
  );

  // Sample photos: six of each class from train/, captioned with their folder and file name.
  const grids = imageGrids(nb);
  const photos = grids.find((g) => g.some((f) => f.caption.startsWith('cats/')));
  assert.ok(photos && photos.length === 12, 'twelve sample photos');
  for (const f of photos)
    assert.ok(existsSync(path.join(MINI_DATASET_DIR, 'train', f.caption)), `${f.caption} is a photo of train/`);

  // One batch: shapes, value range (pixels 0..255, not rescaled), binary labels, and its images with their labels.
  const batch = Object.fromEntries(nb.table('첫 번째 배치').map((r) => [r['텐서'], r]));
  assert.equal(batch['xs (이미지)']['모양'], '[20, 192, 192, 3]');
  assert.equal(batch['xs (이미지)']['자료형'], 'float32');
  assert.ok(
    num(batch['xs (이미지)']['최솟값']) >= 0 &&
      num(batch['xs (이미지)']['최댓값']) <= 255 &&
      num(batch['xs (이미지)']['최댓값']) > 1,
  );
  assert.equal(batch['ys (레이블)']['모양'], '[20, 1]');
  assert.deepEqual([num(batch['ys (레이블)']['최솟값']), num(batch['ys (레이블)']['최댓값'])], [0, 1]);
  const labelled = grids.find((g) => g.every((f) => /^레이블 [01] = (고양이|개)$/.test(f.caption)));
  assert.ok(labelled && labelled.length === 20, "the batch's twenty images with their labels");
  for (const f of labelled) assert.ok(f.caption === '레이블 0 = 고양이' || f.caption === '레이블 1 = 개');
};
