// What the stage cache does for one compiled method, decided once (the first request to it after
// a deployment or a stage change) from the stage's methodSettings and the integration's
// cacheKeyParameters and cacheNamespace:
//   - which requests use the cache: GET requests when the method's settings (its own `{path}/{VERB}`
//     entry, else the stage-wide `*/*`) enable caching; any other verb only through an entry of
//     the method's own. AWS: "When you enable caching for a stage, only GET methods have caching
//     enabled by default ... You can enable caching for other methods by overriding method settings."
//   - the TTL: caching/ttlInSeconds, 300 by default, at most 3600; 0 turns caching off;
//   - the entry a request reads and fills: its verb, the namespace (cacheNamespace, which is the
//     resource's id unless set: resources that share a namespace share entries) and the values
//     of the cache key parameters; parameters not named there do not split entries;
//   - what `Cache-Control: max-age=0` from a caller not allowed to invalidate does.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import type { MethodRequest } from '../execute/types.ts';

export const DEFAULT_TTL_SECONDS = 300;
export const MAX_TTL_SECONDS = 3600;

export type UnauthorizedStrategy = 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

export interface MethodCacheSettings {
  readonly ttlSeconds: number;
  /** GET requests use the cache. */
  readonly forGet: boolean;
  /** Requests of the method's other verbs (an ANY method's, or a POST method's) use the cache. */
  readonly forOtherVerbs: boolean;
  /** The entry a request maps to (within its stage's cache). */
  readonly key: (request: MethodRequest) => string;
  /** Whether `Cache-Control: max-age=0` needs execute-api:InvalidateCache (AWS's default: yes). */
  readonly requireAuthorization: boolean;
  readonly unauthorizedStrategy: UnauthorizedStrategy;
}

/** The method's cache settings on its stage; null when no request to it uses the cache. */
export function methodCacheSettings(method: CompiledMethod, api: CompiledApi): MethodCacheSettings | null {
  if (!api.stageSettings.cacheClusterEnabled) return null;
  const settings = method.settings;
  const own = api.stageSettings.methodSettings[`${method.resourcePath.replace(/^\//, '')}/${method.httpMethod}`];
  const servesGet = method.httpMethod === 'GET' || method.httpMethod === 'ANY';
  const forGet = servesGet && settings.cachingEnabled === true;
  const forOtherVerbs = method.httpMethod !== 'GET' && own?.cachingEnabled === true;
  if (!forGet && !forOtherVerbs) return null;
  const ttl = Math.min(Math.trunc(settings.cacheTtlInSeconds ?? DEFAULT_TTL_SECONDS), MAX_TTL_SECONDS);
  if (!(ttl > 0)) return null;
  return {
    ttlSeconds: ttl,
    forGet,
    forOtherVerbs,
    key: compileKey(method),
    requireAuthorization: settings.requireAuthorizationForCacheControl !== false,
    unauthorizedStrategy: strategyOf(settings.unauthorizedCacheControlHeaderStrategy),
  };
}

function strategyOf(s: string | undefined): UnauthorizedStrategy {
  return s === 'FAIL_WITH_403' || s === 'SUCCEED_WITHOUT_RESPONSE_HEADER' ? s : 'SUCCEED_WITH_RESPONSE_HEADER';
}

/** One cache key parameter's value(s) for a request, as a self-delimiting token. */
type KeyPart = (r: MethodRequest) => string;

/**
 * Key: `{VERB} {namespace}{part}{part}...`, where the namespace and every value are written with
 * their length first (`5:hello`) and an absent value as `-`, so no two different sets of values
 * can make the same key whatever characters they hold.
 */
function compileKey(method: CompiledMethod): (r: MethodRequest) => string {
  const prefix = ' ' + token(method.cacheNamespace);
  const parts: KeyPart[] = [];
  for (const name of method.cacheKeyParameters) {
    const part = keyPart(name, method);
    if (part !== null) parts.push(part);
  }
  if (parts.length === 0) return (r) => r.httpMethod + prefix;
  if (parts.length === 1) {
    const only = parts[0]!;
    return (r) => r.httpMethod + prefix + only(r);
  }
  return (r) => {
    let key = r.httpMethod + prefix;
    for (const p of parts) key += p(r);
    return key;
  };
}

function token(v: string | undefined): string {
  return v === undefined ? '-' : `${v.length}:${v}`;
}

function tokens(values: readonly string[] | undefined): string {
  if (values === undefined) return '-';
  let out = `*${values.length}`;
  for (const v of values) out += token(v);
  return out;
}

/**
 * A parameter as AWS names it: `method.request.{querystring|header|path}.NAME` (and the
 * multivalue forms), or an integration request parameter (`integration.request.{...}.NAME`,
 * the older form), whose value is what the integration's requestParameters map into it. A name
 * that is neither, or an integration parameter nothing maps, adds nothing to the key.
 */
function keyPart(name: string, method: CompiledMethod): KeyPart | null {
  const m = /^method\.request\.(querystring|multivaluequerystring|header|multivalueheader|path)\.(.+)$/.exec(name);
  if (m !== null) {
    const param = m[2]!;
    switch (m[1]) {
      // Every value of a repeated query parameter counts (?a=1&a=2 is not ?a=2).
      case 'querystring':
      case 'multivaluequerystring':
        return (r) => tokens(r.multiValueQuerystring[param]);
      case 'header':
      case 'multivalueheader': {
        const lower = param.toLowerCase();
        return (r) => token(r.headersLower[lower]);
      }
      case 'path':
        return (r) => token(r.pathParameters[param]);
    }
  }
  const i = /^integration\.request\.(querystring|header|path)\.(.+)$/.exec(name);
  if (i === null) return null;
  const location = i[1];
  const target = location === 'header' ? i[2]!.toLowerCase() : i[2]!;
  const mapped = method.integration.requestParameters.find(
    (p) => p.location === location && (location === 'header' ? p.name.toLowerCase() : p.name) === target,
  );
  if (mapped === undefined) return null;
  return (r) => token(mapped.source(r.sources));
}

/** `Cache-Control: max-age=0` among the request's directives (any case, any position). */
export function asksForFreshResponse(request: MethodRequest): boolean {
  const v = request.headersLower['cache-control'];
  if (v === undefined) return false;
  for (const directive of v.split(',')) {
    if (directive.trim().toLowerCase() === 'max-age=0') return true;
  }
  return false;
}

/** Signed with Signature Version 4: an Authorization header or a presigned query string. */
export function isSignedRequest(request: MethodRequest): boolean {
  const auth = request.headersLower['authorization'];
  if (auth !== undefined && auth.startsWith('AWS4-HMAC-SHA256 ')) return true;
  const q = request.querystring;
  return q['X-Amz-Algorithm'] === 'AWS4-HMAC-SHA256' && q['X-Amz-Signature'] !== undefined;
}
