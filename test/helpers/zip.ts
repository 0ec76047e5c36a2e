/** A tiny zip writer for tests: deflated or stored entries, directories, symlinks; names are written as given. */
import { crc32, deflateRawSync } from 'node:zlib';

/** One zip entry: a file (`data`), a directory (name ending with '/'), or a symlink (`symlinkTo`). */
export interface ZipInput {
  name: string;
  data?: Buffer | string;
  symlinkTo?: string;
  store?: boolean;
  /** The name's bytes as written, without the UTF-8 flag (a legacy code-page name); default: `name` in UTF-8. */
  rawName?: Buffer;
  /** The uncompressed size written in the headers (default: the real one); a lie, to test size checks. */
  declaredSize?: number;
}

/** Builds a zip archive in memory. */
export function makeZip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = e.rawName ?? Buffer.from(e.name, 'utf8');
    const flags = e.rawName ? 0 : 0x800;
    const raw = Buffer.from(e.symlinkTo ?? e.data ?? '');
    const store = e.store || raw.length === 0 || e.symlinkTo !== undefined;
    const body = store ? raw : deflateRawSync(raw);
    const crc = crc32(raw);
    const method = store ? 0 : 8;
    const size = e.declaredSize ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    const mode = e.symlinkTo !== undefined ? 0o120777 : e.name.endsWith('/') ? 0o40755 : 0o100644;
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
