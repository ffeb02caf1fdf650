// Parameter-mapping expressions compiled to functions, once per deployment. The sources and
// targets are the guide's "Request and Response Data Mapping Reference":
//   integration.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME ←
//     method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME,
//     method.request.body, method.request.body.JSONPATH, stageVariables.NAME, context.NAME, 'static'
//   method.response.header.NAME ← integration.response.{header|multivalueheader}.NAME, integration.response.body,
//     integration.response.body.JSONPATH, stageVariables.NAME, context.NAME, 'static'
// A multi-value source read into a single-value target gives its values joined with ','; a
// single-value source into a multi-value target gives one value.
// A source with no value (an absent header, a JSONPath that selects nothing) maps to nothing:
// the target is left out, as API Gateway does.
import { dict } from '../shared/dict.ts';
import { readJsonPath } from '../mapping/index.ts';

/** What a mapping expression can read. Header names are lower-case (HTTP names are case-insensitive). */
export interface MappingSources {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
  /** Every value of each query parameter, in order. */
  readonly multiValueQuerystring: Readonly<Record<string, readonly string[]>>;
  /** Every value of each header, in order, by lower-case name (built on first use). */
  multiValueHeader(): Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  /** The body parsed as JSON (memoised by the caller); undefined when it is not JSON. */
  json(): unknown;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

export type ValueSource = (s: MappingSources) => string | undefined;
/** A source's values: every value of a multi-value source, else the one value. */
export type ValuesSource = (s: MappingSources) => readonly string[] | undefined;

export type RequestLocation = 'path' | 'querystring' | 'header';

export interface CompiledParameter<L extends string> {
  readonly location: L;
  readonly name: string;
  readonly expression: string;
  readonly source: ValueSource;
  /** Set for integration.request.multivalue{querystring|header}.NAME targets: the values to send. */
  readonly values?: ValuesSource;
}

export class MappingExpressionError extends Error {}

/** Which side of the pipeline an expression belongs to decides its source prefix. */
type Side = 'method.request' | 'integration.response';

export function compileSource(expression: string, side: Side): ValueSource {
  if (expression.length >= 2 && expression.startsWith("'") && expression.endsWith("'")) {
    const value = expression.slice(1, -1);
    return () => value;
  }
  if (expression.startsWith('stageVariables.')) {
    const name = expression.slice('stageVariables.'.length);
    return (s) => s.stageVariables[name];
  }
  if (expression.startsWith('context.')) {
    const path = expression.slice('context.'.length).split('.');
    return (s) => stringValue(walk(s.context, path));
  }
  if (!expression.startsWith(side + '.')) throw new MappingExpressionError(`Invalid mapping expression specified: ${expression}`);
  const rest = expression.slice(side.length + 1);
  if (rest === 'body') return (s) => s.body;
  if (rest.startsWith('body.')) {
    const jsonPath = '$.' + rest.slice('body.'.length);
    return (s) => {
      const json = s.json();
      if (json === undefined) return undefined;
      return stringValue(evaluateJsonPath(json, jsonPath));
    };
  }
  const multi = compileMultiValueSource(expression, side);
  if (multi !== null) return (s) => multi(s)?.join(',');
  const dot = rest.indexOf('.');
  const location = dot === -1 ? rest : rest.slice(0, dot);
  const name = rest.slice(dot + 1);
  if (dot !== -1 && name !== '') {
    if (side === 'method.request' && (location === 'path' || location === 'querystring')) return (s) => s[location][name];
    if (location === 'header') {
      const lower = name.toLowerCase();
      return (s) => s.header[lower];
    }
  }
  throw new MappingExpressionError(`Invalid mapping expression specified: ${expression}`);
}

/** method.request.multivaluequerystring.NAME, {method.request|integration.response}.multivalueheader.NAME; null for other expressions. */
function compileMultiValueSource(expression: string, side: Side): ValuesSource | null {
  const rest = expression.startsWith(side + '.') ? expression.slice(side.length + 1) : '';
  if (side === 'method.request' && rest.startsWith('multivaluequerystring.') && rest.length > 'multivaluequerystring.'.length) {
    const name = rest.slice('multivaluequerystring.'.length);
    return (s) => s.multiValueQuerystring[name];
  }
  if (rest.startsWith('multivalueheader.') && rest.length > 'multivalueheader.'.length) {
    const lower = rest.slice('multivalueheader.'.length).toLowerCase();
    return (s) => s.multiValueHeader()[lower];
  }
  return null;
}

/** Every value an expression gives: a multi-value source's list, else its one value. */
function compileValuesSource(expression: string, side: Side): ValuesSource {
  const multi = compileMultiValueSource(expression, side);
  if (multi !== null) return multi;
  const single = compileSource(expression, side);
  return (s) => {
    const v = single(s);
    return v === undefined ? undefined : [v];
  };
}

/** integration.request.* ← ... (Integration.requestParameters). */
export function compileRequestParameters(map: Readonly<Record<string, string>> | undefined): CompiledParameter<RequestLocation>[] {
  const out: CompiledParameter<RequestLocation>[] = [];
  for (const [target, expression] of Object.entries(map ?? {})) {
    const m = /^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(target);
    if (m === null) throw new MappingExpressionError(`Invalid mapping expression specified: ${target}`);
    const source = compileSource(expression, 'method.request');
    if (m[1] === 'multivaluequerystring' || m[1] === 'multivalueheader') {
      const location = m[1] === 'multivaluequerystring' ? 'querystring' : 'header';
      out.push({ location, name: m[2]!, expression, source, values: compileValuesSource(expression, 'method.request') });
    } else out.push({ location: m[1] as RequestLocation, name: m[2]!, expression, source });
  }
  return out;
}

/** method.response.header.* ← ... (IntegrationResponse.responseParameters). */
export function compileResponseParameters(map: Readonly<Record<string, string>> | undefined): CompiledParameter<'header'>[] {
  const out: CompiledParameter<'header'>[] = [];
  for (const [target, expression] of Object.entries(map ?? {})) {
    const m = /^method\.response\.header\.(.+)$/.exec(target);
    if (m === null) throw new MappingExpressionError(`Invalid mapping expression specified: ${target}`);
    out.push({ location: 'header', name: m[1]!, expression, source: compileSource(expression, 'integration.response') });
  }
  return out;
}

export interface MappedRequestParameters {
  readonly path: Record<string, string>;
  readonly querystring: Record<string, string>;
  readonly header: Record<string, string>;
  /** integration.request.multivaluequerystring.* targets: each value sent as its own name=value; null when none. */
  multiValueQuerystring: Record<string, string[]> | null;
}

export function mapRequestParameters(params: readonly CompiledParameter<RequestLocation>[], s: MappingSources): MappedRequestParameters {
  const out: MappedRequestParameters = { path: {}, querystring: {}, header: {}, multiValueQuerystring: null };
  for (const p of params) {
    if (p.values !== undefined) {
      const vs = p.values(s);
      if (vs === undefined || vs.length === 0) continue;
      // A header's values travel as one field, joined with ',' (RFC 9110's equivalent of repeated lines).
      if (p.location === 'header') out.header[p.name] = vs.join(',');
      else (out.multiValueQuerystring ??= {})[p.name] = [...vs];
      continue;
    }
    const v = p.source(s);
    if (v !== undefined) out[p.location][p.name] = v;
  }
  return out;
}

export function mapResponseParameters(params: readonly CompiledParameter<'header'>[], s: MappingSources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) {
    const v = p.source(s);
    if (v !== undefined) out[p.name] = v;
  }
  return out;
}

export interface MappingSourceFields extends Omit<MappingSources, 'json' | 'multiValueQuerystring' | 'multiValueHeader' | 'body'> {
  /** The body as text, or its bytes, decoded as UTF-8 on first use only (a megabyte of binary
   *  takes tens of milliseconds to decode, and most requests never read their body as text). */
  readonly body: string | Buffer;
  /** Every value of each query parameter; by default each single value. */
  readonly multiValueQuerystring?: Readonly<Record<string, readonly string[]>>;
  /** Header name/value pairs as received (node's rawHeaders); by default each single value. */
  readonly rawHeaders?: readonly string[];
  /** Or: the values of headers that came more than once, by lower-case name (an endpoint response's). */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
}

/** Mapping sources over a body whose JSON is parsed on first use only (most requests never ask). */
export function mappingSources(fields: MappingSourceFields): MappingSources {
  return new LazySources(fields);
}

// A class, not an object literal with getters and closures: the literal made new accessors per
// request and, measured (--trace-gc-nvp), kept each request's objects alive past young-generation
// GC (1.7 MB promoted per scavenge against 3 KB now); the prototype's accessors are made once.
const NOT_PARSED: unique symbol = Symbol('not parsed');

class LazySources implements MappingSources {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
  readonly #fields: MappingSourceFields;
  #text: string | undefined;
  #parsed: unknown = NOT_PARSED;
  #multiQuery: Readonly<Record<string, readonly string[]>> | undefined;
  #multiHeader: Record<string, readonly string[]> | undefined;

  constructor(fields: MappingSourceFields) {
    this.#fields = fields;
    this.path = fields.path;
    this.querystring = fields.querystring;
    this.header = fields.header;
    this.stageVariables = fields.stageVariables;
    this.context = fields.context;
    this.#text = typeof fields.body === 'string' ? fields.body : undefined;
    this.#multiQuery = fields.multiValueQuerystring;
  }

  get multiValueQuerystring(): Readonly<Record<string, readonly string[]>> {
    return (this.#multiQuery ??= singleValues(this.querystring, false));
  }

  multiValueHeader(): Readonly<Record<string, readonly string[]>> {
    if (this.#multiHeader !== undefined) return this.#multiHeader;
    const raw = this.#fields.rawHeaders;
    if (raw === undefined) return (this.#multiHeader = { ...singleValues(this.header, true), ...this.#fields.multiValueHeaders });
    const out: Record<string, string[]> = dict<string[]>();
    for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!);
    return (this.#multiHeader = out);
  }

  get body(): string {
    if (this.#text === undefined) {
      const bytes = this.#fields.body as Buffer;
      this.#text = bytes.length === 0 ? '' : bytes.toString('utf8');
    }
    return this.#text;
  }

  json(): unknown {
    if (this.#parsed === NOT_PARSED) this.#parsed = parseJsonBody(this.body);
    return this.#parsed;
  }
}

function singleValues(m: Readonly<Record<string, string>>, lower: boolean): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = dict<readonly string[]>();
  for (const k in m) out[lower ? k.toLowerCase() : k] = [m[k]!];
  return out;
}

/** JSON.parse that answers undefined for a body that is not JSON. */
export function parseJsonBody(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function evaluateJsonPath(json: unknown, path: string): unknown {
  if (json === null || typeof json !== 'object') return undefined;
  try {
    return readJsonPath(json, path);
  } catch {
    return undefined;
  }
}

function walk(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function stringValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
