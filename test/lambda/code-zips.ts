// Hand-built zip archives for the code-store tests: entries whose declared sizes may differ from
// what they inflate to (zip bombs), built by streaming deflate so the test never holds the
// inflated data.
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';

export interface RawEntry {
  name: string;
  /** deflate-compressed data */
  data: Buffer;
  crc: number;
  /** the uncompressed size written in the headers (true or not) */
  declared: number;
  /** unix mode for the external attributes (default a 0644 regular file) */
  mode?: number;
}

/** Deflates `total` zero bytes in 1 MiB steps; returns the data and its CRC-32. */
export async function deflatedZeros(total: number): Promise<{ data: Buffer; crc: number }> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(Math.min(total, 1 << 20));
  let crc = 0;
  for (let n = 0; n < total; n += chunk.length) {
    const part = total - n >= chunk.length ? chunk : chunk.subarray(0, total - n);
    crc = crc32(part, crc);
    if (!deflate.write(part)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return { data: Buffer.concat(out), crc };
}

/** A zip (no zip64) of the given entries, central directory and all. */
export function buildZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.byteLength, 18);
    local.writeUInt32LE(e.declared, 22);
    local.writeUInt16LE(name.byteLength, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.byteLength, 20);
    central.writeUInt32LE(e.declared, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.byteLength + e.data.byteLength;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A stored-or-deflated entry of some text, sizes true. */
export async function textEntry(name: string, text: string, mode?: number): Promise<RawEntry> {
  const raw = Buffer.from(text);
  const deflate = createDeflateRaw();
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  deflate.end(raw);
  await once(deflate, 'end');
  const entry: RawEntry = { name, data: Buffer.concat(out), crc: crc32(raw), declared: raw.byteLength };
  if (mode !== undefined) entry.mode = mode;
  return entry;
}
