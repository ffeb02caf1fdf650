// The server's own log (pino): one JSON line per event on stdout, or a readable line on a
// terminal. Levels follow `--log-level`: `silent` writes nothing; `info` writes start-up, failures
// of the server's own parts, and the request log: one line per request (deployed APIs, management
// calls with their operation name, requests the front door refuses) with its request id, method,
// path, status and latency, and for a request that failed on the server side (a 5xx, an
// integration error) the reason API Gateway's execution log would give; `debug` adds diagnostics.
// Every line carries the process id, so the lines of --workers can be told apart. The access and
// execution logs API Gateway users know are not this log: src/observe/access-log.ts and
// execution-log.ts write them to files.
import { write as fsWrite, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export type LogLevel = 'silent' | 'info' | 'debug';

export interface RequestLogLine {
  requestId: string;
  method: string;
  /** The path without its query string. */
  path: string;
  status: number;
  /** e.g. 'api abc123 stage test', 'management GetRestApi', 'front door' */
  target?: string;
  /** A deployed API's id and stage. */
  api?: string;
  stage?: string;
  /** A management call's operation (GetRestApi, CreateDeployment, ...). */
  operation?: string;
  latencyMs?: number;
  /** why it failed: the template error, the integration error, the function error */
  reason?: string;
}

function create(level: LogLevel, pretty: boolean): Logger {
  // A terminal gets one plain line per event; pipes and files get pino's JSON.
  const out: { write(line: string): void } = pretty ? prettyStream() : batched(1);
  // The request log is the one line per request: in JSON it is built here, as pino would write it.
  requestLine = pretty || level === 'silent' ? null : (line) => {
    const text = requestLogJson(line, process.pid);
    if (held === null) out.write(text);
    else held.push({ out, line: text });
  };
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, {
    write(line: string) {
      if (held === null) out.write(line);
      else held.push({ out, line });
    },
  });
}

/**
 * Lines are written at most every FLUSH_MS (or at once past FLUSH_LINES): under load the request
 * log adds one line per request, and each write to stdout goes through the thread pool (a thread
 * woken, then the loop woken by its answer). Measured with `gatehouse serve` under wrk: writing once
 * per event-loop turn instead of once per 10 ms cost 5 µs more CPU per MOCK request (50 µs against 45).
 * Lines keep their order; one write is in flight at a time; what is pending when the process exits
 * is written synchronously.
 *
 * Written here rather than through pino.destination (sonic-boom 4): at exit its flushSync retries a
 * failed write forever unless the error is EAGAIN, so a server whose stdout reader had gone (EPIPE)
 * never finished stopping on SIGTERM. Here a stdout that fails for good is given up: the log is lost,
 * the gateway keeps serving and stops when asked.
 */
const FLUSH_MS = 10;
const FLUSH_LINES = 1024;
/** How long the exit may wait for a full pipe (EAGAIN) before it drops what is left. */
const EXIT_WAIT_MS = 1000;

export function batchedWriter(fd: number): { write(line: string): void; flushSync(): void } {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let queued: Buffer[] = [];
  let writing = false;
  let broken = false;
  const take = (): Buffer | null => {
    if (pending.length > 0) {
      queued.push(Buffer.from(pending.length === 1 ? pending[0]! : pending.join('')));
      pending = [];
    }
    if (queued.length === 0) return null;
    const buf = queued.length === 1 ? queued[0]! : Buffer.concat(queued);
    queued = [];
    return buf;
  };
  const writeNext = (): void => {
    const buf = broken ? null : take();
    if (buf === null) {
      writing = false;
      return;
    }
    writing = true;
    fsWrite(fd, buf, 0, buf.length, null, (err, written) => {
      if (err !== null) {
        if (err.code === 'EAGAIN') {
          queued.unshift(buf);
          setTimeout(writeNext, FLUSH_MS).unref();
          return;
        }
        broken = true;
        pending = [];
        queued = [];
        writing = false;
        return;
      }
      if (written < buf.length) queued.unshift(buf.subarray(written));
      writeNext();
    });
  };
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!writing) writeNext();
  };
  return {
    write(line: string) {
      if (broken) return;
      if (pending.push(line) >= FLUSH_LINES) flush();
      else if (timer === null) timer = setTimeout(flush, FLUSH_MS).unref();
    },
    flushSync() {
      // A write still in flight finishes on its own thread; what is queued behind it goes now.
      let buf = broken ? null : take();
      const deadline = Date.now() + EXIT_WAIT_MS;
      while (buf !== null && buf.length > 0) {
        try {
          buf = buf.subarray(writeSync(fd, buf));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    },
  };
}

function batched(fd: number): { write(line: string): void } {
  const writer = batchedWriter(fd);
  process.once('exit', () => writer.flushSync());
  return writer;
}

// Lines logged while the server starts wait for its start-up line, which scripts read as the
// first line of stdout (releaseLog). Should the start fail, they are written as the process exits.
let held: { out: { write(line: string): void }; line: string }[] | null = null;

function writeHeldNow(): void {
  const lines = held;
  held = null;
  if (lines !== null) for (const { line } of lines) writeSync(1, line);
}

/** Writes the lines held since configureLog(..., { holdUntilStarted: true }), and every later line at once. */
export function releaseLog(): void {
  const lines = held;
  held = null;
  process.off('exit', writeHeldNow);
  if (lines !== null) for (const { out, line } of lines) out.write(line);
}

/** A tiny stdout writer for terminals: `time level msg key=value ...`. pino-pretty would add
 *  a dependency tree for what is a dozen lines here. */
function prettyStream(): { write(line: string): void } {
  return {
    write(line: string) {
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        const { time, level, msg, ...rest } = o;
        const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
        process.stdout.write(`${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${msg ?? ''}${extra ? ' ' + extra : ''}\n`);
      } catch {
        process.stdout.write(line);
      }
    },
  };
}

let current: Logger = pino({ level: 'silent' });
/** The request line's writer when the log is this module's own JSON on stdout; null otherwise (pino then writes it). */
let requestLine: ((line: RequestLogLine) => void) | null = null;

/**
 * A request line as pino writes it (level, time, pid, the line's fields in their order, msg), built
 * by hand: pino's generic serialisation of the object (its key walk, its formatters, a second pass
 * for the level) cost more CPU than the rest of a MOCK request did. Strings go through
 * JSON.stringify, so any path or reason is escaped as pino escapes it.
 */
export function requestLogJson(line: RequestLogLine, pid: number): string {
  let s = `{"level":"info","time":"${isoNow()}","pid":${pid},"requestId":${JSON.stringify(line.requestId)},"method":${JSON.stringify(line.method)},"path":${JSON.stringify(line.path)},"status":${line.status}`;
  if (line.target !== undefined) s += `,"target":${JSON.stringify(line.target)}`;
  if (line.api !== undefined) s += `,"api":${JSON.stringify(line.api)}`;
  if (line.stage !== undefined) s += `,"stage":${JSON.stringify(line.stage)}`;
  if (line.operation !== undefined) s += `,"operation":${JSON.stringify(line.operation)}`;
  if (line.latencyMs !== undefined) s += `,"latencyMs":${line.latencyMs}`;
  if (line.reason !== undefined) s += `,"reason":${JSON.stringify(line.reason)}`;
  return `${s},"msg":${JSON.stringify(requestMessage(line))}}\n`;
}

function requestMessage(line: RequestLogLine): string {
  return line.reason ?? (line.status >= 500 ? `status ${line.status}` : 'request');
}

// Many requests end in the same millisecond: its ISO text is made once.
let isoMs = -1;
let isoText = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/** Called once by `gatehouse serve`; until then (tests, library use) nothing is logged.
 *  `holdUntilStarted`: keep lines until releaseLog(), so the start-up line comes first. */
export function configureLog(level: LogLevel, options: { pretty?: boolean; logger?: Logger; holdUntilStarted?: boolean } = {}): Logger {
  if (options.holdUntilStarted === true && options.logger === undefined && level !== 'silent') {
    held = [];
    process.once('exit', writeHeldNow);
  }
  requestLine = null;
  current = options.logger ?? create(level, options.pretty ?? process.stdout.isTTY === true);
  return current;
}

export function log(): Logger {
  return current;
}

/** Whether request lines are written (callers check before building one). */
export function logsRequests(): boolean {
  return current.isLevelEnabled('info');
}

/** One `info` line for a finished request; its message is the failure's reason when it has one. */
export function logRequest(line: RequestLogLine): void {
  if (!current.isLevelEnabled('info')) return;
  if (requestLine !== null) requestLine(line);
  else current.info(line, requestMessage(line));
}

/** A URL's path, without the query string (which may carry what the log should not). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
