/**
 * Sentences a person reads (progress labels, "Found N files", download notes), in the reader's language:
 * Korean inside the lesson's notebooks, English in terminals, scripts and logs. Each call site gives both.
 */
import { messageLanguage } from './runtime';

/** A sentence in both languages. */
export interface Bilingual {
  en: string;
  ko: string;
}

/** The sentence in the language of where the code runs (see `messageLanguage`). */
export function say(text: Bilingual): string {
  return text[messageLanguage()];
}
