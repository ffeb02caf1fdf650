// Every process a worker starts, found, measured and killed as one: a detached child, a
// double-forked daemon or a Python start_new_session=True child leaves the worker's process
// group, so the group alone cannot contain a function.
//
// Where this process may create cgroups (root, or a delegated subtree) each worker gets its own
// cgroup in every hierarchy that is writable: cgroup v2 (pure, or the "unified" mount of a
// hybrid host) tracks membership and kills the whole tree at once through cgroup.kill; the
// memory and pids controllers (v2, or v1 on hybrid hosts) make the kernel enforce MemorySize and
// Lambda's 1,024-process quota. A cgroup cannot be left without privileges, so nothing escapes.
// Without cgroups, the tree is the worker's descendants found by scanning /proc, remembered as
// they are seen: best effort, since a child that detaches and whose parent exits between two
// scans is re-parented out of sight (docs/lambda-sandbox.md).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PAGE_SIZE = 4096;
let instances = 0;
/** Lambda's quota of processes and threads per execution environment. */
export const MAX_PROCESSES = 1024;

export interface ProcessTree {
  /** Files the launcher writes its own pid into before it runs the function (cgroup.procs). */
  readonly joinFiles: readonly string[];
  /** The worker's own pid, once spawned. */
  attach(pid: number): void;
  members(): number[];
  /** Resident memory of the whole tree. */
  memoryBytes(): number;
  /** True once the kernel's OOM killer acted inside the tree's memory cgroup. */
  oomKilled(): boolean;
  kill(): void;
  /** After the worker exited: kills what is left and removes the cgroups. */
  dispose(): void;
}

interface Hierarchy {
  readonly kind: 'v2' | 'memory' | 'pids';
  /** Gatehouse's own folder in the hierarchy; workers' cgroups are made below it. */
  readonly base: string;
}

/** The cgroup hierarchies this process can create children in; none when unprivileged. */
export class Cgroups {
  readonly #hierarchies: Hierarchy[];
  #next = 0;

  private constructor(hierarchies: Hierarchy[]) {
    this.#hierarchies = hierarchies;
  }

  static detect(): Cgroups | undefined {
    let own: string;
    try {
      own = readFileSync('/proc/self/cgroup', 'utf8');
    } catch {
      return undefined;
    }
    const paths = new Map<string, string>();
    for (const line of own.split('\n')) {
      const [id, controllers, path] = line.split(':', 3) as [string, string, string];
      if (path === undefined) continue;
      if (id === '0' && controllers === '') paths.set('v2', path);
      for (const c of controllers.split(',')) if (c === 'memory' || c === 'pids') paths.set(c, path);
    }
    // Several services may run in one process (tests): each gets its own folder.
    const name = `gatehouse-${process.pid}-${++instances}`;
    const found: Hierarchy[] = [];
    const v2Mount = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup'
      : existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? '/sys/fs/cgroup/unified' : undefined;
    const candidates: [Hierarchy['kind'], string | undefined][] = [
      ['v2', v2Mount],
      ['memory', v2Mount === '/sys/fs/cgroup' ? undefined : '/sys/fs/cgroup/memory'],
      ['pids', v2Mount === '/sys/fs/cgroup' ? undefined : '/sys/fs/cgroup/pids'],
    ];
    for (const [kind, mount] of candidates) {
      const path = paths.get(kind);
      if (mount === undefined || path === undefined || !existsSync(join(mount, 'cgroup.procs'))) continue;
      const parent = join(mount, path);
      const base = join(parent, name);
      try {
        removeStale(parent);
        mkdirSync(base);
        // Controllers below a v2 cgroup must be switched on in each parent's subtree_control; a
        // parent holding processes may refuse (the "no internal processes" rule): then v2 only
        // tracks and kills, and memory is watched by sampling.
        if (kind === 'v2') for (const c of ['+memory', '+pids']) tryWrite(join(base, 'cgroup.subtree_control'), c);
        found.push({ kind, base });
      } catch {
        // not writable here: this hierarchy is not ours to use
      }
    }
    if (!found.some((h) => h.kind === 'v2')) {
      // Without v2 there is no cgroup.kill; v1 memory and pids still bound and track the tree.
      if (found.length === 0) return undefined;
    }
    return new Cgroups(found);
  }

  /** Which controls apply, for the start-up log and the docs. */
  describe(): string[] {
    return this.#hierarchies.map((h) => {
      if (h.kind !== 'v2') return `cgroup v1 ${h.kind} (${h.kind === 'memory' ? 'MemorySize enforced by the kernel' : '1,024 processes'}) at ${h.base}`;
      let enabled = '';
      try {
        enabled = readFileSync(join(h.base, 'cgroup.subtree_control'), 'latin1');
      } catch {
        // described as tracking only
      }
      const parts = [existsSync(join(h.base, 'cgroup.kill')) ? 'tree kill (cgroup.kill)' : 'tree kill by signals'];
      if (enabled.includes('memory')) parts.push('memory.max');
      if (enabled.includes('pids')) parts.push('pids.max');
      return `cgroup v2 (${parts.join(', ')}) at ${h.base}`;
    });
  }

  tree(memoryMb: number): ProcessTree {
    const dirs: [Hierarchy['kind'], string][] = [];
    const name = `w${++this.#next}`;
    for (const h of this.#hierarchies) {
      const dir = join(h.base, name);
      try {
        mkdirSync(dir);
      } catch {
        continue;
      }
      const limit = memoryMb * 1048576;
      if (h.kind === 'v2') {
        tryWrite(join(dir, 'memory.max'), String(limit));
        tryWrite(join(dir, 'memory.swap.max'), '0');
        tryWrite(join(dir, 'pids.max'), String(MAX_PROCESSES));
      } else if (h.kind === 'memory') {
        tryWrite(join(dir, 'memory.limit_in_bytes'), String(limit));
      } else {
        tryWrite(join(dir, 'pids.max'), String(MAX_PROCESSES));
      }
      dirs.push([h.kind, dir]);
    }
    return new CgroupTree(dirs);
  }

  close(): void {
    for (const h of this.#hierarchies) {
      killAndRemove(h.base);
    }
  }
}

class CgroupTree implements ProcessTree {
  readonly joinFiles: string[];
  readonly #dirs: [Hierarchy['kind'], string][];
  #pid = -1;

  constructor(dirs: [Hierarchy['kind'], string][]) {
    this.#dirs = dirs;
    this.joinFiles = dirs.map(([, d]) => join(d, 'cgroup.procs'));
  }

  attach(pid: number): void {
    this.#pid = pid;
  }

  members(): number[] {
    const first = this.#dirs[0];
    if (first === undefined) return this.#pid > 0 ? [this.#pid] : [];
    return readPids(join(first[1], 'cgroup.procs'));
  }

  memoryBytes(): number {
    let total = 0;
    for (const pid of this.members()) total += residentBytes(pid);
    return total;
  }

  oomKilled(): boolean {
    for (const [kind, dir] of this.#dirs) {
      const file = kind === 'v2' ? join(dir, 'memory.events') : kind === 'memory' ? join(dir, 'memory.oom_control') : undefined;
      if (file === undefined) continue;
      try {
        const m = /oom_kill (\d+)/.exec(readFileSync(file, 'latin1'));
        if (m !== null && Number(m[1]) > 0) return true;
      } catch {
        // the file is absent on older kernels; sampling still catches the overrun
      }
    }
    return false;
  }

  kill(): void {
    for (const [kind, dir] of this.#dirs) {
      if (kind === 'v2' && tryWrite(join(dir, 'cgroup.kill'), '1')) return;
    }
    // No cgroup.kill (kernel before 5.14, or v1 only): kill each member, until none is left to
    // fork another; the pids controller bounds how many there can be.
    for (let round = 0; round < 8; round++) {
      const pids = this.members();
      if (pids.length === 0) break;
      for (const pid of pids) signal(pid);
    }
    if (this.#pid > 0) signal(this.#pid);
  }

  dispose(): void {
    this.kill();
    for (const [, dir] of this.#dirs) removeWhenEmpty(dir);
  }
}

/** The fallback without cgroups: the worker and its descendants as /proc shows them. */
export class ScannedTree implements ProcessTree {
  readonly joinFiles: string[] = [];
  #pid = -1;
  /** pid → start time: a pid seen in the tree once stays a suspect until it is gone or reused. */
  readonly #seen = new Map<number, string>();

  attach(pid: number): void {
    this.#pid = pid;
  }

  members(): number[] {
    if (this.#pid <= 0) return [];
    const table = processTable();
    const children = new Map<number, number[]>();
    for (const [pid, p] of table) {
      const list = children.get(p.ppid);
      if (list === undefined) children.set(p.ppid, [pid]);
      else list.push(pid);
    }
    const out: number[] = [];
    const visit = (pid: number): void => {
      const p = table.get(pid);
      if (p === undefined) return;
      out.push(pid);
      this.#seen.set(pid, p.start);
      for (const c of children.get(pid) ?? []) visit(c);
    };
    visit(this.#pid);
    for (const [pid, start] of this.#seen) {
      const p = table.get(pid);
      if (p === undefined || p.start !== start) this.#seen.delete(pid);
      else if (!out.includes(pid)) {
        // re-parented away from the tree (its parent exited): still the function's
        out.push(pid);
        for (const c of children.get(pid) ?? []) visit(c);
      }
    }
    return out;
  }

  memoryBytes(): number {
    let total = 0;
    for (const pid of this.members()) total += residentBytes(pid);
    return total;
  }

  oomKilled(): boolean {
    return false;
  }

  kill(): void {
    const pids = this.members();
    if (this.#pid > 0) {
      try {
        process.kill(-this.#pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
    for (const pid of pids) signal(pid);
  }

  dispose(): void {
    this.kill();
  }
}

/** SIGKILLs every process whose real uid is `uid`: a function's own uid holds only its processes. */
export function killUid(uid: number): number {
  let killed = 0;
  for (let round = 0; round < 4; round++) {
    let found = 0;
    for (const name of listProc()) {
      try {
        const status = readFileSync(`/proc/${name}/status`, 'latin1');
        const m = /\nUid:\t(\d+)/.exec(status);
        if (m !== null && Number(m[1]) === uid) {
          signal(Number(name));
          found++;
        }
      } catch {
        // exited meanwhile
      }
    }
    killed += found;
    if (found === 0) break;
  }
  return killed;
}

function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  for (const name of listProc()) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie is dead already; it lingers only until its parent (or init) reaps it.
      if (fields[0] === 'Z') continue;
      table.set(Number(name), { ppid: Number(fields[1]), start: fields[19] ?? '' });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

function listProc(): string[] {
  try {
    return readdirSync('/proc').filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57);
  } catch {
    return [];
  }
}

function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'latin1').split('\n').filter((s) => s !== '').map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number): void {
  if (pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

/** A cgroup can be removed only once its processes have been reaped; that takes a moment. */
function removeWhenEmpty(dir: string, attempt = 0): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || attempt >= 100) return;
    for (const pid of readPids(join(dir, 'cgroup.procs'))) signal(pid);
    setTimeout(() => removeWhenEmpty(dir, attempt + 1), 20).unref();
  }
}

function killAndRemove(base: string): void {
  let children: string[] = [];
  try {
    children = readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(base, d.name));
  } catch {
    return;
  }
  for (const dir of children) {
    if (!tryWrite(join(dir, 'cgroup.kill'), '1')) for (const pid of readPids(join(dir, 'cgroup.procs'))) signal(pid);
    try {
      rmdirSync(dir);
    } catch {
      // busy until its processes are reaped; removeWhenEmpty of its worker retries
    }
  }
  try {
    rmdirSync(base);
  } catch {
    setTimeout(() => { try { rmdirSync(base); } catch { /* left for the next start to remove */ } }, 200).unref();
  }
}

/** A gateway that died without closing leaves gatehouse-<pid> cgroups: their processes die now. */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith('gatehouse-'));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(n.split('-')[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // another gateway that is alive owns it
    } catch {
      killAndRemove(join(parent, n));
    }
  }
}
