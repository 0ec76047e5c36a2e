/** A file writer for tests that waits before each chunk: a signal (or a second writer) lands mid-extraction. */
import * as fs from 'node:fs';
import { Writable } from 'node:stream';

/** A stream factory for `unzip`'s `writeStream` that waits `ms` before writing each chunk to `file`. */
export function slowWriter(ms: number): (file: string) => Writable {
  return (file) => {
    const out = fs.createWriteStream(file);
    return new Writable({
      write(chunk, _enc, cb) {
        setTimeout(() => out.write(chunk, cb), ms);
      },
      final(cb) {
        out.end(cb);
      },
      destroy(err, cb) {
        out.destroy();
        cb(err);
      },
    });
  };
}
