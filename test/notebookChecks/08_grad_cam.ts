/** Output checks of notebooks/08_grad_cam.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { imagenetClasses } from '../../lib/models/imagenet';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

/** A side-by-side grid (lib/ui/sideBySide.ts): its caption, column titles, and per row the cells' images and captions. */
export interface Grid {
  caption: string;
  titles: string[];
  rows: { image: string; caption: string }[][];
}

/** The side-by-side grids of a notebook, in order. */
export function grids(nb: ExecutedNotebook): Grid[] {
  const strip = (s: string) =>
    s
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&')
      .trim();
  return nb
    .htmls()
    .flatMap((h) => [...h.matchAll(/<table class="tlts-side-by-side">([\s\S]*?)<\/table>/g)])
    .map((m) => ({
      caption: strip(/<caption[^>]*>([\s\S]*?)<\/caption>/.exec(m[1])?.[1] ?? ''),
      titles: [...m[1].matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((t) => strip(t[1])),
      rows: [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(m[1])?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
        [...r[1].matchAll(/<td[^>]*><img src="([^"]+)"[^>]*\/>(?:<div[^>]*>([\s\S]*?)<\/div>)?<\/td>/g)].map((c) => ({
          image: c[1],
          caption: strip(c[2] ?? ''),
        })),
      ),
    }));
}

export default (nb: ExecutedNotebook): void => {
  const text = nb.text();
  // What is explained: MobileNet α=0.25's last feature map, 7x7 at 224 (ImageNet top) and 6x6 at 192 (07's model).
  const layers = nb.table('Grad-CAM이 설명하는 층');
  assert.deepEqual(
    layers.map((r) => [r['입력'], r['설명하는 층'], r['지도 크기 (높이 × 너비, 채널)']]),
    [
      ['224 × 224', 'conv_pw_13_relu', '7 × 7, 256'],
      ['192 × 192', 'conv_pw_13_relu', '6 × 6, 256'],
    ],
  );
  const [photos, heads, mistakes] = grids(nb);
  assert.ok(photos, 'the Grad-CAM grid of the test photos is shown');
  assert.deepEqual(photos.titles, ['사진', 'ImageNet 모델 (MobileNet)', '미세 조정한 고양이/개 모델 (07)']);
  assert.equal(photos.rows.length, 4, 'two cats and two dogs');
  const imagenetNames = new Set(imagenetClasses().map(([, name]) => name));
  for (const [photo, imagenet, tuned] of photos.rows) {
    assert.match(photo.caption, /^(cat|dog)\.\d+\.jpg$/);
    // Overlays for both models, each captioned with the class the model chose: real ImageNet names, 고양이/개.
    for (const overlay of [imagenet, tuned]) assert.match(overlay.image, /^data:image\/png;base64,.{1000,}/);
    const m = /^(\S+) (\d+\.\d)%$/.exec(imagenet.caption);
    assert.ok(m && imagenetNames.has(m[1]), `an ImageNet class name: ${imagenet.caption}`);
    assert.match(tuned.caption, /^(고양이|개) \d+\.\d%$/);
  }
  assert.match(
    text + nb.htmls().join(''),
    /사진 한 장의 Grad-CAM 계산 시간\(초\): ImageNet 모델 \(MobileNet\) \d+\.\d\d/,
  );
  // The two heads on the same base: 07's Flatten head (9216 x 256 + 256, then 256 + 1) and the GAP head (256 + 1).
  const table = nb.table('같은 합성곱 기반 위의 두 분류기');
  assert.deepEqual(
    table.map((r) => num(r['분류기 파라미터'])),
    [9216 * 256 + 256 + 257, 257],
  );
  assert.equal(table[0]['합성곱 기반 파라미터'], table[1]['합성곱 기반 파라미터'], 'the same base under both heads');
  for (const r of table) assert.ok(num(r['테스트 정확도']) >= 0 && num(r['테스트 정확도']) <= 1);
  // The same four photos explained by both heads; the Flatten column is the grid above's (same model, same photos).
  assert.ok(heads, 'the grid of the two heads is shown');
  assert.deepEqual(heads.titles, ['사진', '미세 조정한 고양이/개 모델 (07)', 'GAP 분류기 모델 (00의 CAM 구조)']);
  assert.deepEqual(
    heads.rows.map(([photo, flatten]) => [photo.caption, flatten.caption]),
    photos.rows.map(([photo, , tuned]) => [photo.caption, tuned.caption]),
  );
  for (const [, , gap] of heads.rows) {
    assert.match(gap.image, /^data:image\/png;base64,.{1000,}/);
    assert.match(gap.caption, /^(고양이|개) \d+\.\d%$/);
  }
  // The most confident mistakes: how many, then each photo beside both models' Grad-CAM.
  const wrong = /테스트 사진 100장 중 (\d+)장을 틀렸습니다 \(정확도 ([\d.]+)\)\. 가장 확신하며 틀린 (\d+)장:/.exec(
    text,
  );
  assert.ok(wrong, 'the mistakes section says how many test photos are wrong');
  assert.equal(num(wrong[3]), Math.min(4, num(wrong[1])));
  if (num(wrong[1]) === 0) return;
  assert.ok(mistakes && mistakes.caption === '가장 확신하며 틀린 사진', 'the mistakes are shown with their Grad-CAM');
  assert.equal(mistakes.rows.length, num(wrong[3]));
  for (const [photo, , tuned] of mistakes.rows) {
    const m = /^실제 (고양이|개), 예측 (고양이|개) \((\d+\.\d)%\)$/.exec(photo.caption);
    assert.ok(m && m[1] !== m[2], `a mistake: ${photo.caption}`);
    const explained = /^(고양이|개) (\d+\.\d)%$/.exec(tuned.caption);
    assert.ok(explained && explained[1] === m[2], `Grad-CAM explains the predicted class: ${tuned.caption}`);
    assert.ok(Math.abs(num(explained[2]) - num(m[3])) <= 0.15, 'with the probability the evaluation gave');
  }
};
