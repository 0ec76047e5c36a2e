/**
 * Numbers one notebook hands to a later one (05's train/validation gap for 06's comparison): a small JSON file
 * per notebook and profile under `build/lesson/<profile>/`, written atomically, read back by name.
 */
import * as fs from 'node:fs';
import { writeFileAtomicSync } from '../core/atomicFile';
import { say } from '../core/messages';
import { buildPath, displayPath } from '../core/paths';
import type { LessonProfile } from './profile';

/** What a training notebook measured: accuracies at the end of training and on the test set. */
export interface LessonResult {
  /** What was trained, as the tables show it ('05 빠른 특성 추출'). */
  label: string;
  /** Training accuracy: the mean over the last `epochs` epochs (the last epoch's alone in older files). */
  train: number;
  /** Validation accuracy, averaged the same way. */
  validation: number;
  /** How many final epochs `train`, `validation` and the losses average (`overfittingSummary`). */
  epochs?: number;
  /** Training loss, averaged the same way. */
  trainLoss?: number;
  /** Validation loss, averaged the same way. */
  validationLoss?: number;
  /** Accuracy on the test set. */
  test?: number;
  /** How many test photos `test` was measured on. */
  testCount?: number;
}

/** The file of notebook `notebook`'s result in `profile` (`build/lesson/mini/05.json`). */
export function lessonResultPath(profile: LessonProfile, notebook: string): string {
  return buildPath('lesson', profile.name, `${notebook}.json`);
}

/** Saves `result` for later notebooks and says where (returns nothing: a cell ending with it prints no value). */
export function saveLessonResult(profile: LessonProfile, notebook: string, result: LessonResult): void {
  const file = displayPath(
    writeFileAtomicSync(lessonResultPath(profile, notebook), `${JSON.stringify(result, null, 2)}\n`),
  );
  console.log(
    say({ en: `Saved for the next notebooks: ${file}`, ko: `다음 노트북이 비교할 수 있도록 저장했습니다: ${file}` }),
  );
}

/** The result notebook `notebook` saved in this profile; throws, saying which notebook to run, when it is missing. */
export function loadLessonResult(profile: LessonProfile, notebook: string): LessonResult {
  const file = displayPath(lessonResultPath(profile, notebook));
  if (!fs.existsSync(lessonResultPath(profile, notebook))) {
    throw new Error(
      say({
        en: `${file} is missing: run notebook ${notebook} first (profile ${profile.name}).`,
        ko: `결과 파일이 없습니다 (${file}): ${notebook} 노트북을 ${profile.name} 프로필로 먼저 실행하세요.`,
      }),
    );
  }
  const r = JSON.parse(fs.readFileSync(lessonResultPath(profile, notebook), 'utf8')) as Partial<LessonResult>;
  if (typeof r.label !== 'string' || typeof r.train !== 'number' || typeof r.validation !== 'number') {
    throw new Error(
      say({
        en: `${file} does not hold a lesson result: run notebook ${notebook} again.`,
        ko: `결과 파일의 형식이 아닙니다 (${file}): ${notebook} 노트북을 다시 실행하세요.`,
      }),
    );
  }
  const { label, train, validation, epochs, trainLoss, validationLoss, test, testCount } = r;
  const optional = { epochs, trainLoss, validationLoss, test, testCount };
  const measured = Object.fromEntries(Object.entries(optional).filter(([, v]) => typeof v === 'number'));
  return { label, train, validation, ...measured };
}
