// Unpacks an uploaded deployment package into a folder, one entry at a time, streaming each
// entry from the archive through inflate (zlib, on libuv's thread pool) to its file, so a large
// or hostile archive neither blocks the event loop nor sits in memory. yauzl reads the central
// directory and checks every entry's inflated bytes against its declared size as they arrive;
// the running total of declared sizes stops the upload at Lambda's unzipped limit, so no more
// than that is ever written.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { lazy } from '../lazy.ts';
import { LambdaError } from './errors.ts';

const yauzl = lazy<typeof import('yauzl')>('yauzl');

/** Lambda's quota for an unzipped deployment package. */
export const MAX_UNZIPPED = 262_144_000;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

export function cannotUnzip(): LambdaError {
  return new LambdaError('InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
}

export function tooLargeUnzipped(limit = MAX_UNZIPPED): LambdaError {
  return new LambdaError('InvalidParameterValueException', `Unzipped size must be smaller than ${limit} bytes`);
}

/**
 * Writes the archive's files under `dir` (which must exist). Throws Lambda's
 * InvalidParameterValueException for an archive that is not a zip, is encrypted, lies about its
 * sizes, or unzips to more than `limit` bytes; the caller removes what was written.
 */
export async function extractZip(zip: Buffer, dir: string, limit = MAX_UNZIPPED): Promise<void> {
  const lib = yauzl();
  let zipfile;
  try {
    // decodeStrings off: a bad name (absolute, `..`) then skips that entry instead of failing the
    // whole archive, as the earlier unpacker did; names are decoded and checked below.
    zipfile = await lib.fromBufferPromise(zip, { decodeStrings: false, validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw cannotUnzip();
  }
  let declared = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      const name = lib.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      if (lib.validateFileName(name) !== null) continue;
      const target = normalize(join(dir, name));
      // Entries such as ../../etc/x (or names normalize() folds) must not leave the folder.
      if (!target.startsWith(dir + sep)) continue;
      if (name.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      declared += entry.uncompressedSize;
      if (declared > limit) throw tooLargeUnzipped(limit);
      if (!entry.canDecodeFileData()) throw cannotUnzip();
      const mode = entry.externalFileAttributes >>> 16;
      // Only regular files are written: a symlink entry becomes a file holding its target's
      // name, so nothing written later can follow a link out of the folder.
      const executable = (mode & S_IFMT) === S_IFREG && (mode & 0o111) !== 0;
      await mkdir(join(target, '..'), { recursive: true });
      const data = await zipfile.openReadStreamPromise(entry);
      await pipeline(data, createWriteStream(target, { mode: executable ? 0o755 : 0o644 }));
    }
  } catch (err) {
    if (err instanceof LambdaError) throw err;
    throw cannotUnzip();
  }
}
