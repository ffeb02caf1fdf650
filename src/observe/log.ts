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
  // Until the start-up line is out, lines are held (releaseLog).
  const emit = {
    write(line: string) {
      if (held === null) out.write(line);
      else held.push({ out, line });
    },
  };
  // The request log is the one line per request: in JSON it is built here, as pino would write it.
  requestLine = pretty || level === 'silent' ? null : (line) => emit.write(requestLogJson(line, process.pid));
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, emit);
}

/**
 * Lines are written at most every FLUSH_MS (or at once past FLUSH_LINES): under load the request
 * log adds one line per request, and each write to stdout goes through the thread pool (a thread
 * woken, then the loop woken by its answer). Measured with `gatehouse serve` under wrk: writing once
 * per event-loop turn instead of once per 10 ms cost 5 µs more CPU per MOCK request (50 µs against 45).
 * Lines keep their order; one write is in flight at a time (on a --workers process, of whole lines
 * and at most PIPE_BUF bytes: see lineChunkEnd); what is pending when the process exits is written
 * synchronously.
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

/** `maxWrite`: bytes per write at most (whole lines); PIPE_BUF where other processes write to the same stdout. */
export function batchedWriter(fd: number, maxWrite = Infinity): { write(line: string): void; flushSync(): void } {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  // The buffer being written: bytes before `offset` are written, [offset, inFlightEnd) is in flight.
  let current: Buffer | null = null;
  let offset = 0;
  let inFlightEnd = 0;
  /** A chain of writes is running (a write in flight, or waiting to retry after EAGAIN). */
  let writing = false;
  /** A write is in the thread pool now. */
  let inFlight = false;
  let broken = false;
  const take = (): Buffer | null => {
    if (pending.length === 0) return null;
    const buf = Buffer.from(pending.length === 1 ? pending[0]! : pending.join(''));
    pending = [];
    return buf;
  };
  // `fresh`: take the pending lines when the current batch is done. A finished write takes them
  // only past FLUSH_LINES: else lines logged meanwhile wait for the timer. (Taking them at once
  // made a write, a thread-pool hop and a wake-up of the loop, follow every turn of the loop under
  // load: the batching was lost, at 4-5 µs of CPU a MOCK request.)
  const writeNext = (fresh: boolean): void => {
    if (!broken && (current === null || offset >= current.length)) {
      current = fresh || pending.length >= FLUSH_LINES ? take() : null;
      offset = 0;
    }
    if (broken || current === null) {
      writing = false;
      if (!broken && pending.length > 0) schedule();
      return;
    }
    const buf = current;
    inFlightEnd = lineChunkEnd(buf, offset, maxWrite);
    writing = true;
    inFlight = true;
    fsWrite(fd, buf, offset, inFlightEnd - offset, null, (err, written) => {
      inFlight = false;
      if (err !== null) {
        if (err.code === 'EAGAIN') {
          setTimeout(writeNext, FLUSH_MS, false).unref();
          return;
        }
        broken = true;
        pending = [];
        current = null;
        writing = false;
        return;
      }
      offset += written;
      writeNext(false);
    });
  };
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!writing) writeNext(true);
  };
  const schedule = (): void => {
    if (timer === null) timer = setTimeout(flush, FLUSH_MS).unref();
  };
  return {
    write(line: string) {
      if (broken) return;
      if (pending.push(line) < FLUSH_LINES) schedule();
      else if (!writing) flush();
    },
    flushSync() {
      if (broken) return;
      // A write in flight finishes on its own thread; what follows it goes now. (At the exit of
      // `gatehouse serve` none is, unless stdout's reader has stopped reading: stopping takes
      // event-loop turns, in which the chain of writes catches up.)
      let rest = current === null ? null : current.subarray(inFlight ? inFlightEnd : offset);
      const more = take();
      if (more !== null) rest = rest === null || rest.length === 0 ? more : Buffer.concat([rest, more]);
      current = null;
      const deadline = Date.now() + EXIT_WAIT_MS;
      while (rest !== null && rest.length > 0) {
        try {
          rest = rest.subarray(writeSync(fd, rest, 0, lineChunkEnd(rest, 0, maxWrite)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    },
  };
}

/**
 * Where one write from `from` ends: at most `max` bytes, at a line's end; a longer line goes in a
 * write of its own. With max = PIPE_BUF a pipe takes each write whole, so the lines of --workers,
 * which share stdout, never tear into one another (a single process writes its batch at once: at
 * PIPE_BUF per write, a thread-pool hop each, the log could not keep up with an in-process loop).
 */
function lineChunkEnd(buf: Buffer, from: number, max: number): number {
  if (buf.length - from <= max) return buf.length;
  const nl = buf.lastIndexOf(10, from + max - 1);
  if (nl >= from) return nl + 1;
  const next = buf.indexOf(10, from + max);
  return next === -1 ? buf.length : next + 1;
}

/** Bytes a pipe takes in one piece (POSIX's minimum, Linux's value). */
export const PIPE_BUF = 4096;

function batched(fd: number): { write(line: string): void } {
  // A --workers process shares stdout with its siblings (cluster workers inherit it).
  const writer = batchedWriter(fd, process.env.GATEHOUSE_WORKER_OF !== undefined ? PIPE_BUF : Infinity);
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
 * for the level) cost more CPU than the rest of a MOCK request did. Strings are escaped as
 * JSON.stringify (and so pino) escapes them (see quote).
 */
export function requestLogJson(line: RequestLogLine, pid: number): string {
  let s = '{"level":"info","time":"' + isoNow() + '","pid":' + pid + ',"requestId":' + quote(line.requestId) + ',"method":' + quote(line.method) + ',"path":' + quote(line.path) + ',"status":' + line.status;
  if (line.target !== undefined) s += targetFields(line);
  else {
    if (line.api !== undefined) s += ',"api":' + quote(line.api);
    if (line.stage !== undefined) s += ',"stage":' + quote(line.stage);
  }
  if (line.operation !== undefined) s += ',"operation":' + quote(line.operation);
  if (line.latencyMs !== undefined) s += ',"latencyMs":' + line.latencyMs;
  if (line.reason !== undefined) s += ',"reason":' + quote(line.reason);
  return s + ',"msg":' + quote(requestMessage(line)) + '}\n';
}

// A string with nothing to escape is quoted here; any other goes to JSON.stringify. Each
// JSON.stringify is a call into C++ and an allocation: seven of them were most of a line's cost.
// (JSON.stringify escapes ", \, control characters and lone surrogates; a surrogate of a pair goes
// to it too, which writes the pair as it is.)
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

// A stage's requests share target, api and stage: the last line's fields are kept, and comparing
// three short strings costs less than quoting them again.
let lastTarget: string | undefined;
let lastApi: string | undefined;
let lastStage: string | undefined;
let lastTargetFields = '';
function targetFields(line: RequestLogLine): string {
  if (line.target !== lastTarget || line.api !== lastApi || line.stage !== lastStage) {
    lastTarget = line.target;
    lastApi = line.api;
    lastStage = line.stage;
    lastTargetFields = ',"target":' + quote(line.target!) + (line.api !== undefined ? ',"api":' + quote(line.api) : '') + (line.stage !== undefined ? ',"stage":' + quote(line.stage) : '');
  }
  return lastTargetFields;
}

function requestMessage(line: RequestLogLine): string {
  return line.reason ?? (line.status >= 500 ? `status ${line.status}` : 'request');
}

// Under load most requests end in a millisecond of their own but few in a second of their own: a
// second's ISO text up to the '.' is made once, and each line adds its milliseconds to it.
let isoSecond = -1;
let isoPrefix = '';
/** new Date(ms).toISOString() for the times a log line has (ms since 1970, years below 10000). */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    const text = new Date(second * 1000).toISOString();
    isoSecond = second;
    isoPrefix = text.slice(0, text.indexOf('.') + 1);
  }
  const frac = ms - second * 1000;
  return isoPrefix + (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z';
}

function isoNow(): string {
  return isoTime(Date.now());
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
