// The front door: which API and stage a request is for, from its Host header or its path.
//   http://{restApiId}.execute-api.{anything}/{stage}/{path}
//   /restapis/{restApiId}/{stage}/_user_request_/{path}
// Custom domain names (base path mappings) are one more resolver, src/domains/table.ts, put first.
// Resolvers never throw: whatever a client sends, the answer is a Target or null.

export interface Target {
  readonly restApiId: string;
  /** null when the URL names no stage (or one that cannot be a stage name). */
  readonly stageName: string | null;
  /** Path below the stage, starting with '/' (percent-encoded as received). */
  readonly path: string;
  readonly query: string;
  /** $context.path when it is not /{stage}{path}: a custom domain's base path, or extra slashes AWS keeps there. */
  readonly contextPath?: string;
}

/** `socket`: the request's connection (a TLSSocket on the HTTPS listener), for checks of the client's certificate. */
export type TargetResolver = (host: string, url: string, socket?: unknown) => Target | null;

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\./i;

/** Hosts of the form {restApiId}.execute-api.{anything}: they serve deployed APIs only. */
export function isExecuteApiHost(host: string): boolean {
  return EXECUTE_API_HOST.test(host);
}

export const executeApiHost: TargetResolver = (host, url) => {
  const m = EXECUTE_API_HOST.exec(host);
  if (m === null) return null;
  const { path, query } = splitUrl(url);
  // As AWS does (recorded): slashes before the stage are dropped ("//stage/x" is "/stage/x"), and
  // the slashes that start the resource path count once for routing ("/stage//x" routes as "/x")
  // while $context.path keeps them; slashes further in are kept ("/stage/a//b").
  let start = 1;
  while (path.charCodeAt(start) === 47) start++;
  const slash = path.indexOf('/', start);
  const stage = slash === -1 ? path.slice(start) : path.slice(start, slash);
  const stageName = stage === '' ? null : decodeStage(stage);
  if (slash === -1) return { restApiId: m[1]!, stageName, path: '/', query };
  const rest = path.slice(slash);
  if (rest.charCodeAt(1) !== 47) return { restApiId: m[1]!, stageName, path: rest, query };
  return { restApiId: m[1]!, stageName, path: rest.replace(/^\/+/, '/'), query, contextPath: `/${stage}${rest}` };
};

const USER_REQUEST = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;

export const userRequestPath: TargetResolver = (_host, url) => {
  if (!url.startsWith('/restapis/')) return null;
  const { path, query } = splitUrl(url);
  const m = USER_REQUEST.exec(path);
  if (m === null) return null;
  return { restApiId: m[1]!, stageName: decodeStage(m[2]!), path: m[3] ?? '/', query };
};

export const DEFAULT_RESOLVERS: readonly TargetResolver[] = [executeApiHost, userRequestPath];

/** A stage segment whose escapes do not decode (%E0%A4 cut short, %FF) names no stage: 403 like any unknown stage. */
export function decodeStage(segment: string): string | null {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
