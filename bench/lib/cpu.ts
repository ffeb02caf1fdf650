// CPU time per request of a server process, from /proc/PID/stat (utime + stime) read before and
// after a wrk run: unlike requests per second, it does not fall when other work on the machine
// takes the cores, so ratios of it stay put on a busy machine. Runs alternate the cases
// (A B, B A, A B, ...) and report medians, so drift hits each case alike.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time of a process so far, in microseconds (its threads included). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / TICKS_PER_SECOND;
}

/**
 * User + system CPU time of a process and all its descendants (their threads included), in µs:
 * for servers whose work runs in child processes too (Lambda functions in their workers).
 * Descendants are found by walking the parent ids of /proc; a child that exited meanwhile is not
 * counted (unless its parent waited for it), so the measured servers keep their children alive.
 */
export function processTreeCpuMicros(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [Number(name)]);
    else list.push(Number(name));
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      total += processCpuMicros(p);
    } catch {
      continue;
    }
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return total;
}

export interface Run {
  readonly rps: number;
  readonly requests: number;
  /** CPU time of the measured process per request, µs. */
  readonly cpuMicrosPerRequest: number;
  /** Bytes the measured process allocated on its JavaScript heap per request, when a GcTrace follows it. */
  readonly allocBytesPerRequest?: number;
}

/**
 * Bytes a Node process allocated on its JavaScript heap, read from the lines `--trace-gc` prints
 * to its stdout (`... ms: Scavenge 39.1 (66.7) -> 26.1 (66.7) MB, ...`): the heap grows only by
 * allocation between two collections, so the sum over collections of (heap before this one - heap
 * after the previous one) is what was allocated. Unlike CPU time, this does not move when other
 * work on the machine takes the cores: it changes with the code, so it tells a change in the work
 * done per request from noise (measured: the same build's rounds agree within about 2%, while
 * their CPU per request ranged 67-150 µs on a busy host). What was allocated since a process's
 * last collection is counted at its next one, so a round gains or loses at most one young
 * generation (a few MB against the hundreds of MB of a round).
 */
export class GcTrace {
  private mb = 0;
  private lastAfter: number | null = null;
  private partial = '';

  /** Feeds the process's stdout (other lines are ignored). */
  feed(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      // A gateway's stdout is mostly its request log: most lines are passed over without the regex.
      if (!line.includes(' ms: ')) continue;
      const m = GC_LINE.exec(line);
      if (m === null) continue;
      const before = Number(m[1]);
      const after = Number(m[2]);
      if (this.lastAfter !== null && before > this.lastAfter) this.mb += before - this.lastAfter;
      this.lastAfter = after;
    }
  }

  /** Bytes allocated so far (up to the last collection). */
  get allocatedBytes(): number {
    return this.mb * 1024 * 1024;
  }
}

const GC_LINE = /ms: (?:Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact|Mark-Compact \(reduce\))\s+([\d.]+) \([\d.]+\) -> ([\d.]+) \(/;

export interface Load {
  readonly seconds: number;
  readonly connections: number;
  readonly threads?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Cores wrk runs on (taskset -c), e.g. '0': see pinning(). */
  readonly wrkCpus?: string;
  /** A POST with this JSON body instead of a GET (through a wrk script). */
  readonly postJson?: string;
  /** CPU of the process and its descendants (processTreeCpuMicros), not of the process alone. */
  readonly tree?: boolean;
}

/** A wrk script that POSTs `body` as application/json; written once per body. */
const postScripts = new Map<string, string>();
function postScript(body: string): string {
  let file = postScripts.get(body);
  if (file === undefined) {
    file = join(mkdtempSync(join(tmpdir(), 'gh-wrk-')), 'post.lua');
    writeFileSync(file, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`);
    postScripts.set(body, file);
  }
  return file;
}

/**
 * Cores for the measured server and for everything else (wrk, back ends), when this machine can
 * pin processes (Linux's taskset, at least 2 cores); null otherwise, or with BENCH_PIN=0.
 *
 * Why: unpinned, the server shares its core with wrk and with whatever else runs, and its CPU per
 * request rises with that load, the bare baselines' more than Gatehouse's, so ratios drift with
 * the load (measured for the MOCK case: 1.65x loaded against 1.81x quiet). Pinned, each server has
 * the last core to itself: a bare server measured 20.9-21.8 µs a request quiet and with a niced
 * busy loop on its core, against 21.2-36.3 unpinned.
 */
export function pinning(): { server: string; others: string } | null {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux') return null;
  const n = cpus().length;
  if (n < 2) return null;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { server: String(n - 1), others: n === 2 ? '0' : `0-${n - 2}` };
}

/** Puts every thread of `pid` (and the threads it starts later) on `cpuList`. */
export function pin(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

/** wrk against `url` while measuring process `pid` (and its allocations, given its GcTrace). Fails on any non-2xx answer. */
export function measure(url: string, pid: number, load: Load, gc?: GcTrace): Promise<Run> {
  const args = [`-t${load.threads ?? 2}`, `-c${load.connections}`, `-d${load.seconds}s`];
  for (const [k, v] of Object.entries(load.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (load.postJson !== undefined) args.push('-s', postScript(load.postJson));
  args.push(url);
  const command = load.wrkCpus === undefined ? 'wrk' : 'taskset';
  if (load.wrkCpus !== undefined) args.unshift('-c', load.wrkCpus, 'wrk');
  const cpu = load.tree === true ? processTreeCpuMicros : processCpuMicros;
  const before = cpu(pid);
  const allocBefore = gc?.allocatedBytes ?? 0;
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (err, out) => {
      const used = cpu(pid) - before;
      const allocated = (gc?.allocatedBytes ?? 0) - allocBefore;
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses on ${url}:\n${out}`));
      const requests = Number(/(\d+) requests in/.exec(out)![1]);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
      resolve(gc === undefined ? { rps, requests, cpuMicrosPerRequest: used / requests } : { rps, requests, cpuMicrosPerRequest: used / requests, allocBytesPerRequest: allocated / requests });
    });
  });
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Pair {
  readonly baseline: { rps: number; cpu: number };
  readonly subject: { rps: number; cpu: number };
  /** subject / baseline requests per second, median of the rounds' ratios. */
  readonly rpsRatio: number;
  /** subject / baseline CPU per request, median of the rounds' ratios. */
  readonly cpuRatio: number;
  /** Each round's subject / baseline CPU per request, in ascending order. */
  readonly cpuRatios: readonly number[];
  /** Medians of the rounds' heap allocation per request (bytes), when both were traced. */
  readonly alloc?: { baseline: number; subject: number };
}

/** Warm-up of both, then `rounds` alternating rounds, each side first in every other one. */
export async function alternate(baseline: () => Promise<Run>, subject: () => Promise<Run>, rounds: number, warmups = 1): Promise<Pair> {
  for (let i = 0; i < warmups; i++) {
    await baseline();
    await subject();
  }
  const b: Run[] = [];
  const s: Run[] = [];
  // BENCH_VERBOSE=1 prints each round: how far single rounds stray from the medians reported.
  const verbose = process.env.BENCH_VERBOSE === '1';
  // A B, B A, A B, ...: each side goes first as often as second, so a load that rises or falls
  // through the run does not favour the side measured first in every pair.
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      b.push(await baseline());
      s.push(await subject());
    } else {
      s.push(await subject());
      b.push(await baseline());
    }
    if (verbose) {
      const [x, y] = [b[i]!, s[i]!];
      const alloc = x.allocBytesPerRequest === undefined || y.allocBytesPerRequest === undefined ? '' : `, allocated ${(x.allocBytesPerRequest / 1024).toFixed(1)} / ${(y.allocBytesPerRequest / 1024).toFixed(1)} KB a request`;
      console.error(`  round ${i + 1}: baseline ${x.rps.toFixed(0)} req/s ${x.cpuMicrosPerRequest.toFixed(1)} µs, subject ${y.rps.toFixed(0)} req/s ${y.cpuMicrosPerRequest.toFixed(1)} µs, CPU ratio ${(y.cpuMicrosPerRequest / x.cpuMicrosPerRequest).toFixed(2)}x${alloc}`);
    }
  }
  const cpuRatios = s.map((r, i) => r.cpuMicrosPerRequest / b[i]!.cpuMicrosPerRequest).sort((x, y) => x - y);
  return {
    baseline: { rps: median(b.map((r) => r.rps)), cpu: median(b.map((r) => r.cpuMicrosPerRequest)) },
    subject: { rps: median(s.map((r) => r.rps)), cpu: median(s.map((r) => r.cpuMicrosPerRequest)) },
    rpsRatio: median(s.map((r, i) => r.rps / b[i]!.rps)),
    cpuRatio: median(cpuRatios),
    cpuRatios,
    ...(b.every((r) => r.allocBytesPerRequest !== undefined) && s.every((r) => r.allocBytesPerRequest !== undefined)
      ? { alloc: { baseline: median(b.map((r) => r.allocBytesPerRequest!)), subject: median(s.map((r) => r.allocBytesPerRequest!)) } }
      : {}),
  };
}
