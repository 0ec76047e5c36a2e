/**
 * Notebook 01's views of the dataset, in Korean: where this run's photos come from (the lesson's Google Drive zip,
 * or the mini set shipped with the library, with the command that fetches the lesson's) and how many photos each
 * split and class folder holds.
 */
import { displayClassName, displaySplitName } from '../core/displayNames';
import * as path from 'node:path';
import { displayPath } from '../core/paths';
import { listImages } from '../data/files';
import { escapeHtml, showHtml, showTable } from '../ui/display';
import { CLASSES, downloadCommand, LESSON_DATASET, SPLITS } from './lessonDataset';
import type { LessonProfile } from './profile';

/** Says where this run's photos come from; in the mini profile also the command that fetches the lesson's data. */
export function showDatasetSource(profile: LessonProfile): void {
  const lines =
    profile.name === 'full'
      ? [`full 프로필: 강의 데이터 ${LESSON_DATASET.url} → ${displayPath(LESSON_DATASET.dir)}`]
      : [
          `이번 실행은 mini 프로필입니다. 강의 데이터(cats_and_dogs_small, 사진 4,000장)를 내려받지 않고,`,
          `라이브러리에 함께 들어 있는 실제 사진 400장(${displayPath(profile.dataDir)})을 씁니다. 폴더 구조는 강의 데이터와 같습니다.`,
          'Google Drive에 접근할 수 있다면 프로젝트 폴더에서 아래 명령을 실행한 뒤 노트북을 다시 실행하세요 (full 프로필):',
        ];
  const command = profile.name === 'full' ? '' : downloadCommand();
  const html =
    lines.map(escapeHtml).join('<br/>') + (command ? `<pre style="margin:6px 0">${escapeHtml(command)}</pre>` : '');
  showHtml(
    `<div class="tlts-note" style="background:#f4f6fa;padding:8px 12px">${html}</div>`,
    [...lines, command].join('\n'),
  );
}

/** Photos per split and class folder, counted on disk (what `imageDatasetFromDirectory` will find). */
export async function photoCounts(
  dataDir: string,
): Promise<{ split: string; counts: Record<string, number>; total: number }[]> {
  return Promise.all(
    SPLITS.map(async (split) => {
      const counts: Record<string, number> = {};
      for (const cls of CLASSES) counts[cls] = (await listImages(path.join(dataDir, split, cls))).length;
      return { split, counts, total: Object.values(counts).reduce((s, n) => s + n, 0) };
    }),
  );
}

/** Shows `photoCounts` of the profile's dataset as a table (split x class). */
export async function showPhotoCounts(profile: LessonProfile): Promise<void> {
  // Korean names, each with its folder: the table is about what is on disk.
  const named = (name: string, korean: string) => `${korean} (${name}/)`;
  const rows = (await photoCounts(profile.dataDir)).map((r) => ({
    분할: named(r.split, displaySplitName(r.split)),
    ...Object.fromEntries(Object.entries(r.counts).map(([cls, n]) => [named(cls, displayClassName(cls)), n])),
    합계: r.total,
  }));
  showTable(rows, { caption: '폴더별 사진 수' });
}
