/**
 * The lesson's sentences about what a run measured, built from that run's numbers: how much the classifier
 * overfitted (05, 06), how far a test accuracy on 100 photos can be trusted, whether 06's augmentation closed 05's
 * gap, how long an epoch took, and what fine-tuning added over the classifier-only control (07). Each returns
 * Markdown, so a notebook shows it with `showMarkdown` and a test can read the same numbers back.
 */
import type { OverfittingSummary } from '../training/overfitting';
import type { LessonResult } from './results';

/** An accuracy or a loss as the lesson's tables write it (3 decimals; -0.000 never). */
export function num(v: number, digits = 3): string {
  return (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits);
}

/** A loss: 4 decimals, or exponent notation below 1e-4 (a loss near 0 is the point). */
export function lossNum(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(1) : v.toFixed(4);
}

/** The topic particle after a number as it is read aloud (0.020 → 영 → '은', 0.012 → 이 → '는'). */
export function topicParticle(number: string): '은' | '는' {
  return '2459'.includes(number.slice(-1)) ? '는' : '은';
}

/** Half the width of the 95 % interval of an accuracy `p` measured on `n` photos (normal approximation, >= 1/n). */
export function accuracyMargin(p: number, n: number): number {
  return Math.max(1 / n, 1.96 * Math.sqrt((p * (1 - p)) / n));
}

/** 05: the means over the last epochs, the validation range among them, and the loss gap, in one paragraph. */
export function overfittingFinding(s: OverfittingSummary): string {
  const [lo, hi] = s.validationRange;
  const ratio = s.trainLoss > 0 ? s.validationLoss / s.trainLoss : Infinity;
  const lossWords =
    ratio >= 3
      ? `검증 손실이 학습 손실의 ${ratio === Infinity ? '수없이 많은' : `약 ${Math.round(ratio).toLocaleString('en-US')}`}배입니다. ` +
        '모델이 학습 사진에는 거의 확신하며 답하지만 처음 보는 사진에는 그렇지 못하다는 뜻으로, 정확도 차이보다 더 뚜렷한 과대적합의 신호입니다.'
      : '두 손실이 비슷해서, 이번 실행에서는 손실로 본 과대적합이 작습니다.';
  return (
    `**이번 실행의 값** (마지막 ${s.epochs} 에포크의 평균): 학습 정확도 ${num(s.train)}, 검증 정확도 ${num(s.validation)}, ` +
    `차이 ${num(s.gap)}. 이 ${s.epochs} 에포크 동안 검증 정확도는 ${num(lo)}~${num(hi)} 사이를 오갔습니다. ` +
    `마지막 에포크 하나만 보면 이만큼 달라질 수 있어서 평균으로 비교합니다.\n\n` +
    `손실은 학습 ${lossNum(s.trainLoss)}, 검증 ${lossNum(s.validationLoss)}입니다: ${lossWords}`
  );
}

/** How far a test accuracy measured on `n` photos can move (one photo, and the 95 % interval). */
export function testAccuracyFinding(accuracy: number, n: number): string {
  const m = accuracyMargin(accuracy, n);
  return (
    `**이번 실행의 테스트 정확도는 ${num(accuracy)}입니다.** 테스트 사진이 ${n}장이라 사진 한 장이 ${num(1 / n)}입니다. ` +
    `같은 모델이라도 다른 사진 ${n}장으로 재면 대략 ±${num(m, 2)} 안에서 달라질 수 있습니다 ` +
    `(정확도 ${num(accuracy)}, 사진 ${n}장에서 이항 분포의 95% 구간). ` +
    `분류기의 초깃값과 Dropout도 실행마다 달라지므로, 다시 실행하면 이 숫자는 조금씩 바뀝니다.`
  );
}

/** Whether two test accuracies on the same `n` photos differ by more than one of them can move by chance. */
function testDifference(a: number, b: number, n: number): string {
  const d = Math.abs(a - b);
  const m = accuracyMargin(Math.max(a, b), n);
  const photos = Math.round(d * n);
  if (photos === 0) return '두 테스트 정확도가 같습니다.';
  return d < m
    ? `두 테스트 정확도의 차이 ${num(d)}(사진 ${photos}장)은 ±${num(m, 2)} 구간보다 작아서, 이 작은 셋으로는 어느 쪽이 더 정확한지 가릴 수 없습니다.`
    : `두 테스트 정확도의 차이 ${num(d)}(사진 ${photos}장)은 ±${num(m, 2)} 구간보다 큽니다.`;
}

/** 06: 05's and 06's gaps (accuracy and loss) and test accuracies, and what they show in this run. */
export function augmentationFinding(r05: LessonResult, r06: LessonResult, n: number): string {
  const g5 = r05.train - r05.validation;
  const g6 = r06.train - r06.validation;
  const closed =
    g6 < g5 - 0.02
      ? `데이터 증식으로 과대적합이 ${num(g5 - g6)}만큼 줄었습니다.`
      : `이번 실행에서는 차이가 분명하게 줄지 않았습니다 (${num(g5 - g6)}).`;
  const lossGaps =
    r05.trainLoss !== undefined &&
    r05.validationLoss !== undefined &&
    r06.trainLoss !== undefined &&
    r06.validationLoss !== undefined
      ? ` 손실 차이 (검증 - 학습)는 05가 ${lossNum(r05.validationLoss - r05.trainLoss)}, 06이 ${lossNum(r06.validationLoss - r06.trainLoss)}입니다.`
      : '';
  const tests =
    r05.test !== undefined && r06.test !== undefined
      ? `\n\n테스트 정확도는 05가 ${num(r05.test)}, 06이 ${num(r06.test)}입니다. ${testDifference(r05.test, r06.test, n)}`
      : '';
  return (
    `**이번 실행의 값**: 학습 정확도와 검증 정확도의 차이 (마지막 ${r06.epochs ?? 1} 에포크의 평균)는 ` +
    `05가 ${num(g5)}, 06이 ${num(g6)}입니다. ${closed}${lossGaps}${tests}`
  );
}

/** How long the epochs of a training took (min-max and mean seconds), for the text that estimates run times. */
export function epochTimeFinding(seconds: number[]): string {
  if (!seconds.length) return '';
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  const [lo, hi] = [Math.min(...seconds), Math.max(...seconds)];
  const range = hi - lo < 0.05 ? `${lo.toFixed(1)}초` : `${lo.toFixed(1)}~${hi.toFixed(1)}초`;
  return `이번 실행에서 에포크 하나에 ${range}(평균 ${mean.toFixed(1)}초) 걸렸습니다 (${seconds.length} 에포크).`;
}

/** 07's three test accuracies on the same photos: before stage 2, the classifier-only control, and fine-tuning. */
export interface FineTuneNumbers {
  before: number;
  control: number;
  tuned: number;
  /** The extra epochs both the control and fine-tuning trained. */
  epochs: number;
  /** Test photos. */
  n: number;
}

/** 07: what fine-tuning added over the control, and whether this test set can tell. */
export function fineTuneFinding(r: FineTuneNumbers): string {
  const effect = r.tuned - r.control;
  const numbers =
    `**이번 실행의 값**: 1단계 뒤 ${num(r.before)} → 분류기만 ${r.epochs} 에포크 더 (대조군) ${num(r.control)}, ` +
    `위쪽 층을 풀고 ${r.epochs} 에포크 (미세 조정) ${num(r.tuned)}. `;
  const fromBefore = num(Math.abs(r.tuned - r.before));
  if (Math.round(Math.abs(effect) * r.n) === 0 && Math.round(Math.abs(r.tuned - r.before) * r.n) === 0)
    return (
      numbers +
      '세 값이 모두 같습니다: 분류기만 더 학습해도, 위쪽 층을 풀어도 이 테스트 세트의 정확도는 움직이지 않았습니다. ' +
      '층을 푼 효과는 이 실행에서 보이지 않습니다.'
    );
  if (Math.round(Math.abs(effect) * r.n) === 0)
    return (
      numbers +
      `미세 조정과 대조군의 테스트 정확도가 같습니다: 1단계 뒤와의 차이 ${fromBefore}${topicParticle(fromBefore)} 층을 풀지 않고 ` +
      '분류기만 더 학습해도 생긴 만큼이라, 층을 푼 효과는 이 실행에서 보이지 않습니다.'
    );
  return (
    numbers +
    `미세 조정이 대조군보다 ${num(Math.abs(effect))} ${effect > 0 ? '높습니다' : '낮습니다'}. ` +
    `1단계 뒤와의 차이 ${fromBefore} 가운데 층을 푼 덕분이라고 말할 수 있는 것은 대조군과의 차이뿐입니다. ` +
    testDifference(r.tuned, r.control, r.n)
  );
}
