// The front door: which API and stage a request is for, from its Host header or its path.
//   http://{restApiId}.execute-api.{anything}/{stage}/{path}
//   /restapis/{restApiId}/{stage}/_user_request_/{path}
// Custom domain names (base path mappings) will be one more resolver in this list.

export interface Target {
  readonly restApiId: string;
  /** null when the URL names no stage. */
  readonly stageName: string | null;
  /** Path below the stage, starting with '/' (percent-encoded as received). */
  readonly path: string;
  readonly query: string;
}

export type TargetResolver = (host: string, url: string) => Target | null;

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\./i;

export const executeApiHost: TargetResolver = (host, url) => {
  const m = EXECUTE_API_HOST.exec(host);
  if (m === null) return null;
  const { path, query } = splitUrl(url);
  const slash = path.indexOf('/', 1);
  const stage = slash === -1 ? path.slice(1) : path.slice(1, slash);
  return { restApiId: m[1]!, stageName: stage === '' ? null : decodeURIComponent(stage), path: slash === -1 ? '/' : path.slice(slash), query };
};

const USER_REQUEST = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;

export const userRequestPath: TargetResolver = (_host, url) => {
  if (!url.startsWith('/restapis/')) return null;
  const { path, query } = splitUrl(url);
  const m = USER_REQUEST.exec(path);
  if (m === null) return null;
  return { restApiId: m[1]!, stageName: decodeURIComponent(m[2]!), path: m[3] ?? '/', query };
};

export const DEFAULT_RESOLVERS: readonly TargetResolver[] = [executeApiHost, userRequestPath];

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
