// Function code on disk. A ZipFile upload is unpacked under `${root}/code/{account}/{region}/
// {function}/{revision}/` with the archive kept beside it; a local directory (Gatehouse's
// development option, Code.S3Bucket "__local__") is used where it is, so edits show on the next
// cold start.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { lazy } from '../lazy.ts';

const fflate = lazy<typeof import('fflate')>('fflate');
import { LambdaError } from './errors.ts';
import type { CodeLocation } from './function-config.ts';

export const LOCAL_CODE_BUCKET = '__local__';
/** Lambda's quota for unzipped deployment packages. */
const MAX_UNZIPPED = 262_144_000;

export interface StoredCode {
  readonly location: CodeLocation;
  readonly sha256: string;
  readonly size: number;
}

export interface CodeInput {
  readonly zip?: Buffer;
  readonly localDir?: string;
}

/** Reads the `Code` member of CreateFunction, or the body of UpdateFunctionCode. */
export function readCodeInput(code: Record<string, unknown>): CodeInput {
  const zip = code['ZipFile'];
  const bucket = code['S3Bucket'];
  const key = code['S3Key'];
  if (typeof zip === 'string' && zip.length > 0) {
    return { zip: Buffer.from(zip, 'base64') };
  }
  if (bucket === LOCAL_CODE_BUCKET) {
    if (typeof key !== 'string' || !isAbsolute(key)) {
      throw new LambdaError('InvalidParameterValueException', `With S3Bucket ${LOCAL_CODE_BUCKET}, S3Key must be an absolute directory path on the Gatehouse host.`);
    }
    return { localDir: normalize(key) };
  }
  if (typeof bucket === 'string') {
    throw new LambdaError('InvalidParameterValueException', `Gatehouse does not read code from S3 (bucket ${bucket}); upload a ZipFile or use S3Bucket ${LOCAL_CODE_BUCKET} with a local directory as S3Key.`);
  }
  if (typeof code['ImageUri'] === 'string') {
    throw new LambdaError('InvalidParameterValueException', 'Gatehouse does not run container images; upload a ZipFile.');
  }
  throw new LambdaError('InvalidParameterValueException', 'Please provide a source for function code.');
}

export class CodeStore {
  readonly #root: string;

  constructor(lambdaRoot: string) {
    this.#root = join(lambdaRoot, 'code');
  }

  async save(partition: string, functionName: string, revision: string, input: CodeInput): Promise<StoredCode> {
    if (input.localDir !== undefined) return describeLocal(input.localDir);
    const zip = input.zip!;
    let files: Record<string, Uint8Array>;
    try {
      files = fflate().unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
    } catch {
      throw new LambdaError('InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    }
    let total = 0;
    for (const data of Object.values(files)) total += data.byteLength;
    if (total > MAX_UNZIPPED) throw new LambdaError('InvalidParameterValueException', `Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`);
    const base = join(this.#root, partition, functionName);
    const dir = join(base, revision);
    await mkdir(dir, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      const target = normalize(join(dir, name));
      // Entries such as ../../etc/x must not leave the function's folder.
      if (!target.startsWith(dir + sep)) continue;
      if (name.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, data);
    }
    const zipPath = dir + '.zip';
    await writeFile(zipPath, zip);
    return {
      location: { kind: 'zip', dir, zipPath },
      sha256: createHash('sha256').update(zip).digest('base64'),
      size: zip.byteLength,
    };
  }

  /** Removes code Gatehouse unpacked; a local directory belongs to the user and stays. */
  async remove(location: CodeLocation): Promise<void> {
    if (location.kind !== 'zip' || !location.dir.startsWith(this.#root + sep)) return;
    await rm(location.dir, { recursive: true, force: true });
    if (location.zipPath !== undefined) await rm(location.zipPath, { force: true });
  }

  async removeAll(): Promise<void> {
    await rm(this.#root, { recursive: true, force: true });
  }
}

/** A local directory's CodeSha256 covers every file's path and content, so it changes with the code. */
async function describeLocal(dir: string): Promise<StoredCode> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new LambdaError('InvalidParameterValueException', `Gatehouse cannot read the local code directory ${dir}.`);
  }
  if (!info.isDirectory()) throw new LambdaError('InvalidParameterValueException', `${dir} is not a directory.`);
  const hash = createHash('sha256');
  let size = 0;
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === '.git') continue;
      const path = rel === '' ? e.name : rel + '/' + e.name;
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const data = await readFile(join(dir, path));
        hash.update(path).update('\0').update(data).update('\0');
        size += data.byteLength;
      }
    }
  }
  await walk('');
  return { location: { kind: 'local', dir }, sha256: hash.digest('base64'), size };
}
