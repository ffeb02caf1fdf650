// Execution logs: the lines API Gateway writes to API-Gateway-Execution-Logs_{apiId}/{stage} for
// methods whose stage settings turn them on (logging/loglevel INFO or ERROR, logging/dataTrace),
// the same texts TestInvokeMethod answers with ("Method request path: {}", "Endpoint request body
// after transformations: ...", "Method completed with status: 200"), each event "(requestId) text".
//
// The pipeline's stages write their lines to scope.log as they run; for a stage that logs, a
// request carries a RequestExecutionLog that only collects them (the method is not known until
// routing, and ERROR keeps only failed requests), and the observer writes the method's share when
// the request ends:
// - INFO: every line but the data trace (the request's and response's headers and bodies);
// - ERROR: for a request answered with an error (a gateway response), which request it was, its
//   error line and "Method completed with status"; nothing for a request that succeeded;
// - dataTrace adds the headers and bodies (at ERROR, those of a failed request);
// - OFF (and no setting): nothing. A request no method matched follows the stage's */* settings.
// As on AWS, an event is cut at 1 KB, and credentials in logged headers (Authorization, X-Api-Key,
// X-Amz-Security-Token) are masked.
import type { CompiledApi } from '../deploy/index.ts';
import type { ExecutionLog } from '../execute/types.ts';
import type { LogWriter } from './log-files.ts';

export type LoggingLevel = 'INFO' | 'ERROR' | 'OFF';

/** A method's (or the stage's) execution logging, as its settings say. */
export interface ExecutionLogging {
  readonly level: LoggingLevel;
  readonly dataTrace: boolean;
}

export const NO_EXECUTION_LOGGING: ExecutionLogging = Object.freeze({ level: 'OFF', dataTrace: false });

export function executionLogging(settings: { loggingLevel?: string; dataTraceEnabled?: boolean } | undefined): ExecutionLogging {
  const level = settings?.loggingLevel?.toUpperCase();
  if (level !== 'INFO' && level !== 'ERROR') return NO_EXECUTION_LOGGING;
  return Object.freeze({ level, dataTrace: settings?.dataTraceEnabled === true });
}

/** The log group of a stage's execution logs. */
export function executionLogGroup(api: Pick<CompiledApi, 'restApiId' | 'stageName'>): string {
  return `API-Gateway-Execution-Logs_${api.restApiId}/${api.stageName}`;
}

// The lines that carry request and response data: written only with dataTrace.
const DATA_TRACE_PREFIXES: readonly string[] = [
  'Method request path: ',
  'Method request query string: ',
  'Method request headers: ',
  'Method request body before transformations: ',
  'Endpoint request headers: ',
  'Endpoint request body after transformations: ',
  'Endpoint response headers: ',
  'Endpoint response body before transformations: ',
  'Method response body after transformations: ',
  'Method response headers: ',
];

function isDataTrace(text: string): boolean {
  for (const p of DATA_TRACE_PREFIXES) if (text.startsWith(p)) return true;
  return false;
}

/** CloudWatch's standard execution logging cuts events at 1 KB. */
export const MAX_EVENT_BYTES = 1024;
const TRUNCATED = ' [TRUNCATED]';

function truncate(message: string): string {
  if (message.length <= MAX_EVENT_BYTES / 4 || Buffer.byteLength(message) <= MAX_EVENT_BYTES) return message;
  let cut = Buffer.from(message).subarray(0, MAX_EVENT_BYTES - TRUNCATED.length).toString('utf8');
  // A multi-byte character cut in two decodes as U+FFFD: drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut + TRUNCATED;
}

const SECRET_HEADER = /([{ ,])(authorization|x-api-key|x-amz-security-token)=([^,}]*)/gi;

/** Masks credentials in a logged header map ({Authorization=****...abcd, ...}). */
export function maskHeaders(text: string): string {
  if (!text.startsWith('Method request headers: ') && !text.startsWith('Endpoint request headers: ')) return text;
  return text.replace(SECRET_HEADER, (_m, lead: string, name: string, value: string) => `${lead}${name}=${mask(value)}`);
}

function mask(value: string): string {
  return value.length > 8 ? '*'.repeat(value.length - 4) + value.slice(-4) : '*'.repeat(value.length);
}

/** One request's lines, collected as the pipeline runs; written when it ends. */
export class RequestExecutionLog implements ExecutionLog {
  readonly times: number[] = [];
  readonly texts: string[] = [];

  constructor(readonly requestId: string, readonly startedAt: number, extendedRequestId: string) {
    this.times.push(startedAt, startedAt);
    this.texts.push(`Extended Request Id: ${extendedRequestId}`, `Starting execution for request: ${requestId}`);
  }

  line(text: string): void {
    this.times.push(Date.now());
    this.texts.push(text);
  }

  /** Writes what `logging` keeps of the request's lines; `failed`: it was answered with a gateway error. */
  writeTo(writer: LogWriter, logging: ExecutionLogging, failed: boolean): void {
    if (logging.level === 'OFF' || (logging.level === 'ERROR' && !failed)) return;
    const prefix = `(${this.requestId}) `;
    const { times, texts } = this;
    // At ERROR: the first two lines (which request), and a gateway response's last two: the error
    // as the log gives it, and the completion.
    const errorFrom = logging.level === 'ERROR' ? Math.max(2, texts.length - 2) : 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (isDataTrace(text)) {
        if (logging.dataTrace) writer.write(times[i]!, truncate(prefix + maskHeaders(text)));
      } else if (i < 2 || i >= errorFrom) {
        writer.write(times[i]!, truncate(prefix + text));
      }
    }
  }
}
