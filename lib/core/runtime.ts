/**
 * Where the code runs: inside a tslab notebook kernel (rich display, Korean messages) or in a terminal / script.
 */

/** tslab's `jupyter` module when this process is a tslab kernel that can display, else undefined. */
function tslabJupyter(): { lastWriteDisplayData?: unknown } | undefined {
  // The kernel loads tslab itself; outside a kernel tslab is not in the module cache at all.
  const key = Object.keys(require.cache).find((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  return key ? (require.cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined) : undefined;
}

/** True when running inside a tslab notebook kernel (rich display works). */
export function inNotebook(): boolean {
  const jupyter = tslabJupyter();
  return jupyter !== undefined && jupyter.lastWriteDisplayData != null;
}

/** The language of messages a person reads: Korean in the lesson's notebooks, English in terminals and logs. */
export function messageLanguage(): 'ko' | 'en' {
  return inNotebook() ? 'ko' : 'en';
}
