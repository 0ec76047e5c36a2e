/**
 * Names a learner reads for names the code keeps: class folders (`cats` → 고양이) and dataset splits
 * (`train` → 학습) in Korean in a notebook, as they are elsewhere. Folder names stay what they are in code, files and
 * saved models; only what is shown changes.
 */
import { say } from './messages';

/** Korean names of the class folders the lesson ships (cats and dogs, the five flowers). */
export const KOREAN_CLASS_NAMES: Readonly<Record<string, string>> = {
  cats: '고양이',
  dogs: '개',
  daisy: '데이지',
  dandelion: '민들레',
  rose: '장미',
  roses: '장미',
  sunflower: '해바라기',
  sunflowers: '해바라기',
  tulip: '튤립',
  tulips: '튤립',
};

/** Korean names of the dataset splits. */
const SPLIT_KO: Record<string, string> = { train: '학습', validation: '검증', val: '검증', test: '테스트' };

/** A class folder's name as a learner reads it ('cats' → '고양이' in a notebook); unknown names as they are. */
export function displayClassName(name: string): string {
  return say({ en: name, ko: KOREAN_CLASS_NAMES[name] ?? name });
}

/** A split's name as a learner reads it ('train' → '학습' in a notebook); unknown names as they are. */
export function displaySplitName(split: string): string {
  return say({ en: split, ko: SPLIT_KO[split] ?? split });
}
