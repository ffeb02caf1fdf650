// Access logs: a stage's accessLogSettings (destinationArn, format) write one line per request,
// its format's $context variables replaced by the request's values, to the log group the ARN names
// (arn:aws:logs:{region}:{account}:log-group:{name}[:*]).
//
// The format is compiled once per compiled stage into one function, so a request costs a few
// property reads and one string concatenation. Values are put in as they are, as API Gateway does (no
// JSON or XML escaping: a JSON format stays valid as long as the values need none); a variable
// without a value ($context.identity.user for an anonymous caller, $context.integrationLatency of
// a request answered before its integration ran, a variable Gatehouse does not know) writes '-'.

/** What a request adds at its end to the $context it ran with: the access-log-only variables. */
export interface AccessLogRecord {
  /** $context.status: the status the client got. */
  readonly status: number;
  /** $context.responseLength: the response body's length in bytes. */
  readonly responseLength: number;
  /** $context.responseLatency: from receiving the request to answering it, in ms. */
  readonly responseLatency: number;
}

/** A compiled access-log format: the line of one request. */
export type AccessLogFormat = (context: Record<string, unknown>, record: AccessLogRecord) => string;

const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

// Variables that are not where their name says in $context: the access-log-only ones (in the
// record `r`), and names AWS gives one value under several. JavaScript expressions over `c` ($context).
const SPECIAL: Readonly<Record<string, string>> = {
  status: 'r.status',
  responseLength: 'r.responseLength',
  responseLatency: 'r.responseLatency',
  'integration.latency': 'c.integrationLatency',
  'integration.status': 'c.integrationStatus',
  'integration.integrationStatus': 'c.integrationStatus',
  integrationErrorMessage: 'error(c)',
  'integration.error': 'error(c)',
};

/**
 * Compiles `format` once into a function that writes one request's line: literal text and the
 * variables' values read straight from $context, in one generated function (as find-my-way
 * compiles its param builders), so a request costs property reads and one concatenation.
 */
export function compileAccessLogFormat(format: string): AccessLogFormat {
  // Line breaks would split one event across lines of the file; AWS's format is one line.
  const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');
  let body = 'let v; let out = "";\n';
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    if (m.index! > last) body += `out += ${JSON.stringify(oneLine(format.slice(last, m.index)))};\n`;
    // Values the gateway makes, or takes from the request line and headers (which HTTP keeps free
    // of line breaks), go in as they are; an authorizer's context and error texts are checked.
    const checked = /^(authorizer|error|integration)/.test(m[1]!) ? ' && !BREAK.test(v)' : '';
    body += `v = ${expression(m[1]!)};\nout += typeof v === 'string' && v !== ''${checked} ? v : text(v);\n`;
    last = m.index! + m[0].length;
  }
  if (last < format.length) body += `out += ${JSON.stringify(oneLine(format.slice(last)))};\n`;
  body += 'return out;';
  // The generated code holds only JSON-quoted literals and property names of [A-Za-z0-9_].
  return new Function('text', 'error', 'BREAK', `return function accessLogLine(c, r) {\n${body}\n};`)(text, errorMessage, BREAK) as AccessLogFormat;
}

/** The expression reading $context.{path}: c.a?.b?.c with each step a plain property read. */
function expression(path: string): string {
  const special = SPECIAL[path];
  if (special !== undefined) return special;
  const keys = path.split('.');
  let out = `c[${JSON.stringify(keys[0])}]`;
  for (const k of keys.slice(1)) out = `(typeof (v = ${out}) === 'object' && v !== null ? v[${JSON.stringify(k)}] : undefined)`;
  return out;
}

const BREAK = /[\r\n]/;

function errorMessage(c: Record<string, unknown>): unknown {
  return (c.error as { message?: unknown } | undefined)?.message;
}

function text(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (typeof v === 'string') return v.replace(/[\r\n]+/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '-';
}

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/;

/** The log group a destinationArn names; null for any other destination (a Firehose stream). */
export function logGroupOfArn(destinationArn: string): string | null {
  return LOG_GROUP_ARN.exec(destinationArn)?.[1] ?? null;
}
