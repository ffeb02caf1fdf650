// Parameter-mapping expressions compiled to functions, once per deployment. The sources and
// targets are the guide's "Request and Response Data Mapping Reference":
//   integration.request.{path|querystring|header}.NAME ← method.request.{path|querystring|header}.NAME,
//     method.request.body, method.request.body.JSONPATH, stageVariables.NAME, context.NAME, 'static'
//   method.response.header.NAME ← integration.response.header.NAME, integration.response.body,
//     integration.response.body.JSONPATH, stageVariables.NAME, context.NAME, 'static'
// A source with no value (an absent header, a JSONPath that selects nothing) maps to nothing:
// the target is left out, as API Gateway does.
import { readJsonPath } from '../mapping/index.ts';

/** What a mapping expression can read. Header names are lower-case (HTTP names are case-insensitive). */
export interface MappingSources {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed as JSON (memoised by the caller); undefined when it is not JSON. */
  json(): unknown;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

export type ValueSource = (s: MappingSources) => string | undefined;

export type RequestLocation = 'path' | 'querystring' | 'header';

export interface CompiledParameter<L extends string> {
  readonly location: L;
  readonly name: string;
  readonly expression: string;
  readonly source: ValueSource;
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

/** integration.request.* ← ... (Integration.requestParameters). */
export function compileRequestParameters(map: Readonly<Record<string, string>> | undefined): CompiledParameter<RequestLocation>[] {
  const out: CompiledParameter<RequestLocation>[] = [];
  for (const [target, expression] of Object.entries(map ?? {})) {
    const m = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target);
    if (m === null) throw new MappingExpressionError(`Invalid mapping expression specified: ${target}`);
    out.push({ location: m[1] as RequestLocation, name: m[2]!, expression, source: compileSource(expression, 'method.request') });
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
}

export function mapRequestParameters(params: readonly CompiledParameter<RequestLocation>[], s: MappingSources): MappedRequestParameters {
  const out: MappedRequestParameters = { path: {}, querystring: {}, header: {} };
  for (const p of params) {
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

/** Mapping sources over a body whose JSON is parsed on first use only (most requests never ask). */
export function mappingSources(fields: Omit<MappingSources, 'json'>): MappingSources {
  let parsed: unknown;
  let done = false;
  return {
    path: fields.path,
    querystring: fields.querystring,
    header: fields.header,
    body: fields.body,
    stageVariables: fields.stageVariables,
    context: fields.context,
    json() {
      if (!done) {
        parsed = parseJsonBody(fields.body);
        done = true;
      }
      return parsed;
    },
  };
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
