/**
 * The first cell of every notebook: `const lesson = await startLesson();` picks the TensorFlow.js backend, decides
 * the lesson profile, and shows both in a Korean banner.
 */
import { initBackend, type BackendInfo } from '../backend/select';
import { showLessonBanner } from './banner';
import { resolveProfile, type LessonProfile } from './profile';

/** What a notebook knows after its first cell. */
export interface Lesson {
  profile: LessonProfile;
  backend: BackendInfo;
}

/** Initialises the backend, resolves the profile (see lesson/profile.ts) and shows the banner. */
export async function startLesson(opts: { banner?: boolean } = {}): Promise<Lesson> {
  const backend = await initBackend({ quiet: true });
  const profile = resolveProfile();
  if (opts.banner ?? true) showLessonBanner(backend, profile);
  return { profile, backend };
}
