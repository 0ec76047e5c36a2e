/**
 * The static SVG of every figure kind the lesson draws (lib/ui/figureSvg.ts): well-formed XML, its Korean title and
 * axis titles as text, one line / bar / cell per value, a Korean font in the font list; and the output bundle of a
 * figure shown in a notebook: HTML (with the image inside) and image/svg+xml.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrixFigure, learningCurveFigures, learningCurvesBundle } from '../lib/ui/figures';
import { figureSvg, colorAt } from '../lib/ui/figureSvg';
import { formatTick, logTicks, linearTicks } from '../lib/ui/svgAxes';
import { barChart, lineChart, PALE_TO_DARK_BLUES, showFigure } from '../lib/ui/plot';
import { inFakeNotebook } from './helpers/fakeNotebook';

/** Asserts that `xml` is well-formed: one root, tags nested and closed, attributes quoted, `&` only in entities. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  for (const part of xml.split(/(<[^>]*>)/)) {
    if (!part.startsWith('<')) {
      assert.doesNotMatch(part, /[<>]|&(?!(amp|lt|gt|quot|#\d+);)/, `text "${part}"`);
      assert.ok(stack.length > 0 || part.trim() === '', 'no text outside the root');
      continue;
    }
    const close = /^<\/([\w:-]+)>$/.exec(part);
    if (close) {
      assert.equal(stack.pop(), close[1], `</${close[1]}> closes the open tag`);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|#\d+);[^"<&]*)*")*)\s*(\/?)>$/.exec(part);
    assert.ok(open, `a well-formed tag: ${part.slice(0, 120)}`);
    if (stack.length === 0) roots++;
    if (!open[3]) stack.push(open[1]);
  }
  assert.deepEqual(stack, [], 'every tag closed');
  assert.equal(roots, 1, 'one root element');
}

/** Checks `svg` is well-formed and returns every text it shows, and the count of elements of each class. */
function parse(svg: string): { texts: string[]; count: (cls: string) => number } {
  assertWellFormed(svg);
  const texts = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
  return { texts, count: (cls) => svg.split(`class="${cls}"`).length - 1 };
}

test('a line chart: Korean title and axis titles, one line per series, markers, legend, the boundary note', () => {
  const history = {
    accuracy: [0.6, 0.7, 0.8],
    val_accuracy: [0.5, 0.65, 0.7],
    loss: [1, 0.6, 0.4],
    val_loss: [1.1, 0.7, 0.5],
  };
  const f = learningCurveFigures(history, { title: '특성 추출', boundary: { after: 2, label: '미세 조정 시작' } });
  const svg = figureSvg(f.accuracy);
  const { texts, count } = parse(svg);
  for (const t of ['특성 추출: 학습·검증 정확도', '에포크', '정확도', '학습', '검증', '미세 조정 시작'])
    assert.ok(texts.includes(t), t);
  assert.equal(count('series'), 2, 'two lines');
  assert.equal(svg.match(/<circle /g)?.length, 6, 'a marker per epoch and series');
  assert.ok(
    ['1', '2', '3'].every((e) => texts.includes(e)),
    'whole-number epoch ticks',
  );
  assert.ok(!texts.includes('1.5'));
  assert.match(svg, /stroke-dasharray="6,4"/, 'validation dashed, as in the plotly figure');
  assert.match(svg, /font-family="'NanumGothic', 'Noto Sans CJK KR'[^"]*sans-serif"/, 'Korean fonts first');
});

test('a bar chart: one bar per label and group (grouped, stacked, log axis), values on the bars', () => {
  const labels = ['16', '32', '64', '128'];
  const groups = [
    { name: 'Flatten', values: [200_000, 400_000, 800_000, 1_600_000] },
    { name: 'GAP', values: [4_609, 8_705, 16_897, 33_281] },
  ];
  const log = parse(
    figureSvg(
      barChart(labels, groups, {
        title: '채널 수별 분류기 파라미터',
        xTitle: '채널 수',
        yTitle: '파라미터 수 (로그 눈금)',
        logY: true,
      }),
    ),
  );
  assert.equal(log.count('bar'), 8);
  for (const t of ['채널 수별 분류기 파라미터', '채널 수', '파라미터 수 (로그 눈금)', 'Flatten', 'GAP', ...labels])
    assert.ok(log.texts.includes(t), t);
  assert.ok(
    ['5k', '10k', '20k', '1M', '2M'].every((t) => log.texts.includes(t)),
    `1-2-5 ticks: ${log.texts.join(' ')}`,
  );
  const stacked = parse(
    figureSvg(
      barChart(
        ['Flatten', 'GlobalAveragePooling2D'],
        [
          { name: '특성 추출기', values: [1_500_000, 1_500_000] },
          { name: '분류기', values: [10_617_345, 131_585] },
        ],
        { title: '모델의 파라미터 수', text: true, stacked: true },
      ),
    ),
  );
  assert.equal(stacked.count('bar'), 4);
  assert.ok(
    ['10,617,345', '131,585', '1,500,000'].every((t) => stacked.texts.includes(t)),
    'the values are written',
  );
});

test('a heatmap: one cell per value with its number, class names on both axes, a colour bar', () => {
  const svg = figureSvg(
    confusionMatrixFigure(
      [
        [45, 5, 0],
        [8, 42, 1],
        [2, 3, 40],
      ],
      ['고양이', '개', '새'],
    ),
  );
  const { texts, count } = parse(svg);
  assert.equal(count('cell'), 9);
  for (const t of ['혼동 행렬', '예측한 클래스', '실제 클래스', '고양이', '개', '새', '45', '42', '40', '0'])
    assert.ok(texts.includes(t), t);
  assert.equal(texts.filter((t) => t === '고양이').length, 2, 'on both axes');
  assert.match(svg, /<linearGradient id="tlts-colorbar"/);
  assert.equal(colorAt(PALE_TO_DARK_BLUES, 0), '#f7fbff');
  assert.equal(colorAt(PALE_TO_DARK_BLUES, 1), '#08306b');
});

test('text is escaped, and odd data (one point, equal values, empty series) still gives well-formed SVG', () => {
  const { texts } = parse(figureSvg(lineChart([{ name: '<a & "b">', y: [1] }], { title: "x < y & 'z'" })));
  assert.ok(texts.includes("x < y & 'z'"));
  parse(
    figureSvg(
      lineChart([
        { name: 'a', y: [2, 2, 2] },
        { name: 'b', y: [] },
      ]),
    ),
  );
  parse(figureSvg(barChart([], [])));
});

test('ticks: nice linear steps, 1-2-5 per decade on log axes, labels like plotly writes them', () => {
  assert.deepEqual(linearTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(logTicks(0, 2), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual([1500, 2_000_000, 0.30000000000000004, 12].map(formatTick), ['1.5k', '2M', '0.3', '12']);
});

test('showFigure sends one output with text/html (the image inside) and image/svg+xml; the live curves too', async () => {
  const sent = await inFakeNotebook(() =>
    showFigure(
      confusionMatrixFigure([
        [1, 2],
        [3, 4],
      ]),
    ),
  );
  assert.equal(sent.length, 1, 'one output');
  const data = sent[0].data ?? {};
  assert.deepEqual(Object.keys(data).sort(), ['image/svg+xml', 'text/html', 'text/plain']);
  assert.equal(parse(data['image/svg+xml']).count('cell'), 4);
  const inside = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(data['text/html'])?.[1] ?? '';
  assert.equal(Buffer.from(inside, 'base64').toString('utf8'), data['image/svg+xml'], 'the same image in the HTML');
  const live = learningCurvesBundle({ loss: [1, 0.5], val_loss: [1.2, 0.6] }, { title: '실시간' });
  assert.ok(live['text/html'].includes('data:image/svg+xml;base64,'));
  const both = parse(live['image/svg+xml']);
  assert.equal(both.count('series'), 2, 'the loss figure (the accuracy one has no series here)');
  assert.ok(both.texts.includes('학습·검증 손실'));
});
