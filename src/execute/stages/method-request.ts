// Method request: the client's request as the method sees it (path parameters, query string,
// headers, body) and the method.request.* view that parameter mappings read.
import { dict } from '../../shared/dict.ts';
import { mappingSources, mimeType } from '../../deploy/index.ts';
import type { IncomingRequest, InvocationScope, MethodRequest, RoutedRequest } from '../types.ts';

/**
 * Headers API Gateway keeps out of the method request (recorded in TestApiGatewayHeaderRemapping):
 * mapping templates, method.request.header.* mappings, proxy events and HTTP_PROXY back ends never
 * see them. Host, Via and Date stay.
 */
const STRIPPED_REQUEST_HEADERS = new Set([
  'connection', 'content-length', 'content-md5', 'expect', 'max-forwards', 'proxy-authenticate', 'server', 'te', 'transfer-encoding',
  'trailer', 'upgrade', 'www-authenticate',
]);

export function methodRequest(routed: RoutedRequest, req: IncomingRequest, scope: InvocationScope): MethodRequest {
  const { querystring, multiValueQuerystring } = parseQuery(req.query);
  const headersLower: Record<string, string> = dict<string>();
  let headers = req.headers;
  let stripped = false;
  for (const k in req.headers) {
    const lower = k.toLowerCase();
    if (STRIPPED_REQUEST_HEADERS.has(lower)) stripped = true;
    else headersLower[lower] = req.headers[k]!;
  }
  if (stripped) {
    const kept: Record<string, string> = dict<string>();
    for (const k in req.headers) if (!STRIPPED_REQUEST_HEADERS.has(k.toLowerCase())) kept[k] = req.headers[k]!;
    headers = kept;
  }
  const sources = mappingSources({
    path: routed.pathParameters,
    querystring,
    multiValueQuerystring,
    header: headersLower,
    rawHeaders: req.rawHeaders,
    body: req.body,
    stageVariables: scope.api.stageVariables,
    context: scope.context,
  });
  const m = routed.method;
  scope.context.resourceId = m.resourceId;
  scope.context.resourcePath = m.resourcePath;
  scope.log?.line(`HTTP Method: ${req.httpMethod}, Resource Path: ${req.path === '' ? '/' : req.path}`);
  scope.log?.line(`Method request path: ${javaMap(routed.pathParameters)}`);
  scope.log?.line(`Method request query string: ${javaMap(querystring)}`);
  scope.log?.line(`Method request headers: ${javaMap(req.headers)}`);
  // AWS logs an empty body as nothing after the colon (recorded; the 2016 guide's samples say "null").
  scope.log?.line(`Method request body before transformations: ${sources.body}`);
  return {
    httpMethod: req.httpMethod,
    path: req.path,
    pathParameters: routed.pathParameters,
    querystring,
    multiValueQuerystring,
    headers,
    headersLower,
    body: req.body,
    contentType: mimeType(headersLower['content-type']),
    sources,
  };
}

/** A query string's parameters, as URLSearchParams reads them (form decoding: '+' is a space). */
export function parseQuery(query: string): { querystring: Record<string, string>; multiValueQuerystring: Record<string, string[]> } {
  // dict(): ?__proto__=x and ?constructor=x are parameters like any other (src/shared/dict.ts).
  const querystring: Record<string, string> = dict<string>();
  const multiValueQuerystring: Record<string, string[]> = dict<string[]>();
  if (query === '') return { querystring, multiValueQuerystring };
  // Without '%' or '+' nothing decodes, and a split gives what URLSearchParams would, without
  // building one and its iterator per request (most queries: ?petType=cat&page=2).
  if (query.indexOf('%') === -1 && query.indexOf('+') === -1) {
    let start = 0;
    while (start <= query.length) {
      let end = query.indexOf('&', start);
      if (end === -1) end = query.length;
      if (end > start) {
        const eq = query.indexOf('=', start);
        const k = eq === -1 || eq > end ? query.slice(start, end) : query.slice(start, eq);
        const v = eq === -1 || eq > end ? '' : query.slice(eq + 1, end);
        querystring[k] = v;
        (multiValueQuerystring[k] ??= []).push(v);
      }
      start = end + 1;
    }
    return { querystring, multiValueQuerystring };
  }
  for (const [k, v] of new URLSearchParams(query)) {
    querystring[k] = v;
    (multiValueQuerystring[k] ??= []).push(v);
  }
  return { querystring, multiValueQuerystring };
}

/** {a=1, b=2}: how API Gateway's execution log prints a map (Java's Map.toString). */
export function javaMap(m: Readonly<Record<string, string | readonly string[]>>): string {
  const parts: string[] = [];
  for (const k in m) parts.push(`${k}=${Array.isArray(m[k]) ? `[${(m[k] as string[]).join(', ')}]` : m[k]}`);
  return `{${parts.join(', ')}}`;
}
