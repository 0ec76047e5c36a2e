/**
 * The report of a `trainOnFolder` run as one self-contained HTML page (opens offline: no script, images inline):
 * the run's facts, learning curves (inline SVG), the N x N confusion matrix, precision / recall / F1 / support per
 * class, the most confident mistakes with their Grad-CAM overlays, warnings, and the files that were skipped and why.
 */
import { displayClassName } from '../core/displayNames';
import { say } from '../core/messages';
import { loadImage } from '../data/imageDataset';
import { gradCam } from '../explain/gradCam';
import { overlayPng, toPng, toRgbImage } from '../explain/overlay';
import type { FolderRun } from '../training/folderTraining';
import { escapeHtml, tableHtml } from './display';
import { figureSvg } from './figureSvg';
import { lineChart } from './plot';

const STYLE =
  'body{font-family:sans-serif;margin:24px;max-width:1100px}h1{font-size:22px}h2{font-size:18px;margin-top:28px}' +
  'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}.cm td{text-align:right;min-width:36px}' +
  '.mistakes{display:flex;flex-wrap:wrap;gap:12px}.mistakes figure{margin:0;width:230px}.mistakes img{width:110px}' +
  '.mistakes figcaption{font-size:12px;word-break:break-all}.warn{color:#a15c00}';

/** The confusion matrix as a shaded table: rows = true class, columns = predicted. */
export function confusionMatrixHtml(cm: number[][], classes: string[]): string {
  const max = Math.max(1, ...cm.flat());
  const corner = escapeHtml(say({ en: 'true \\ predicted', ko: '실제 \\ 예측' }));
  const head = `<tr><th>${corner}</th>${classes.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = cm.map((row, i) => {
    const cells = row.map((v, j) => {
      const a = (v / max).toFixed(2);
      const color = i === j ? `rgba(31,119,180,${a})` : `rgba(214,39,40,${a})`;
      return `<td style="background:${color}">${v}</td>`;
    });
    return `<tr><th>${escapeHtml(classes[i])}</th>${cells.join('')}</tr>`;
  });
  return `<table class="cm">${head}${rows.join('')}</table>`;
}

/** The learning curves (loss, accuracy) from the history. */
function curvesHtml(history: Record<string, number[]>): string {
  const pick = (keys: string[]) => keys.filter((k) => history[k]).map((k) => ({ name: k, y: history[k] }));
  const loss = pick(['loss', 'val_loss']);
  const acc = pick(['acc', 'val_acc', 'accuracy', 'val_accuracy']);
  const chart = (series: { name: string; y: number[] }[], title: string, yRange?: [number, number]) => {
    const fig = lineChart(series, { title, integerX: true, xTitle: say({ en: 'epoch', ko: '에포크' }) });
    if (yRange) fig.layout = { ...fig.layout, yaxis: { range: yRange } };
    return figureSvg(fig, { width: 480, height: 280 });
  };
  const charts = [
    loss.length ? chart(loss, say({ en: 'Loss per epoch', ko: '에포크별 손실' })) : '',
    acc.length ? chart(acc, say({ en: 'Accuracy per epoch', ko: '에포크별 정확도' }), [0, 1]) : '',
  ];
  return `<div style="display:flex;gap:16px;flex-wrap:wrap">${charts.join('')}</div>`;
}

/** One figure per confident mistake: the photo and its Grad-CAM overlay for the (wrong) predicted class. */
async function mistakesHtml(run: FolderRun): Promise<string> {
  const { classes, imageSize } = run.metrics;
  const figures: string[] = [];
  for (const m of run.mistakes) {
    if (!m.path) continue;
    const photo = await loadImage(m.path, { imageSize, autoOrient: true });
    try {
      // For one sigmoid output, class index 1 explains the positive class and 0 the negative one (gradCam's rule).
      const cam = await gradCam(run.model, photo, { classIndex: classes.indexOf(m.predicted) });
      const png = await overlayPng(photo, cam.map);
      const raw = `data:image/png;base64,${(await toPng(toRgbImage(photo))).toString('base64')}`;
      const caption = say({
        en: `${m.path}: true ${m.trueLabel}, predicted ${m.predicted} (${(m.confidence * 100).toFixed(0)}%)`,
        ko: `${m.path}: 실제 ${displayClassName(m.trueLabel)}, 예측 ${displayClassName(m.predicted)} (${(m.confidence * 100).toFixed(0)}%)`,
      });
      figures.push(
        `<figure><img src="${raw}"><img ` +
          `src="data:image/png;base64,${png.toString('base64')}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`,
      );
    } finally {
      photo.dispose();
    }
  }
  if (!figures.length) return `<p>${escapeHtml(say({ en: 'No mistakes.', ko: '틀린 사진이 없습니다.' }))}</p>`;
  return `<div class="mistakes">${figures.join('')}</div>`;
}

/** A split's name in the reader's language. */
const splitName = (split: string): string =>
  split === 'train'
    ? say({ en: 'train', ko: '학습' })
    : split === 'test'
      ? say({ en: 'test', ko: '테스트' })
      : say({ en: 'validation', ko: '검증' });

/** The run's facts as table rows (what, value): classes, images per split, method, backbone, accuracy, time. */
export function runFactRows(run: FolderRun): Record<string, unknown>[] {
  const m = run.metrics;
  const e = m.evaluation;
  const split = splitName(e.split);
  const weights = m.weights === 'shipped' ? say({ en: 'shipped', ko: '함께 배포된 ImageNet 가중치' }) : m.weights;
  const splits = Object.entries(m.splits)
    .map(([k, v]) => `${splitName(k)} ${v}`)
    .join(', ');
  const rows: [string, string, unknown][] = [
    ['classes', '클래스', m.classes.join(', ')],
    ['images', '이미지', splits],
    ['method', '방법', m.method],
    ['backbone', '백본', `${m.backbone}${m.alpha === undefined ? '' : ` α=${m.alpha}`} (${weights})`],
    ['image size', '이미지 크기', m.imageSize.join('x')],
    [`accuracy (${split})`, `정확도 (${split})`, e.accuracy.toFixed(3)],
    [`loss (${split})`, `손실 (${split})`, e.loss.toFixed(3)],
    ['seconds', '걸린 시간 (초)', m.seconds.toFixed(1)],
  ];
  return rows.map(([en, ko, v]) => ({
    [say({ en: 'what', ko: '항목' })]: say({ en, ko }),
    [say({ en: 'value', ko: '값' })]: v,
  }));
}

/** The per-class table rows (precision, recall, F1, support). */
export function perClassRows(run: FolderRun): Record<string, unknown>[] {
  return run.metrics.evaluation.perClass.map((r) => ({
    [say({ en: 'class', ko: '클래스' })]: r.class,
    [say({ en: 'precision', ko: '정밀도' })]: Number(r.precision.toFixed(3)),
    [say({ en: 'recall', ko: '재현율' })]: Number(r.recall.toFixed(3)),
    F1: Number(r.f1.toFixed(3)),
    [say({ en: 'support', ko: '사진 수' })]: r.support,
  }));
}

/** The skipped files and the warnings. */
function skippedHtml(run: FolderRun): string {
  const warn = run.metrics.warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('');
  if (!run.metrics.skipped.length)
    return `${warn}<p>${escapeHtml(say({ en: 'No file was skipped.', ko: '건너뛴 파일이 없습니다.' }))}</p>`;
  const rows = run.metrics.skipped.map((s) => ({
    [say({ en: 'file', ko: '파일' })]: s.path,
    [say({ en: 'reason', ko: '이유' })]: s.reason,
  }));
  return warn + tableHtml(rows);
}

/** The whole report page (see the file comment). */
export async function folderReportHtml(run: FolderRun, title?: string): Promise<string> {
  const m = run.metrics;
  const h = (en: string, ko: string) => `<h2>${escapeHtml(say({ en, ko }))}</h2>`;
  const heading =
    title ??
    say({ en: `Training report: ${m.classes.length} classes`, ko: `학습 보고서: 클래스 ${m.classes.length}개` });
  const split = splitName(m.evaluation.split);
  return [
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(run.note)}</p>`,
    tableHtml(runFactRows(run)),
    h('Learning curves', '학습 곡선'),
    curvesHtml(m.history),
    h(`Confusion matrix (${split} images; rows = true class)`, `혼동 행렬 (${split} 이미지; 행 = 실제 클래스)`),
    confusionMatrixHtml(m.evaluation.confusionMatrix, m.classes),
    h('Per class', '클래스별 지표'),
    tableHtml(perClassRows(run)),
    h('Most confident mistakes, with Grad-CAM of the predicted class', '가장 확신한 오답과 예측 클래스의 Grad-CAM'),
    await mistakesHtml(run),
    h('Skipped files and warnings', '건너뛴 파일과 경고'),
    skippedHtml(run),
    '</body></html>',
  ].join('\n');
}
