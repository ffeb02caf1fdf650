// The server's own log (pino): one JSON line per event on stdout, or a readable line on a
// terminal. Levels follow `--log-level`: `silent` writes nothing, `info` writes start-up and
// every request that ends in a 5xx or an integration error (with its reason and request id),
// `debug` adds one line per request. The full request, access and execution logs come later
// (the observability issue); this module is where they will hang.
import pino, { type Logger } from 'pino';

export type LogLevel = 'silent' | 'info' | 'debug';

export interface RequestLogLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  /** e.g. 'api abc123 stage test', 'management GetRestApi', 'lambda Invoke' */
  target?: string;
  latencyMs?: number;
  /** why it failed: the template error, the integration error, the function error */
  reason?: string;
}

function create(level: LogLevel, pretty: boolean): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  // A terminal gets one plain line per event; pipes and files get pino's JSON.
  }, pretty ? prettyStream() : pino.destination({ fd: 1, sync: false }));
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

/** Called once by `gatehouse serve`; until then (tests, library use) nothing is logged. */
export function configureLog(level: LogLevel, options: { pretty?: boolean; logger?: Logger } = {}): Logger {
  current = options.logger ?? create(level, options.pretty ?? process.stdout.isTTY === true);
  return current;
}

export function log(): Logger {
  return current;
}

/** One line for a finished request: `info` when it failed on the server side, `debug` otherwise. */
export function logRequest(line: RequestLogLine): void {
  const failed = line.status >= 500 || line.reason !== undefined;
  if (failed) {
    if (current.isLevelEnabled('info')) current.info(line, line.reason ?? `status ${line.status}`);
  } else if (current.isLevelEnabled('debug')) {
    current.debug(line, 'request');
  }
}
