// The server's own log (pino): one JSON line per event on stdout, or a readable line on a
// terminal. Levels follow `--log-level`: `silent` writes nothing; `info` writes start-up, failures
// of the server's own parts, and the request log: one line per request (deployed APIs, management
// calls with their operation name, requests the front door refuses) with its request id, method,
// path, status and latency, and for a request that failed on the server side (a 5xx, an
// integration error) the reason API Gateway's execution log would give; `debug` adds diagnostics.
// Every line carries the process id, so the lines of --workers can be told apart. The access and
// execution logs API Gateway users know are not this log: src/observe/access-log.ts and
// execution-log.ts write them to files.
import { writeSync } from 'node:fs';
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
  const out: { write(line: string): void } = pretty ? prettyStream() : batched(pino.destination({ fd: 1, sync: false }));
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
 * One write per turn of the event loop: under load the request log adds one line per request,
 * and a write (a system call) per line cost more than the rest of the line's work. Lines keep
 * their order; what is pending when the process exits is written synchronously.
 */
function batched(dest: pino.DestinationStream & { flushSync?(): void }): { write(line: string): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    dest.write(text);
  };
  process.once('exit', () => {
    flush();
    try {
      dest.flushSync?.();
    } catch {
      // stdout is gone (a closed pipe): nothing more can be written
    }
  });
  return {
    write(line: string) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
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

/** Called once by `gatehouse serve`; until then (tests, library use) nothing is logged.
 *  `holdUntilStarted`: keep lines until releaseLog(), so the start-up line comes first. */
export function configureLog(level: LogLevel, options: { pretty?: boolean; logger?: Logger; holdUntilStarted?: boolean } = {}): Logger {
  if (options.holdUntilStarted === true && options.logger === undefined && level !== 'silent') {
    held = [];
    process.once('exit', writeHeldNow);
  }
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
  current.info(line, line.reason ?? (line.status >= 500 ? `status ${line.status}` : 'request'));
}

/** A URL's path, without the query string (which may carry what the log should not). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
