// Reading the access and execution logs back, for the CloudWatch Logs API: every log group under
// <data-dir>/logs (a group's current file and its rotated ones, oldest first), or with
// --data-dir :memory: the groups this process wrote and their last events.
//
// A group has one log stream, named after the host: a data directory belongs to one host, and
// every process that writes to it (--workers) is of that host. An event's id is its file's inode
// and its offset in the file, so it stays the same while the file is rotated.
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, logFilePath, logGroupOf, StdoutLogWriter, type LogFiles } from './log-files.ts';

export interface LogEvent {
  /** Stable and unique within its group (FilterLogEvents' eventId; tokens point at it). */
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface LogGroupInfo {
  readonly name: string;
  readonly creationTime: number;
  readonly storedBytes: number;
  readonly lastWriteTime: number;
}

/** The stream every group has: this host's. */
export const LOG_STREAM_NAME = hostname() || 'gatehouse';

export class LogReader {
  constructor(private readonly files: LogFiles) {}

  /** Every group there is, by name. */
  async groups(): Promise<LogGroupInfo[]> {
    await this.files.flush();
    const dir = this.files.logsDir;
    if (dir === null) {
      const out: LogGroupInfo[] = [];
      for (const [name, w] of this.files.groups()) {
        if (!(w instanceof StdoutLogWriter)) continue;
        const first = w.recent[0];
        const last = w.recent.at(-1);
        out.push({ name, creationTime: first?.timestamp ?? 0, lastWriteTime: last?.timestamp ?? 0, storedBytes: w.recent.reduce((n, e) => n + Buffer.byteLength(e.message), 0) });
      }
      return out.sort((a, b) => compare(a.name, b.name));
    }
    const out: LogGroupInfo[] = [];
    for (const file of await walk(dir)) {
      const name = logGroupOf(dir, file);
      if (name === null) continue;
      const info = await this.group(name);
      if (info !== null) out.push(info);
    }
    return out.sort((a, b) => compare(a.name, b.name));
  }

  /** One group; null when there is none of that name. */
  async group(name: string): Promise<LogGroupInfo | null> {
    const dir = this.files.logsDir;
    if (dir === null) return (await this.groups()).find((g) => g.name === name) ?? null;
    const parts = await this.#parts(dir, name);
    if (parts.length === 0) return null;
    return {
      name,
      creationTime: Math.min(...parts.map((p) => p.stats.birthtimeMs || p.stats.ctimeMs)),
      lastWriteTime: Math.max(...parts.map((p) => p.stats.mtimeMs)),
      storedBytes: parts.reduce((n, p) => n + p.stats.size, 0),
    };
  }

  /** A group's events, oldest first, from `fromTime` on (earlier ones may be left out); null when there is no such group. */
  async events(name: string, fromTime = 0): Promise<LogEvent[] | null> {
    await this.files.flush();
    const dir = this.files.logsDir;
    if (dir === null) {
      const w = this.files.groups().get(name);
      if (!(w instanceof StdoutLogWriter)) return null;
      return w.recent.filter((e) => e.timestamp >= fromTime).map((e) => ({ id: String(e.seq).padStart(36, '0'), timestamp: e.timestamp, message: e.message }));
    }
    const parts = await this.#parts(dir, name);
    if (parts.length === 0) return null;
    const out: LogEvent[] = [];
    for (const part of parts) {
      // A file last written before `fromTime` holds nothing from then on.
      if (part.stats.mtimeMs < fromTime - 1000) continue;
      const text = await readFile(part.path, 'utf8').catch(() => '');
      const ino = String(part.stats.ino).padStart(20, '0');
      let offset = 0;
      for (const line of text.split('\n')) {
        const at = offset;
        offset += Buffer.byteLength(line) + 1;
        const e = line === '' ? null : decodeEvent(line);
        if (e === null || e.timestamp < fromTime) continue;
        out.push({ id: ino + String(at).padStart(16, '0'), timestamp: e.timestamp, message: e.message });
      }
    }
    // Processes sharing a file (--workers) append their batches in turn: in time order again.
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  /** The group's files that exist, oldest first: NAME.log.N ... NAME.log.1, NAME.log. */
  async #parts(dir: string, name: string): Promise<{ path: string; stats: Stats }[]> {
    const base = logFilePath(dir, name);
    const out: { path: string; stats: Stats }[] = [];
    const rotated: number[] = [];
    const folder = join(base, '..');
    const file = base.slice(folder.length + 1);
    for (const entry of await readdir(folder).catch(() => [] as string[])) {
      if (!entry.startsWith(`${file}.`)) continue;
      const n = Number(entry.slice(file.length + 1));
      if (Number.isInteger(n) && n > 0) rotated.push(n);
    }
    for (const path of [...rotated.sort((a, b) => b - a).map((n) => `${base}.${n}`), base]) {
      const stats = await stat(path).catch(() => null);
      if (stats !== null && stats.isFile()) out.push({ path, stats });
    }
    return out;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && e.name.endsWith('.log')) out.push(p);
  }
  return out;
}
