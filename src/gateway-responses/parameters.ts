// Gateway response parameters: gatewayresponse.header.NAME ← an expression, compiled once per
// deployment. The expressions (PutGatewayResponse accepts these, and only these):
//   method.request.{header|querystring|path|multivalueheader|multivaluequerystring}.NAME,
//   stageVariables.NAME, context.PATH, 'static value'
// A source with no value (an absent header, a route that never matched) leaves the header out.

/** What a gateway response can read from the request that failed. */
export interface RequestValues {
  /** Lower-case names; a repeated header's values joined with ','. */
  readonly headers: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly multiValueQuerystring: Readonly<Record<string, readonly string[]>>;
  /** Empty when the failure came before a resource matched. */
  readonly path: Readonly<Record<string, string>>;
}

export interface ResponseInput {
  /** null when the request is not known (it named no deployed stage). */
  readonly request: RequestValues | null;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** $context, with $context.error set for the failure being answered. */
  readonly context: Readonly<Record<string, unknown>>;
}

export type ValueSource = (input: ResponseInput) => string | undefined;

export interface CompiledSource {
  readonly read: ValueSource;
  /** False for sources that need no request (static values, stage and context variables). */
  readonly readsRequest: boolean;
}

const NAME = /^gatewayresponse\.(header|querystring|path)\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/;
const REQUEST = /^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(\S+)$/;
const STAGE_VARIABLE = /^stageVariables\.([A-Za-z0-9_]+)$/;
const CONTEXT = /^context\.([A-Za-z0-9._-]+)$/;
const STATIC = /^'([^']*)'$/;

/** The target of a response parameter: a header's name; querystring and path targets (accepted by AWS) set nothing in a response. */
export function parameterTarget(name: string): { location: 'header' | 'querystring' | 'path'; name: string } | null {
  const m = NAME.exec(name);
  return m === null ? null : { location: m[1] as 'header' | 'querystring' | 'path', name: m[2]! };
}

/** The compiled source of an expression; null when PutGatewayResponse would refuse it. */
export function compileParameterSource(expression: string): CompiledSource | null {
  let m = STATIC.exec(expression);
  if (m !== null) {
    const value = m[1]!;
    return { read: () => value, readsRequest: false };
  }
  m = STAGE_VARIABLE.exec(expression);
  if (m !== null) {
    const name = m[1]!;
    return { read: (i) => own(i.stageVariables, name), readsRequest: false };
  }
  m = CONTEXT.exec(expression);
  if (m !== null) {
    const path = m[1]!.split('.');
    return { read: (i) => stringValue(walk(i.context, path)), readsRequest: false };
  }
  m = REQUEST.exec(expression);
  if (m === null) return null;
  const name = m[2]!;
  switch (m[1]) {
    case 'header':
    case 'multivalueheader': {
      // Repeated headers already arrive joined with ','.
      const lower = name.toLowerCase();
      return { read: (i) => (i.request === null ? undefined : own(i.request.headers, lower)), readsRequest: true };
    }
    case 'querystring':
      return { read: (i) => (i.request === null ? undefined : own(i.request.querystring, name)), readsRequest: true };
    case 'multivaluequerystring':
      return { read: (i) => (i.request === null ? undefined : own(i.request.multiValueQuerystring, name)?.join(',')), readsRequest: true };
    default:
      return { read: (i) => (i.request === null ? undefined : own(i.request.path, name)), readsRequest: true };
  }
}

/** A map's own entry: a header named 'constructor' is not Object.prototype's. */
function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** A dotted path into $context; undefined where it leaves the tree. */
export function walk(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function stringValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
