// Where and as whom a function's workers run. Everything here uses what a Linux host has
// without extra software (util-linux's setpriv, prlimit and unshare, cgroups, file modes):
//
// - each function gets a folder of its own outside the data directory, holding a private copy
//   of the runtime bootstrap, a read-only copy of its code (the task root, as /var/task on
//   Lambda), a package.json that ends Node's search for a module type at the function's own
//   folder, and a tmp/ that is its TMPDIR;
// - when the gateway runs as root, each function runs under its own uid and gid, picked from a
//   high range by a hash of its ARN (no /etc/passwd entry is needed): it can read its own
//   folder and nothing of the gateway's (the data directory is 0700, /proc/<gateway>/environ
//   is the gateway's, signals to the gateway fail with EPERM);
// - no_new_privs, a parent-death signal, Lambda's quotas as rlimits (1,024 files and
//   processes, 512 MB per file, no core dumps), optionally a network namespace of its own;
// - the process tree of each worker is contained by process-tree.ts.
//
// docs/lambda-sandbox.md says what each part protects against and what stays reachable.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { WorkerBudget } from './budget.ts';
import { Cgroups, ScannedTree, killUid, type ProcessTree } from './process-tree.ts';
import { NODE_BOOTSTRAP } from './runtime/node-bootstrap.ts';
import { PYTHON_BOOTSTRAP } from './runtime/python-bootstrap.ts';
import type { WorkerSpec } from './worker.ts';

export type LambdaNetwork = 'host' | 'none';

export interface SandboxOptions {
  /** Unzipped code lives below this folder (the code store); anything else is a local folder. */
  readonly codeRoot: string;
  readonly network: LambdaNetwork;
  readonly maxWorkers: number;
  readonly maxMemoryMb: number;
  /** Where function folders are made; a new temporary folder when omitted. */
  readonly parentDir?: string;
}

/** What a worker is started with. */
export interface Launch {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Set only when setpriv is missing: then spawn() itself switches identity. */
  readonly uid?: number;
  readonly gid?: number;
  readonly tree: ProcessTree;
  /** The worker is gone: its tree is killed and what it held is given back. */
  release(): void;
}

/** Lambda's quotas for one execution environment. */
const MAX_OPEN_FILES = 1024;
const MAX_FILE_BYTES = 512 * 1048576;
/** uids and gids of functions: 2^30 .. 2^31-1, far above any distribution's ranges. */
const ID_BASE = 0x4000_0000;
const ID_SPAN = 0x3fff_ffff;
// The launcher joins the worker's cgroups before anything of the function runs, so no process
// of it ever exists outside them; then it becomes the next program of the chain.
const JOIN_CGROUPS = 'unset PWD OLDPWD; n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

export class SandboxHost {
  readonly root: string;
  readonly privileged: boolean;
  readonly budget: WorkerBudget;
  readonly network: LambdaNetwork;
  readonly #codeRoot: string;
  readonly #tools: { setpriv?: string; prlimit?: string; unshare?: string };
  readonly #cgroups: Cgroups | undefined;
  readonly #functions = new Map<string, FunctionSandbox>();
  readonly #ids = new Map<number, string>();
  readonly #ownsRoot: boolean;

  constructor(options: SandboxOptions) {
    if (options.network !== 'host' && options.network !== 'none') {
      throw new Error(`--lambda-network: 'host' or 'none', got '${String(options.network)}'`);
    }
    this.privileged = process.getuid?.() === 0;
    this.network = options.network;
    this.#codeRoot = options.codeRoot;
    this.budget = new WorkerBudget(options.maxWorkers, options.maxMemoryMb);
    this.#tools = { setpriv: findTool('setpriv'), prlimit: findTool('prlimit'), unshare: findTool('unshare') };
    if (this.network === 'none') this.#checkNetworkIsolation();
    this.#cgroups = process.platform === 'linux' ? Cgroups.detect() : undefined;
    this.#ownsRoot = options.parentDir === undefined;
    this.root = options.parentDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-sandbox-'));
    // Others may pass through (to their own function's folder) but not list it.
    chmodSync(this.root, 0o711);
  }

  /** What applies on this host, one line each (logged at start, asserted in tests). */
  describe(): string[] {
    const lines = [
      this.privileged ? 'a uid and gid per function' : 'functions run as the gateway\'s own user (not root)',
      this.#tools.setpriv !== undefined ? 'no_new_privs and a parent-death signal (setpriv)' : 'no setpriv: no no_new_privs',
      this.#tools.prlimit !== undefined ? 'rlimits: open files, processes, file size, core dumps (prlimit)' : 'no prlimit: no rlimits',
      this.network === 'none' ? 'no network (a network namespace of its own)' : 'host network',
    ];
    lines.push(...(this.#cgroups?.describe() ?? ['no writable cgroups: process trees are found by scanning /proc']));
    return lines;
  }

  get cgroups(): boolean {
    return this.#cgroups !== undefined;
  }

  forFunction(arn: string): FunctionSandbox {
    let fs = this.#functions.get(arn);
    if (fs === undefined) {
      fs = new FunctionSandbox(this, arn, this.#idFor(arn));
      this.#functions.set(arn, fs);
    }
    return fs;
  }

  /** A function was deleted: its processes die, its folder goes. */
  async drop(arn: string): Promise<void> {
    const fs = this.#functions.get(arn);
    if (fs === undefined) return;
    this.#functions.delete(arn);
    await fs.dispose();
  }

  /** Every function's processes die and its folder goes (the gateway's reset). */
  async reset(): Promise<void> {
    const all = [...this.#functions.values()];
    this.#functions.clear();
    await Promise.all(all.map((f) => f.dispose()));
  }

  async close(): Promise<void> {
    await this.reset();
    this.#cgroups?.close();
    if (this.#ownsRoot) rmSync(this.root, { recursive: true, force: true });
  }

  newTree(memoryMb: number): ProcessTree {
    // Without setpriv, spawn() switches uid itself and the launcher cannot join cgroups as root.
    if (this.privileged && this.#tools.setpriv === undefined) return new ScannedTree();
    return this.#cgroups?.tree(memoryMb) ?? new ScannedTree();
  }

  /** The chain of programs that puts a worker in its place before the runtime starts. */
  wrap(command: readonly string[], tree: ProcessTree, uid: number | undefined, gid: number | undefined): { argv: string[]; uid?: number; gid?: number } {
    const chain: string[] = [];
    const { setpriv, prlimit, unshare } = this.#tools;
    if (prlimit !== undefined) {
      // The process count is per uid: with a uid per function it bounds the whole function.
      const nproc = uid !== undefined ? [`--nproc=${1024}`] : [];
      chain.push(prlimit, `--nofile=${MAX_OPEN_FILES}`, `--fsize=${MAX_FILE_BYTES}`, '--core=0', ...nproc, '--');
    }
    if (this.network === 'none') {
      chain.push(unshare!, '--net', ...(this.privileged ? [] : ['--user', '--map-current-user']), '--');
    }
    let spawnIds: { uid?: number; gid?: number } = {};
    if (setpriv !== undefined) {
      const ids = uid !== undefined && gid !== undefined ? [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'] : [];
      chain.push(setpriv, ...ids, '--no-new-privs', '--pdeathsig=KILL', '--');
    } else if (uid !== undefined) {
      spawnIds = { uid, gid };
    }
    chain.push(...command);
    if (tree.joinFiles.length === 0 || spawnIds.uid !== undefined) return { argv: chain, ...spawnIds };
    return { argv: ['/bin/sh', '-c', JOIN_CGROUPS, 'gatehouse-sandbox', String(tree.joinFiles.length), ...tree.joinFiles, ...chain], ...spawnIds };
  }

  isUnpacked(codeDir: string): boolean {
    return codeDir.startsWith(this.#codeRoot + sep);
  }

  #idFor(arn: string): number | undefined {
    if (!this.privileged) return undefined;
    // Stable for a function of this gateway's data (its code folder and the ARN), and different
    // for the same ARN in another gateway on the host: DeleteFunction kills every process of the
    // uid, which must never reach another gateway's function of the same name.
    let id = ID_BASE + (createHash('sha256').update(this.#codeRoot).update('\0').update(arn).digest().readUInt32BE(0) % ID_SPAN);
    while (this.#ids.has(id) && this.#ids.get(id) !== arn) id = ID_BASE + ((id - ID_BASE + 1) % ID_SPAN);
    this.#ids.set(id, arn);
    return id;
  }

  #checkNetworkIsolation(): void {
    const unshare = this.#tools.unshare;
    const args = ['--net', ...(this.privileged ? [] : ['--user', '--map-current-user']), '--', 'true'];
    const ok = unshare !== undefined && spawnSync(unshare, args, { stdio: 'ignore' }).status === 0;
    // Refusing to start is safer than running functions with a network they were meant not to have.
    if (!ok) throw new Error('--lambda-network none needs unshare (util-linux) and either root or unprivileged user namespaces; this host has neither.');
  }
}

interface TaskCopy {
  readonly dir: string;
  readonly ready: Promise<void>;
  users: number;
  /** Removed when its last user leaves (older code, or a local folder's per-start copy). */
  stale: boolean;
}

export class FunctionSandbox {
  readonly #host: SandboxHost;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly dir: string;
  readonly #tasks = new Map<string, TaskCopy>();
  #base: Promise<void> | undefined;
  #copies = 0;
  #disposed = false;

  constructor(host: SandboxHost, arn: string, id: number | undefined) {
    this.#host = host;
    this.uid = id;
    this.gid = id;
    this.dir = join(host.root, createHash('sha256').update(arn).digest('hex').slice(0, 24));
  }

  get runtimeDir(): string {
    return join(this.dir, 'runtime');
  }

  get tmpDir(): string {
    return join(this.dir, 'tmp');
  }

  /** Makes the worker's folder ready and says how to start it. */
  async prepare(spec: WorkerSpec, command: (spec: WorkerSpec) => string[]): Promise<Launch> {
    if (this.#disposed) throw new Error('the function was deleted');
    await (this.#base ??= this.#makeBase());
    const task = this.#acquireTask(spec.codeDir);
    let tree: ProcessTree | undefined;
    try {
      await task.ready;
      const bootstrap = join(this.runtimeDir, spec.family === 'python' ? 'bootstrap.py' : 'bootstrap.mjs');
      const env: Record<string, string> = {
        ...spec.env,
        LAMBDA_TASK_ROOT: task.dir,
        LAMBDA_RUNTIME_DIR: this.runtimeDir,
        TMPDIR: this.tmpDir,
      };
      const placed: WorkerSpec = { ...spec, bootstrap, codeDir: task.dir, env };
      tree = this.#host.newTree(spec.memoryMb);
      const argv = command(placed);
      if (this.uid !== undefined) argv[0] = reachableInterpreter(argv[0]!);
      const wrapped = this.#host.wrap(argv, tree, this.uid, this.gid);
      const t = tree;
      let released = false;
      return {
        argv: wrapped.argv,
        cwd: task.dir,
        env,
        ...(wrapped.uid !== undefined ? { uid: wrapped.uid, gid: wrapped.gid! } : {}),
        tree: t,
        release: () => {
          if (released) return;
          released = true;
          t.dispose();
          this.#releaseTask(task);
        },
      };
    } catch (err) {
      tree?.dispose();
      this.#releaseTask(task);
      throw err;
    }
  }

  /** Kills every process of the function, including any that left its workers' trees. */
  killAll(): void {
    if (this.uid !== undefined) killUid(this.uid);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.killAll();
    await this.#base?.catch(() => {});
    await Promise.all([...this.#tasks.values()].map((t) => t.ready.catch(() => {})));
    this.#tasks.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  async #makeBase(): Promise<void> {
    const owned = this.gid !== undefined;
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    await mkdir(this.runtimeDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    // Node looks for the nearest package.json above a .js file to decide between CommonJS and
    // ESM; this one ends that search at the function's own folder, so a "type" in some folder
    // above (the data directory inside a project) never applies. The zip's own package.json,
    // being nearer, still does, as on Lambda.
    await writeFile(join(this.dir, 'package.json'), '{"type":"commonjs"}\n', { mode: 0o444 });
    await writeFile(join(this.runtimeDir, 'bootstrap.mjs'), NODE_BOOTSTRAP, { mode: 0o444 });
    await writeFile(join(this.runtimeDir, 'bootstrap.py'), PYTHON_BOOTSTRAP, { mode: 0o444 });
    if (owned) {
      // The gateway (root) owns everything but tmp/; the function's group may read and enter.
      await chown(this.dir, 0, this.gid);
      await chmod(this.dir, 0o750);
      await chmod(this.runtimeDir, 0o755);
      await chown(this.tmpDir, this.uid!, this.gid);
      await chmod(this.tmpDir, 0o700);
    }
  }

  #acquireTask(codeDir: string): TaskCopy {
    // Unpacked code never changes: one copy serves all workers of that revision. A local folder
    // is the developer's own and may change: each worker start takes a fresh copy.
    const shared = this.#host.isUnpacked(codeDir);
    if (shared) {
      const existing = this.#tasks.get(codeDir);
      if (existing !== undefined) {
        existing.users++;
        return existing;
      }
      for (const t of this.#tasks.values()) t.stale = true;
      for (const [key, t] of this.#tasks) if (t.users === 0) this.#removeTask(key, t);
    }
    const dir = join(this.dir, `task-${++this.#copies}`);
    const task: TaskCopy = { dir, ready: this.#copyCode(codeDir, dir), users: 1, stale: !shared };
    this.#tasks.set(shared ? codeDir : dir, task);
    return task;
  }

  #releaseTask(task: TaskCopy): void {
    task.users--;
    if (task.users > 0 || !task.stale) return;
    for (const [key, t] of this.#tasks) if (t === task) this.#removeTask(key, t);
  }

  #removeTask(key: string, task: TaskCopy): void {
    this.#tasks.delete(key);
    void task.ready.catch(() => {}).then(() => rm(task.dir, { recursive: true, force: true })).catch(() => {});
  }

  /** A read-only copy the function's group may read; written by the gateway, owned by it. */
  async #copyCode(from: string, to: string): Promise<void> {
    const owned = this.gid !== undefined;
    const walk = async (src: string, dst: string): Promise<void> => {
      await mkdir(dst, { mode: 0o750 });
      for (const entry of await readdir(src, { withFileTypes: true })) {
        if (entry.name === '.git') continue;
        const s = join(src, entry.name);
        const d = join(dst, entry.name);
        if (entry.isDirectory()) await walk(s, d);
        else if (entry.isSymbolicLink()) await symlink(await readlink(s), d);
        else if (entry.isFile()) {
          await copyFile(s, d);
          const executable = ((await lstat(s)).mode & 0o111) !== 0;
          if (owned) {
            await chown(d, 0, this.gid!);
            await chmod(d, executable ? 0o550 : 0o440);
          }
        }
      }
      if (owned) {
        await chown(dst, 0, this.gid!);
        await chmod(dst, 0o550);
      }
    };
    await walk(from, to);
  }
}

/**
 * A function's uid is nobody to the file system: an interpreter installed under /root (pyenv,
 * nvm) cannot be run by it. The same program from the usual system folders is used instead.
 */
function reachableInterpreter(path: string): string {
  if (othersCanRun(path)) return path;
  const name = basename(path).replace(/^(python3)\.\d+$/, '$1');
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    const candidate = join(dir, name);
    if (existsSync(candidate) && othersCanRun(candidate)) return candidate;
  }
  throw new Error(`${path} cannot be run by function users (its folders are private); install ${name} where other users can run it, such as /usr/bin`);
}

function othersCanRun(path: string): boolean {
  try {
    const real = realpathSync(path);
    if ((statSync(real).mode & 0o005) !== 0o005) return false;
    for (let dir = dirname(real); ; dir = dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dir === '/') return true;
    }
  } catch {
    return false;
  }
}

function findTool(name: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}
