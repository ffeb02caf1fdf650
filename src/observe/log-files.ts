// Log files of the access and execution logs: one file per CloudWatch log group under
// <data-dir>/logs, written without ever blocking or slowing a request.
//
// - A line is queued in memory and the request goes on; the queue is written in the background
//   with one write() per batch, one batch in flight at a time. When the disk cannot keep up and
//   the queue holds more than its bound, new lines are dropped and counted (the metric
//   gatehouse_log_lines_dropped_total), never waited for.
// - A file that reaches its size bound is rotated as logrotate does (NAME.log → NAME.log.1 → ...
//   → NAME.log.{keep}, the oldest dropped), so a group never holds more than (keep + 1) files.
//   Several processes (--workers) may append to one file: each write is whole lines opened with
//   O_APPEND, and a process that finds the file already rotated by another only reopens it.
// - Each event is one line: its time (ISO 8601, UTC, ms) and the message after a space. A message
//   with line breaks in it (an execution log's body) is written escaped after a tab instead, so
//   a file stays one event per line for the CloudWatch Logs API and for grep alike.
//
// With --data-dir :memory: nothing is written to disk: lines go to stdout as they are (the
// message alone), and the last events of each group stay in memory for the CloudWatch Logs API.
import { mkdirSync, type Stats } from 'node:fs';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { gatewayMetrics } from './metrics.ts';

export interface LogFileLimits {
  /** A file is rotated once it reaches this many bytes. */
  readonly maxFileBytes: number;
  /** Rotated files kept besides the current one. */
  readonly keep: number;
  /** Bytes queued for the disk before new lines are dropped. */
  readonly maxPendingBytes: number;
}

export const DEFAULT_LIMITS: LogFileLimits = Object.freeze({ maxFileBytes: 10 * 1024 * 1024, keep: 5, maxPendingBytes: 8 * 1024 * 1024 });

/** The limits --log-file-max-mb and --log-files-kept set. */
export function logFileLimits(config: { readonly logFileMaxMb: number; readonly logFilesKept: number }): LogFileLimits {
  return Object.freeze({ ...DEFAULT_LIMITS, maxFileBytes: config.logFileMaxMb * 1024 * 1024, keep: config.logFilesKept });
}

/** Where one log group's events go. */
export interface LogWriter {
  /** Queues one event; never blocks. `oneLine`: the caller knows the message has no line break. */
  write(timestampMs: number, message: string, oneLine?: boolean): void;
  /** Lines dropped because the queue was full. */
  readonly dropped: number;
  /** Resolves once everything queued before the call is written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- names

// CloudWatch log group names are 1-512 of [.-_/#A-Za-z0-9]. A name whose '/'-separated parts are
// plain is that path under logs/ (API-Gateway-Execution-Logs_abc/prod → .../API-Gateway-Execution-Logs_abc/prod.log);
// any other (a leading '/', '//', '.' or '..' parts) is one file with each '/' as %2F and '#' as %23.
const PLAIN = /^[A-Za-z0-9_#-][A-Za-z0-9._#-]*(\/[A-Za-z0-9_#-][A-Za-z0-9._#-]*)*$/;

export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** The file of a log group under `logsDir`. */
export function logFilePath(logsDir: string, group: string): string {
  const parts = PLAIN.test(group) && !group.split('/').some((p) => p === '.' || p === '..') ? group.split('/') : [encodeURIComponent(group)];
  return join(logsDir, ...parts) + '.log';
}

/** The log group a file under `logsDir` holds; null for anything else (a rotated file, a stray file). */
export function logGroupOf(logsDir: string, file: string): string | null {
  if (!file.endsWith('.log')) return null;
  const rel = relative(logsDir, file.slice(0, -'.log'.length));
  if (rel === '' || isAbsolute(rel) || rel.split(sep)[0] === '..') return null;
  try {
    return rel.split(sep).map((p) => decodeURIComponent(p)).join('/');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- lines

// Requests end many to a millisecond: the time's text is made once per millisecond.
let lastMs = -1;
let lastIso = '';

function isoTime(timestampMs: number): string {
  if (timestampMs !== lastMs) {
    lastIso = new Date(timestampMs).toISOString();
    lastMs = timestampMs;
  }
  return lastIso;
}

const hasBreak = (message: string): boolean => message.indexOf('\n') !== -1 || message.indexOf('\r') !== -1;
const escapeBreaks = (message: string): string => message.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** One event as a line of a log file. */
export function encodeEvent(timestampMs: number, message: string): string {
  const time = isoTime(timestampMs);
  return hasBreak(message) ? `${time}\t${escapeBreaks(message)}\n` : `${time} ${message}\n`;
}

/** A line of a log file as its event; null for a line that is not one (a torn last line). */
export function decodeEvent(line: string): { timestamp: number; message: string } | null {
  // 2026-01-02T03:04:05.678Z is 24 characters.
  if (line.length < 25 || line[23] !== 'Z') return null;
  const timestamp = Date.parse(line.slice(0, 24));
  if (Number.isNaN(timestamp)) return null;
  const sepChar = line[24];
  if (sepChar === ' ') return { timestamp, message: line.slice(25) };
  if (sepChar !== '\t') return null;
  return { timestamp, message: line.slice(25).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c)) };
}

// ---------------------------------------------------------------- writers

/** Queue, batch and drop: the part of every writer that keeps requests from waiting. Lines are
 *  encoded straight into buffers of CHUNK_BYTES (one copy of each line), written with one writev. */
abstract class QueuedWriter implements LogWriter {
  #chunks: Buffer[] = [];
  #current: Buffer | null = null;
  #used = 0;
  #pendingBytes = 0;
  #pendingLines = 0;
  #running: Promise<void> | null = null;
  #dropped = 0;
  /** Ends the current gathering pause early (flush). */
  #wake: (() => void) | null = null;
  #hurry = false;

  constructor(protected readonly limits: LogFileLimits) {}

  get dropped(): number {
    return this.#dropped;
  }

  write(timestampMs: number, message: string, oneLine = false): void {
    // The line is its prefix (the time), the message and a line break, each written into the
    // buffer as it is: no string of the whole line is made.
    const escaped = !oneLine && this.escapes() && hasBreak(message);
    const body = escaped ? escapeBreaks(message) : message;
    const prefix = this.prefix(timestampMs, escaped);
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = (prefix.length + body.length + 1) * 3;
    if (this.#pendingBytes + body.length > this.limits.maxPendingBytes) {
      this.#dropped++;
      return;
    }
    let current = this.#current;
    if (current === null || this.#used + most > current.length) {
      if (current !== null) this.#chunks.push(current.subarray(0, this.#used));
      current = this.#current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
      this.#used = 0;
    }
    const start = this.#used;
    let at = start;
    if (prefix !== '') at += current.write(prefix, at, 'latin1');
    at += current.write(body, at, 'utf8');
    current[at++] = 0x0a;
    this.recorded(timestampMs, message);
    this.#used = at;
    this.#pendingBytes += at - start;
    this.#pendingLines++;
    this.#running ??= this.#drain();
  }

  flush(): Promise<void> {
    if (this.#running === null) return Promise.resolve();
    // A reader (the Logs API) or close wants everything now: no more gathering.
    this.#hurry = true;
    this.#wake?.();
    return this.#running;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeSink();
  }

  /** Written before the message: the time and its separator (a tab before an escaped message). */
  protected abstract prefix(timestampMs: number, escaped: boolean): string;
  /** Whether messages with line breaks are escaped (files are; stdout shows them as they are). */
  protected abstract escapes(): boolean;
  /** A line was queued (the in-memory recent events keep it). */
  protected recorded(_timestampMs: number, _message: string): void {}
  protected abstract writeBatch(buffers: Buffer[]): Promise<void>;
  protected abstract closeSink(): Promise<void>;

  /** Waits BATCH_MS, or less when flush() or a full batch asks for the write now. */
  #gather(): Promise<void> {
    if (this.#hurry || this.#pendingBytes >= BATCH_BYTES) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, BATCH_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = null;
    });
  }

  async #drain(): Promise<void> {
    // The lines of the next few milliseconds join each batch, so a busy gateway makes a few large
    // writes a second rather than one small write per turn of its event loop.
    try {
      for (;;) {
        await this.#gather();
        this.#hurry = false;
        if (this.#pendingLines === 0) break;
        const batch = this.#chunks;
        if (this.#current !== null && this.#used > 0) batch.push(this.#current.subarray(0, this.#used));
        const lines = this.#pendingLines;
        this.#chunks = [];
        this.#current = null;
        this.#used = 0;
        this.#pendingBytes = 0;
        this.#pendingLines = 0;
        try {
          await this.writeBatch(batch);
        } catch {
          // A disk that fails (full, gone) loses the batch, counted; the next batch tries again.
          this.#dropped += lines;
        }
        if (this.#pendingLines === 0) break;
      }
    } finally {
      this.#running = null;
    }
  }
}

const CHUNK_BYTES = 16 * 1024;
/** How long a batch gathers lines before it is written, unless it reaches BATCH_BYTES first. */
const BATCH_MS = 10;
const BATCH_BYTES = 256 * 1024;

const STAT_EVERY_BYTES = 1024 * 1024;

/** A log group's file, rotated at its bound. */
export class FileLogWriter extends QueuedWriter {
  readonly path: string;
  #handle: FileHandle | null = null;
  #ino = -1;
  /** The file's size as last seen, plus what this process wrote since. */
  #size = 0;
  #sinceStat = 0;

  constructor(path: string, limits: LogFileLimits = DEFAULT_LIMITS) {
    super(limits);
    this.path = path;
  }

  protected prefix(timestampMs: number, escaped: boolean): string {
    return isoTime(timestampMs) + (escaped ? '\t' : ' ');
  }

  protected escapes(): boolean {
    return true;
  }

  protected async writeBatch(buffers: Buffer[]): Promise<void> {
    const total = buffers.reduce((n, b) => n + b.length, 0);
    let handle = await this.#open();
    // A batch that would take the file past its bound starts the next file instead (a batch
    // larger than the bound has a file of its own).
    if (this.#size > 0 && this.#size + total > this.limits.maxFileBytes) {
      await this.#rotate();
      handle = await this.#open();
    }
    let written = (await handle.writev(buffers)).bytesWritten;
    // A short write (rare on a regular file) is finished from where it stopped, whole lines kept together.
    if (written < total) {
      const rest = Buffer.concat(buffers).subarray(written);
      let at = 0;
      while (at < rest.length) at += (await handle.write(rest, at, rest.length - at)).bytesWritten;
      written = total;
    }
    this.#size += written;
    this.#sinceStat += written;
    // The file's own size counts what other processes appended too: read it when this process's
    // count says the bound is reached, and every MB besides.
    if (this.#size < this.limits.maxFileBytes && this.#sinceStat < STAT_EVERY_BYTES) return;
    this.#size = (await handle.stat()).size;
    this.#sinceStat = 0;
    if (this.#size >= this.limits.maxFileBytes) await this.#rotate();
  }

  protected async closeSink(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.close();
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== null) return this.#handle;
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a', 0o640);
    const st = await handle.stat();
    this.#handle = handle;
    this.#ino = st.ino;
    this.#size = st.size;
    this.#sinceStat = 0;
    return handle;
  }

  async #rotate(): Promise<void> {
    const current: Stats | null = await stat(this.path).catch(() => null);
    // Another process may have rotated the file already: then this one only reopens.
    if (current !== null && current.ino === this.#ino) {
      for (let i = this.limits.keep - 1; i >= 1; i--) await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => {});
      if (this.limits.keep > 0) await rename(this.path, `${this.path}.1`).catch(() => {});
      else await open(this.path, 'w').then((h) => h.close());
    }
    await this.closeSink();
  }
}

/** One recent event of a group kept in memory (--data-dir :memory:). */
export interface MemoryEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly seq: number;
}

/** --data-dir :memory:: the message alone on stdout, and the group's last events in memory. */
export class StdoutLogWriter extends QueuedWriter {
  readonly recent: MemoryEvent[] = [];
  #seq = 0;

  constructor(limits: LogFileLimits = DEFAULT_LIMITS, readonly keepEvents = 10_000) {
    super(limits);
  }

  protected prefix(): string {
    return '';
  }

  protected escapes(): boolean {
    return false;
  }

  protected override recorded(timestampMs: number, message: string): void {
    this.recent.push({ timestamp: timestampMs, message, seq: this.#seq++ });
    // Trimmed a quarter at a time, not one event per write.
    if (this.recent.length > this.keepEvents + (this.keepEvents >> 2)) this.recent.splice(0, this.recent.length - this.keepEvents);
  }

  protected writeBatch(buffers: Buffer[]): Promise<void> {
    const data = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
    return new Promise((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
  }

  protected async closeSink(): Promise<void> {}
}

/** The writers of one process's log groups, made on a group's first line. */
export class LogFiles {
  /** null: --data-dir :memory: (stdout). */
  readonly logsDir: string | null;
  readonly #writers = new Map<string, LogWriter>();
  readonly #limits: LogFileLimits;
  readonly #unregister: (() => void)[] = [];

  constructor(dataDir: string, limits: LogFileLimits = DEFAULT_LIMITS) {
    this.logsDir = dataDir === ':memory:' ? null : join(dataDir, 'logs');
    if (this.logsDir !== null) mkdirSync(this.logsDir, { recursive: true, mode: 0o750 });
    this.#limits = limits;
  }

  writer(group: string): LogWriter {
    let w = this.#writers.get(group);
    if (w === undefined) {
      const writer = this.logsDir === null ? new StdoutLogWriter(this.#limits) : new FileLogWriter(logFilePath(this.logsDir, group), this.#limits);
      this.#writers.set(group, (w = writer));
      this.#unregister.push(gatewayMetrics().addDroppedLines(group, () => writer.dropped));
    }
    return w;
  }

  /** The groups this process wrote to (with --data-dir :memory:, the only ones there are). */
  groups(): ReadonlyMap<string, LogWriter> {
    return this.#writers;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((w) => w.flush()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((w) => w.close()));
    this.#writers.clear();
    for (const stop of this.#unregister.splice(0)) stop();
  }
}

// One LogFiles per data directory in a process, shared by the execution plane that writes and the
// CloudWatch Logs API that reads (it flushes before reading, so a process reads its own writes).
const open_ = new Map<string, { files: LogFiles; users: number }>();

/** This process's log files of `dataDir`; release() when done (the last one closes them). */
export function openLogFiles(dataDir: string, limits: LogFileLimits = DEFAULT_LIMITS): { files: LogFiles; release(): Promise<void> } {
  let entry = open_.get(dataDir);
  if (entry === undefined) open_.set(dataDir, (entry = { files: new LogFiles(dataDir, limits), users: 0 }));
  entry.users++;
  const e = entry;
  let released = false;
  return {
    files: e.files,
    async release() {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      open_.delete(dataDir);
      await e.files.close();
    },
  };
}
