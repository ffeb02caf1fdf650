// Access logs: a stage's accessLogSettings (destinationArn, format) write one line per request,
// its format's $context variables replaced by the request's values, to the log group the ARN names
// (arn:aws:logs:{region}:{account}:log-group:{name}[:*]).
//
// The format is compiled once per compiled stage into a list of literal text and getters, so a
// request costs one string concatenation. Values are put in as they are, as API Gateway does (no
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

type Getter = (context: Record<string, unknown>, record: AccessLogRecord) => unknown;

/** A compiled access-log format: the line of one request. */
export type AccessLogFormat = (context: Record<string, unknown>, record: AccessLogRecord) => string;

const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

// Variables that are not where their name says in $context: the access-log-only ones, and names
// AWS gives one value under several.
const SPECIAL: Readonly<Record<string, Getter>> = {
  status: (_c, r) => r.status,
  responseLength: (_c, r) => r.responseLength,
  responseLatency: (_c, r) => r.responseLatency,
  'integration.latency': (c) => c.integrationLatency,
  'integration.status': (c) => c.integrationStatus,
  'integration.integrationStatus': (c) => c.integrationStatus,
  integrationErrorMessage: (c) => (c.error as { message?: unknown } | undefined)?.message,
  'integration.error': (c) => (c.error as { message?: unknown } | undefined)?.message,
};

/** Compiles `format` once; the function it answers writes one request's line. */
export function compileAccessLogFormat(format: string): AccessLogFormat {
  const parts: (string | Getter)[] = [];
  let last = 0;
  for (const m of format.matchAll(VARIABLE)) {
    if (m.index! > last) parts.push(format.slice(last, m.index));
    parts.push(getter(m[1]!));
    last = m.index! + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  // Line breaks would split one event across lines of the file; AWS's format is one line.
  const oneLine = (s: string): string => (s.indexOf('\n') === -1 && s.indexOf('\r') === -1 ? s : s.replace(/[\r\n]+/g, ' '));
  return (context, record) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : text(p(context, record));
    return oneLine(out);
  };
}

function getter(path: string): Getter {
  const special = SPECIAL[path];
  if (special !== undefined) return special;
  const keys = path.split('.');
  if (keys.length === 1) {
    const k = keys[0]!;
    return (c) => c[k];
  }
  return (c) => {
    let v: unknown = c;
    for (const k of keys) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[k];
    }
    return v;
  };
}

function text(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/;

/** The log group a destinationArn names; null for any other destination (a Firehose stream). */
export function logGroupOfArn(destinationArn: string): string | null {
  return LOG_GROUP_ARN.exec(destinationArn)?.[1] ?? null;
}
