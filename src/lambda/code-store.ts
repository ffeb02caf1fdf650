// Function code on disk. A ZipFile upload is unpacked under `${root}/code/{account}/{region}/
// {function}/{revision}/` with the archive kept beside it; a local directory (Gatehouse's
// development option, Code.S3Bucket "__local__") is a folder under the operator's
// --lambda-local-code-root, used where it is, so edits show on the next cold start.
//
// Records hold locations relative to the code store or to the local code root, never a path:
// they are resolved against the folders of the running process, so a data directory that moves
// (or is named relatively, or absolutely, from another folder) keeps its functions working.
import { createHash } from 'node:crypto';
import { realpathSync, createReadStream } from 'node:fs';
import { mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { extractZip, MAX_UNZIPPED, tooLargeUnzipped } from './code-archive.ts';
import { LambdaError } from './errors.ts';
import type { CodeLocation } from './function-config.ts';

export const LOCAL_CODE_BUCKET = '__local__';

export interface StoredCode {
  readonly location: CodeLocation;
  readonly sha256: string;
  readonly size: number;
}

/** Where a function's code is for this process. */
export interface CodePaths {
  readonly dir: string;
  /** The uploaded archive (zip code only), for GetFunction's Code.Location. */
  readonly zipPath?: string;
}

export interface CodeInput {
  readonly zip?: Buffer;
  /** S3Key with bucket __local__: a folder under the local code root (relative, or absolute inside it). */
  readonly localKey?: string;
}

/** Reads the `Code` member of CreateFunction, or the body of UpdateFunctionCode. */
export function readCodeInput(code: Record<string, unknown>): CodeInput {
  const zip = code['ZipFile'];
  const bucket = code['S3Bucket'];
  const key = code['S3Key'];
  // The wire API decodes the base64 member as it reads the body (code-request.ts).
  if (zip instanceof Uint8Array && zip.byteLength > 0) {
    return { zip: Buffer.isBuffer(zip) ? zip : Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength) };
  }
  if (typeof zip === 'string' && zip.length > 0) {
    return { zip: Buffer.from(zip, 'base64') };
  }
  if (bucket === LOCAL_CODE_BUCKET) {
    if (typeof key !== 'string' || key.length === 0 || key.includes('\0')) {
      throw new LambdaError('InvalidParameterValueException', `With S3Bucket ${LOCAL_CODE_BUCKET}, S3Key must name a folder under Gatehouse's --lambda-local-code-root.`);
    }
    return { localKey: key };
  }
  if (typeof bucket === 'string') {
    throw new LambdaError('InvalidParameterValueException', `Gatehouse does not read code from S3 (bucket ${bucket}); upload a ZipFile or use S3Bucket ${LOCAL_CODE_BUCKET} with a folder under --lambda-local-code-root as S3Key.`);
  }
  if (typeof code['ImageUri'] === 'string') {
    throw new LambdaError('InvalidParameterValueException', 'Gatehouse does not run container images; upload a ZipFile.');
  }
  throw new LambdaError('InvalidParameterValueException', 'Please provide a source for function code.');
}

// What Lambda answers when it cannot read the S3 object named as code: with the option off the
// bucket does not exist; a key outside the root is one it may not read.
function noSuchBucket(): LambdaError {
  return new LambdaError('InvalidParameterValueException', 'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist');
}
function noSuchKey(): LambdaError {
  return new LambdaError('InvalidParameterValueException', 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.');
}
function accessDenied(): LambdaError {
  return new LambdaError('InvalidParameterValueException', 'Error occurred while GetObject. S3 Error Code: AccessDenied. S3 Error Message: Access Denied');
}
/** A stored function whose local folder the current configuration no longer allows. */
function localCodeUnavailable(): LambdaError {
  return new LambdaError('ResourceConflictException',
    'The function\'s code cannot be loaded: its S3Bucket __local__ folder is not under this Gatehouse\'s --lambda-local-code-root (or the option is off). Set the option, or run UpdateFunctionCode.');
}

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A zip location's key; a record from before keys held a path whose last four parts are the key. */
function zipKey(location: CodeLocation): string {
  const key = location.key ?? (location.dir ?? '').split(/[\\/]+/).filter((s) => s !== '').slice(-4).join('/');
  const parts = key.split('/');
  if (parts.length !== 4 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new LambdaError('ServiceException', 'The function\'s stored code location is not valid.');
  }
  return key;
}

export class CodeStore {
  readonly #root: string;
  readonly #localRoot: string;

  /** `localRoot`: absolute, or '' when S3Bucket __local__ is off. */
  constructor(lambdaRoot: string, localRoot: string) {
    this.#root = join(lambdaRoot, 'code');
    this.#localRoot = localRoot;
  }

  async save(partition: string, functionName: string, revision: string, input: CodeInput): Promise<StoredCode> {
    if (input.localKey !== undefined) return this.#saveLocal(input.localKey);
    const zip = input.zip!;
    const key = zipKey({ kind: 'zip', key: `${partition}/${functionName}/${revision}` });
    const dir = join(this.#root, key);
    await mkdir(dir, { recursive: true });
    try {
      await extractZip(zip, dir);
      await writeFile(dir + '.zip', zip);
    } catch (err) {
      await this.remove({ kind: 'zip', key });
      throw err;
    }
    return {
      location: { kind: 'zip', key },
      sha256: createHash('sha256').update(zip).digest('base64'),
      size: zip.byteLength,
    };
  }

  /**
   * The folders of a stored location in this process. Throws for a local folder the
   * configuration no longer allows; symlinks are followed and the result checked again, since
   * they can change after CreateFunction.
   */
  resolve(location: CodeLocation): CodePaths {
    if (location.kind === 'zip') {
      const dir = join(this.#root, zipKey(location));
      return { dir, zipPath: dir + '.zip' };
    }
    const wanted = this.#localPath(location);
    if (wanted === undefined) throw localCodeUnavailable();
    try {
      const real = realpathSync(wanted);
      if (within(realpathSync(this.#localRoot), real)) return { dir: real };
    } catch { /* gone: unavailable */ }
    throw localCodeUnavailable();
  }

  /** Code.Location of GetFunction for a local folder (shown even when it is no longer allowed). */
  localLocation(location: CodeLocation): string {
    return `file://${this.#localPath(location) ?? location.dir ?? location.key ?? ''}`;
  }

  /** Removes code Gatehouse unpacked; a local directory belongs to the user and stays. */
  async remove(location: CodeLocation): Promise<void> {
    if (location.kind !== 'zip') return;
    let dir;
    try {
      dir = join(this.#root, zipKey(location));
    } catch {
      return;
    }
    await rm(dir, { recursive: true, force: true });
    await rm(dir + '.zip', { force: true });
  }

  async removeAll(): Promise<void> {
    await rm(this.#root, { recursive: true, force: true });
  }

  /** The local folder a location names, lexically inside the root; undefined when it is not. */
  #localPath(location: CodeLocation): string | undefined {
    if (this.#localRoot === '') return undefined;
    const path = location.key !== undefined ? join(this.#localRoot, location.key) : normalize(location.dir ?? '');
    return isAbsolute(path) && within(this.#localRoot, path) ? path : undefined;
  }

  async #saveLocal(key: string): Promise<StoredCode> {
    if (this.#localRoot === '') throw noSuchBucket();
    // Checked by name first, so nothing outside the root is ever looked at (not even whether it exists).
    const wanted = isAbsolute(key) ? normalize(key) : join(this.#localRoot, key);
    if (!within(this.#localRoot, wanted)) throw accessDenied();
    let real;
    let realRoot;
    try {
      realRoot = await realpath(this.#localRoot);
    } catch {
      throw noSuchBucket();
    }
    try {
      real = await realpath(wanted);
    } catch {
      throw noSuchKey();
    }
    if (!within(realRoot, real)) throw accessDenied();
    if (!(await stat(real)).isDirectory()) throw noSuchKey();
    const described = await describeLocal(real);
    const rel = relative(this.#localRoot, wanted).split(sep).join('/');
    return { location: { kind: 'local', key: rel === '' ? '.' : rel }, ...described };
  }
}

/**
 * A local directory's CodeSha256 covers every regular file's path and content, so it changes
 * with the code. Symlinks are not followed (they could lead out of the root), and the walk stops
 * at Lambda's unzipped limit.
 */
async function describeLocal(dir: string): Promise<{ sha256: string; size: number }> {
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
        hash.update(path).update('\0');
        for await (const chunk of createReadStream(join(dir, path))) {
          size += (chunk as Buffer).byteLength;
          if (size > MAX_UNZIPPED) throw tooLargeUnzipped();
          hash.update(chunk as Buffer);
        }
        hash.update('\0');
      }
    }
  }
  await walk('');
  return { sha256: hash.digest('base64'), size };
}
