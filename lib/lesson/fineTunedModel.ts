/**
 * The model notebook 07 fine-tunes, saved for notebook 08 (Grad-CAM) and for `npm run predict`:
 * `build/models/07-fine-tuned` (model.json + weights.bin, the class names in its metadata).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { buildPath, displayPath } from '../core/paths';
import { saveModel } from '../io/modelIO';
import { loadSavedModel } from '../models/savedModel';
import type { LessonProfile } from './profile';

/** Where 07 saves its fine-tuned model. */
export function fineTunedModelDir(): string {
  return buildPath('models', '07-fine-tuned');
}

/** Saves the fine-tuned model with its class names (read back by `npm run predict`); returns the folder. */
export async function saveFineTunedModel(model: tf.LayersModel, classNames: string[]): Promise<string> {
  const dir = fineTunedModelDir();
  model.setUserDefinedMetadata({ classNames });
  await saveModel(model, dir);
  console.log(
    say({
      en: `Saved the model in ${displayPath(dir)}`,
      ko: `모델을 ${displayPath(dir)}에 저장했습니다 (model.json, weights.bin).`,
    }),
  );
  return dir;
}

/** The command that classifies a photo with the saved model and writes its Grad-CAM overlay. */
export function predictCommand(photo: string): string {
  return `npm run predict -- ${displayPath(fineTunedModelDir())} ${displayPath(photo)} --cam ${displayPath(buildPath('cam'))}`;
}

/** The saved model and its class names; says (in the reader's language) to run 07 first when it is missing. */
export async function loadFineTunedModel(
  profile: LessonProfile,
): Promise<{ model: tf.LayersModel; classNames: string[] }> {
  const dir = fineTunedModelDir();
  if (!fs.existsSync(path.join(dir, 'model.json'))) {
    throw new Error(
      say({
        en: `${displayPath(dir)} has no saved model: run notebook 07_fine_tuning first.`,
        ko: `${displayPath(dir)}에 저장된 모델이 없습니다: 07_fine_tuning 노트북을 먼저 끝까지 실행하세요.`,
      }),
    );
  }
  const model = await loadSavedModel(dir);
  const [h, w] = model.inputs[0].shape.slice(1, 3);
  if (h !== profile.imageSize[0] || w !== profile.imageSize[1]) {
    throw new Error(
      say({
        en: `${displayPath(dir)} takes ${h}x${w} images, profile ${profile.name} ${profile.imageSize.join('x')}: run 07 again.`,
        ko: `${displayPath(dir)}의 모델은 ${h}×${w} 이미지를 받는데 ${profile.name} 프로필은 ${profile.imageSize.join('×')}입니다: 07 노트북을 다시 실행하세요.`,
      }),
    );
  }
  const meta = model.getUserDefinedMetadata() as { classNames?: string[] } | undefined;
  return { model, classNames: meta?.classNames ?? ['0', '1'] };
}
