/**
 * The README table's "what it printed" column: for each notebook, a line built from its executed outputs (the
 * numbers of that run), in English. A notebook without an entry, or whose outputs lack what its entry reads, gets
 * an empty cell rather than a stale number.
 */
import type { NotebookOutputs } from './lessonRecord';

type Summary = (o: NotebookOutputs) => string;

/** The first table whose caption contains `part`. */
function table(o: NotebookOutputs, part: string): Record<string, string>[] {
  const t = o.tables.find((x) => x.caption.includes(part));
  if (!t) throw new Error(`no table "${part}"`);
  return t.rows;
}

/** The first match of `rx` in the printed text. */
function found(o: NotebookOutputs, rx: RegExp): RegExpExecArray {
  const m = rx.exec(o.text);
  if (!m) throw new Error(`nothing like ${rx}`);
  return m;
}

/** The test accuracy of the evaluation table's caption ("정확도 91.0%, 손실 0.3326"). */
function testAccuracy(o: NotebookOutputs): string {
  const caption = o.tables.map((t) => t.caption).find((c) => /^정확도 [\d.]+%/.test(c));
  if (!caption) throw new Error('no evaluation');
  return (Number(/^정확도 ([\d.]+)%/.exec(caption)![1]) / 100).toFixed(2);
}

const SUMMARIES: Record<string, Summary> = {
  '00_gap': (o) => {
    const [flatten, gap] = table(o, 'Flatten vs GAP');
    const params = (r: Record<string, string>) => r['분류기 파라미터 (countParams)'];
    return `Flatten head ${params(flatten)} vs GAP head ${params(gap)} parameters`;
  },
  '01_data': (o) => {
    const totals = table(o, '폴더별 사진 수').map((r) => r['합계']);
    const batch = table(o, '첫 번째 배치')[0]['모양'];
    return `${totals.join(' / ')} photos; a batch \`${batch}\``;
  },
  '02_vgg16': (o) => {
    const top1 = found(o, /1위 클래스가 사진 속 동물인 사진은 (\d+)장/)[1];
    const top5 = found(o, /상위 (\d+)개 안에 사진 속 동물의 클래스가 하나라도 있는 사진은 (\d+)장/);
    const photos = found(o, /사진 (\d+)장 가운데 1위/)[1];
    return `ImageNet top-1 is the photo's animal for ${top1} of ${photos} photos, top-${top5[1]} holds it for ${top5[2]}`;
  },
  '03_resnet': (o) => {
    const rows = table(o, 'ResNet 깊이별');
    return `${rows.map((r) => r['모델']).join(' / ')}: ${rows.map((r) => r['파라미터']).join(' / ')} parameters`;
  },
  '04_pretrained_models': (o) => {
    const skipped = table(o, '가중치 불러오기').reduce((n, r) => n + Number(r['건너뛴 층']), 0);
    return `outputs and parameters per \`includeTop\` / \`inputShape\` / \`pooling\`; ${skipped} layers skipped when loading`;
  },
  '05_fast_feature_extraction': (o) => {
    const r = table(o, '마지막 5 에포크의 평균')[0];
    return (
      `test accuracy ${testAccuracy(o)}; last 5 epochs: accuracy gap ${r['차이 (학습 - 검증)']}, ` +
      `loss ${r['학습 손실']} (train) vs ${r['검증 손실']} (validation)`
    );
  },
  '06_feature_extraction_augmentation': (o) => {
    const [r05, r06] = table(o, '05와 06');
    return `test accuracy ${testAccuracy(o)}; last 5 epochs: gap ${r06['차이 (학습 - 검증)']} (05's: ${r05['차이 (학습 - 검증)']})`;
  },
  '07_fine_tuning': (o) => {
    const [before, control, tuned] = table(o, '대조군').map((r) => r['테스트 정확도']);
    return `test accuracy before → classifier-only control → fine-tuned: ${before} → ${control} → ${tuned}`;
  },
  '08_grad_cam': (o) => {
    const m = found(o, /Grad-CAM 계산 시간\(초\): ImageNet 모델 \([^)]*\) ([\d.]+), 미세 조정한 [^(]*\(07\) ([\d.]+)/);
    return `Grad-CAM ${m[1]} s (ImageNet model) and ${m[2]} s (fine-tuned model) per photo`;
  },
  '09_your_own_photos': (o) => {
    const facts = Object.fromEntries(table(o, '학습 결과').map((r) => [r['항목'], r['값']]));
    const classes = facts['클래스']?.split(', ').length;
    return `${classes} classes, validation accuracy ${facts['정확도 (검증)']} (chance ${(1 / classes).toFixed(2)})`;
  },
};

/** The summary line of notebook `name` from its outputs; '' when it has no summary or its outputs lack one. */
export function notebookSummary(name: string, outputs: NotebookOutputs): string {
  const summary = SUMMARIES[name];
  if (!summary) return '';
  try {
    return summary(outputs);
  } catch (err) {
    // An output missing from a failed or older run leaves the cell empty (a stale number would be worse); say so.
    console.warn(`lesson table: no summary for ${name} (${(err as Error).message})`);
    return '';
  }
}
