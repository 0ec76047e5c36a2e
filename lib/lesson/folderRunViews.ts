/**
 * What notebook 09 shows of a `trainOnFolder` run, in Korean: its facts, what changes from the lesson's two
 * classes (the output layer, the loss, the labels, how a class is chosen), each class's probability for a few
 * photos, the most confident mistakes with Grad-CAM, and the run saved as `npm run train` saves it.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildPath, displayPath } from '../core/paths';
import type { FolderRun } from '../training/folderTraining';
import { showTable } from '../ui/display';
import { runFactRows } from '../ui/folderReport';
import { showConfusionMatrix } from '../ui/evaluationView';
import { RUN_FILES, saveFolderRun } from '../ui/folderRunFiles';
import { classifierSubject, showMistakeGradCams } from './gradCamViews';

/** Where notebook 09 saves its run. */
export const PHOTOS_RUN_DIR = (): string => buildPath('models', '09-your-own-photos');

/** Shows the run's facts (classes, images per split, method, backbone, accuracy, seconds). */
export function showRunFacts(run: FolderRun): void {
  showTable(runFactRows(run), { caption: '학습 결과' });
}

/** The output layer of the model: 'Dense(5, softmax)'. */
function outputLayer(model: tf.LayersModel): string {
  const config = model.layers[model.layers.length - 1].getConfig() as { units?: number; activation?: string };
  return `Dense(${config.units}, ${config.activation})`;
}

/** The rows of `showHeadComparison`: the lesson's 2 classes beside this run's N. */
export function headComparisonRows(run: FolderRun): Record<string, string>[] {
  const classes = run.metrics.classes;
  const n = classes.length;
  const oneHot = classes.map((_, k) => (k === Math.min(2, n - 1) ? 1 : 0));
  const binary = n === 2;
  const rows: [string, string, string][] = [
    ['출력층', 'Dense(1, sigmoid)', outputLayer(run.model)],
    [
      '출력이 뜻하는 것',
      'dogs일 확률 p 하나 (cats는 1 − p)',
      binary ? `${classes[1]} 일 확률 p 하나` : `클래스마다 확률 하나, ${n}개의 합 = 1`,
    ],
    ['손실', 'binaryCrossentropy', String(run.model.loss)],
    [
      '레이블',
      '0 (cats) 또는 1 (dogs)',
      binary
        ? `0 (${classes[0]}) 또는 1 (${classes[1]})`
        : `one-hot: [${oneHot.join(', ')}] = ${classes[oneHot.indexOf(1)]}`,
    ],
    ['예측한 클래스', 'p > 0.5이면 dogs', binary ? `p > 0.5이면 ${classes[1]}` : '확률이 가장 큰 클래스 (argmax)'],
    ['아무렇게나 찍을 때의 정확도', '1/2 = 0.5', `1/${n} = ${(1 / n).toFixed(2)}`],
  ];
  return rows.map(([what, lesson, here]) => ({
    항목: what,
    '강의 (고양이/개, 클래스 2개)': lesson,
    [`이 폴더 (클래스 ${n}개)`]: here,
  }));
}

/** Shows what changes from the lesson's binary head to this folder's head. */
export function showHeadComparison(run: FolderRun): void {
  showTable(headComparisonRows(run), { caption: '클래스가 2개일 때와 N개일 때' });
}

/** The first evaluated photo of each class (up to `max` classes): its class probabilities, their sum, the prediction. */
export function probabilityRows(run: FolderRun, max = 5): Record<string, string>[] {
  const e = run.evaluation;
  const classes = run.metrics.classes;
  const rows: Record<string, string>[] = [];
  for (const [c, name] of classes.entries()) {
    const i = e.labels.indexOf(c);
    if (i < 0 || rows.length >= max) continue;
    const p = e.probabilities[i];
    rows.push({
      사진: path.basename(e.filePaths?.[i] ?? String(i)),
      실제: name,
      ...Object.fromEntries(classes.map((k, j) => [k, p[j].toFixed(3)])),
      합계: p.reduce((a, b) => a + b, 0).toFixed(3),
      예측: classes[e.predictions[i]],
    });
  }
  return rows;
}

/** Shows `probabilityRows` (what the output layer gives for one photo of each class). */
export function showProbabilities(run: FolderRun, max = 5): void {
  const split = run.metrics.evaluation.split === 'test' ? '테스트' : '검증';
  showTable(probabilityRows(run, max), { caption: `${split} 사진 한 장씩: 클래스별 확률` });
}

/** Shows the N x N confusion matrix of the run's evaluation and the per-class table under it. */
export function showRunConfusionMatrix(run: FolderRun): void {
  const split = run.metrics.evaluation.split === 'test' ? '테스트' : '검증';
  showConfusionMatrix(run.evaluation, { title: `혼동 행렬 (${split} 사진; 행: 실제, 열: 예측)` });
}

/** The `k` most confident mistakes of the run's evaluation, each beside the Grad-CAM of the class it predicted. */
export async function showRunMistakes(run: FolderRun, k = 4): Promise<void> {
  const subject = classifierSubject(run.model, run.metrics.classes, '내 사진 모델 (09)');
  await showMistakeGradCams(run.evaluation, [subject], k, { split: run.metrics.evaluation.split });
}

/**
 * Saves the run as `npm run train` does (model.json + weights.bin, metrics.json, report.html; replacing the last
 * one) into `PHOTOS_RUN_DIR()` and says where, with the command that uses it.
 */
export async function savePhotosRun(run: FolderRun): Promise<void> {
  const out = await saveFolderRun(run, PHOTOS_RUN_DIR(), { overwrite: true });
  const rel = displayPath(out);
  console.log(`${rel}에 저장했습니다: ${RUN_FILES.join(', ')}`);
  console.log(`보고서: ${rel}/report.html · 새 사진 분류: npm run predict -- ${rel} <사진 파일...>`);
}
