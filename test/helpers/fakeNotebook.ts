/** Makes this process look like a tslab kernel executing one cell, recording the cell's rich output. */
import * as os from 'node:os';
import * as path from 'node:path';

/** One rich output the "cell" sent. */
export interface Sent {
  html?: string;
  /** Every MIME type of the output. */
  data?: Record<string, string>;
  id?: string;
  update: boolean;
}

/**
 * Runs `run` as one executed cell of a fake tslab kernel: rich output is recorded in `sent` (each call is a new
 * cell, as tslab hands each execute request its own display writer).
 */
export async function inFakeNotebook(run: (sent: Sent[]) => Promise<void> | void): Promise<Sent[]> {
  const key = path.join(os.tmpdir(), 'fake-kernel', 'node_modules', 'tslab', 'dist', 'jupyter.js');
  const sent: Sent[] = [];
  const lastWriteDisplayData = (
    msg: { data: Record<string, string>; transient: { display_id?: string } },
    update?: boolean,
  ) =>
    void sent.push({
      html: msg.data['text/html'],
      data: msg.data,
      id: msg.transient.display_id,
      update: Boolean(update),
    });
  require.cache[key] = { exports: { lastWriteDisplayData } } as unknown as NodeModule;
  try {
    await run(sent);
  } finally {
    delete require.cache[key];
  }
  return sent;
}
