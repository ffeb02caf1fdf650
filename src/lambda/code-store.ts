// Function code. A ZipFile upload is stored in the Store as a blob keyed by its sha256, so every
// process that shares the store (--workers on one SQLite file, hosts on one PostgreSQL) can run
// it: a process unpacks a blob it has not unpacked yet into `${root}/code/cache/{sha256}/` and
// runs it from there. A local directory (Gatehouse's development option, Code.S3Bucket
// "__local__") is a folder under the operator's --lambda-local-code-root, used where it is, so
// edits show on the next cold start; each host needs that folder itself.
//
// A blob is deleted when no function revision references it any more. The references are
// documents of their own (CODE_REF_KIND), written in the transaction that writes the function's
// record, so `locate` finds all of them across accounts and regions.
//
// Records written before blobs hold a folder relative to this host's code store
// (`${root}/code/{account}/{region}/{function}/{revision}/`, the archive beside it); they still
// run where that folder is.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, realpathSync, createReadStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { Store, WriteTx } from '../store/index.ts';
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

/**
 * A reference from one upload (a function revision) to its blob, in the function's partition:
 * parent `{function}/{revision}`, id the blob's sha256 (hex).
 */
export const CODE_REF_KIND = 'lambda-code-ref';

interface CodeRef {
  readonly function: string;
  /** While the upload is under way (ms since the epoch); the record's transaction clears it. */
  readonly pinned?: number;
}

/** A pin this old was left by a process that died between storing code and writing its record. */
const PIN_LIFETIME_MS = 3_600_000;

function refParent(functionName: string, revision: string): string {
  return `${functionName}/${revision}`;
}

function isStalePin(ref: CodeRef): boolean {
  return ref.pinned !== undefined && Date.now() - ref.pinned > PIN_LIFETIME_MS;
}

/** A blob key from a record; it names a folder, so nothing but a hex digest is accepted. */
function blobKey(location: CodeLocation): string {
  const blob = location.blob ?? '';
  if (!/^[0-9a-f]{64}$/.test(blob)) throw new LambdaError('ServiceException', 'The function\'s stored code location is not valid.');
  return blob;
}

function codeMissing(): LambdaError {
  return new LambdaError('ServiceException', 'The function\'s code archive is missing from Gatehouse\'s store. Run UpdateFunctionCode.');
}

/** A record from before blobs whose folder is on another host's disk. */
function legacyCodeElsewhere(): LambdaError {
  return new LambdaError('ResourceConflictException',
    'The function\'s code was stored by an earlier Gatehouse on another host\'s disk and is not on this one. Run UpdateFunctionCode.');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export class CodeStore {
  readonly #store: Store;
  readonly #root: string;
  readonly #cache: string;
  readonly #localRoot: string;
  /** Unpackings under way in this process, by blob: a second cold start waits for the first. */
  readonly #unpacking = new Map<string, Promise<string>>();

  /** `localRoot`: absolute, or '' when S3Bucket __local__ is off. */
  constructor(store: Store, lambdaRoot: string, localRoot: string) {
    this.#store = store;
    // Under code/, where the sandbox treats folders as immutable and shares one copy per revision.
    this.#root = join(lambdaRoot, 'code');
    this.#cache = join(this.#root, 'cache');
    this.#localRoot = localRoot;
  }

  /**
   * Makes an upload ready for a record to name it. A zip is checked by unpacking it here, pinned
   * (its reference, in a transaction of its own, so a collection of the same code running
   * meanwhile keeps the blob) and stored as a blob. The caller then writes the record and calls
   * `confirm` in that transaction, or `release` when the write fails.
   */
  async save(partition: string, functionName: string, revision: string, input: CodeInput): Promise<StoredCode> {
    if (input.localKey !== undefined) return this.#saveLocal(input.localKey);
    const zip = input.zip!;
    const digest = createHash('sha256').update(zip).digest();
    const blob = digest.toString('hex');
    await this.#unpacked(blob, zip);
    const location: CodeLocation = { kind: 'zip', blob, revision };
    const pin: CodeRef = { function: functionName, pinned: Date.now() };
    await this.#store.write(partition, (tx) => tx.put(CODE_REF_KIND, refParent(functionName, revision), blob, pin));
    try {
      await this.#store.putBlob(blob, zip);
    } catch (err) {
      await this.release(partition, functionName, location);
      throw err;
    }
    return { location, sha256: digest.toString('base64'), size: zip.byteLength };
  }

  /** In the transaction that writes the record naming `location`: the pin becomes a reference. */
  async confirm(tx: WriteTx, functionName: string, location: CodeLocation): Promise<void> {
    if (location.blob === undefined || location.revision === undefined) return;
    const ref: CodeRef = { function: functionName };
    await tx.put(CODE_REF_KIND, refParent(functionName, location.revision), location.blob, ref);
  }

  /** In the transaction that deletes or replaces the record naming `location`; `collect` after it commits. */
  async unref(tx: WriteTx, functionName: string, location: CodeLocation): Promise<void> {
    if (location.blob === undefined || location.revision === undefined) return;
    await tx.delete(CODE_REF_KIND, refParent(functionName, location.revision), location.blob);
  }

  /** The record naming a saved location was not written: its pin goes, and the code if nothing else uses it. */
  async release(partition: string, functionName: string, location: CodeLocation): Promise<void> {
    if (location.blob === undefined) return;
    try {
      await this.#store.write(partition, (tx) => this.unref(tx, functionName, location));
      await this.collect(location);
    } catch {
      // The failed write's error is the one to report; a pin left behind expires.
    }
  }

  /**
   * After the transaction that dropped a reference commits: code that nothing references any
   * more is deleted, the blob for every process and the unpacked copy on this host (a record
   * from before blobs: its folder and archive).
   */
  async collect(location: CodeLocation): Promise<void> {
    if (location.kind !== 'zip') return;
    if (location.blob === undefined) return this.#removeLegacy(location);
    const blob = blobKey(location);
    if (await this.#referenced(blob)) return;
    // A CreateFunction elsewhere may pin this same code after the look above and put its blob (a
    // no-op: it exists) before the delete below. Its pin is committed before its put, so the
    // second look sees it, and the bytes read first go back.
    const zip = await this.#store.getBlob(blob);
    if (zip !== undefined) {
      await this.#store.deleteBlob(blob);
      if ((await this.#store.locate(CODE_REF_KIND, blob)).length > 0) {
        await this.#store.putBlob(blob, zip);
        return;
      }
    }
    await this.#removeUnpacked(blob);
  }

  /** This process stopped running `location` (its function changed or went elsewhere): the
   *  unpacked copy goes unless some record still references it. */
  async forget(location: CodeLocation): Promise<void> {
    if (location.kind !== 'zip' || location.blob === undefined) return;
    const blob = blobKey(location);
    if (!(await this.#referenced(blob))) await this.#removeUnpacked(blob);
  }

  /**
   * The folders of a stored location on this host; a blob not unpacked here yet is fetched and
   * unpacked first. Throws for a local folder the configuration no longer allows; symlinks are
   * followed and the result checked again, since they can change after CreateFunction.
   */
  async resolve(location: CodeLocation): Promise<CodePaths> {
    if (location.kind === 'zip') {
      if (location.blob !== undefined) return { dir: await this.#unpacked(blobKey(location)) };
      const dir = join(this.#root, zipKey(location));
      if (!existsSync(dir)) throw legacyCodeElsewhere();
      return { dir };
    }
    const wanted = this.#localPath(location);
    if (wanted === undefined) throw localCodeUnavailable();
    try {
      const real = realpathSync(wanted);
      if (within(realpathSync(this.#localRoot), real)) return { dir: real };
    } catch { /* gone: unavailable */ }
    throw localCodeUnavailable();
  }

  /** The archive of a zip location, for GetFunction's Code.Location: the blob's bytes, or (a
   *  record from before blobs) the file's path on this host. */
  async archive(location: CodeLocation): Promise<Buffer | string> {
    if (location.blob === undefined) return join(this.#root, zipKey(location)) + '.zip';
    const zip = await this.#store.getBlob(blobKey(location));
    // Collected meanwhile: the function's code was replaced since the caller read the record.
    if (zip === undefined) throw new LambdaError('ResourceNotFoundException', 'The function\'s code archive is no longer available; call GetFunction again.');
    return zip;
  }

  /** Code.Location of GetFunction for a local folder (shown even when it is no longer allowed). */
  localLocation(location: CodeLocation): string {
    return `file://${this.#localPath(location) ?? location.dir ?? location.key ?? ''}`;
  }

  async removeAll(): Promise<void> {
    await rm(this.#root, { recursive: true, force: true });
  }

  /** Unpacked once per process: a cold start of the same code waits for the unpacking under
   *  way. Processes on one data folder each unpack into a folder of their own and rename it into
   *  place; the first rename wins, so nobody ever sees a half-written folder under the blob's name. */
  #unpacked(blob: string, zip?: Buffer): Promise<string> {
    let pending = this.#unpacking.get(blob);
    if (pending === undefined) {
      pending = this.#unpack(blob, zip).finally(() => this.#unpacking.delete(blob));
      this.#unpacking.set(blob, pending);
    }
    return pending;
  }

  async #unpack(blob: string, zip: Buffer | undefined): Promise<string> {
    const dir = join(this.#cache, blob);
    if (await isDirectory(dir)) return dir;
    zip ??= await this.#fetch(blob);
    await mkdir(this.#cache, { recursive: true });
    const temp = join(this.#cache, `.unpacking-${randomUUID()}`);
    await mkdir(temp);
    try {
      await extractZip(zip, temp);
      await rename(temp, dir);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && await isDirectory(dir)) return dir;
      throw err;
    }
    return dir;
  }

  async #fetch(blob: string): Promise<Buffer> {
    const zip = await this.#store.getBlob(blob);
    // What runs must be what was uploaded: a damaged or substituted blob is refused.
    if (zip === undefined || createHash('sha256').update(zip).digest('hex') !== blob) throw codeMissing();
    return zip;
  }

  /** Renamed away first, so a process on the same data folder never runs a half-removed copy. */
  async #removeUnpacked(blob: string): Promise<void> {
    if (this.#unpacking.has(blob)) return;
    const gone = join(this.#cache, `.removing-${randomUUID()}`);
    try {
      await rename(join(this.#cache, blob), gone);
    } catch {
      return; // not unpacked here
    }
    await rm(gone, { recursive: true, force: true });
  }

  /** Whether any upload references the blob; pins left by a dead process are dropped on the way. */
  async #referenced(blob: string): Promise<boolean> {
    for (const { partition, parent } of await this.#store.locate(CODE_REF_KIND, blob)) {
      const ref = await this.#store.read(partition, (tx) => tx.get<CodeRef>(CODE_REF_KIND, parent, blob));
      if (ref === undefined) continue;
      if (!isStalePin(ref)) return true;
      await this.#store.write(partition, async (tx) => {
        const again = await tx.get<CodeRef>(CODE_REF_KIND, parent, blob);
        if (again !== undefined && isStalePin(again)) await tx.delete(CODE_REF_KIND, parent, blob);
      });
    }
    return false;
  }

  /** Removes a folder Gatehouse unpacked before blobs (a local directory belongs to the user and stays). */
  async #removeLegacy(location: CodeLocation): Promise<void> {
    let dir;
    try {
      dir = join(this.#root, zipKey(location));
    } catch {
      return;
    }
    await rm(dir, { recursive: true, force: true });
    await rm(dir + '.zip', { force: true });
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
