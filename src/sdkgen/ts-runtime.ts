// The hand-written part of the typescript SDK's client.ts: its configuration and response types
// and the transport (fetch, SubtleCrypto SigV4, x-api-key), the same behaviour as the javascript
// SDK's lib/apiGatewayCore (js-runtime.ts) written as strict TypeScript. It needs the DOM's or
// Node's types for fetch and crypto (lib "dom", or @types/node), and ES2017 or later.

/** The public types both the typescript SDK and the javascript SDK's declarations (apigClient.d.mts) export. */
export const TS_PUBLIC_TYPES = `export interface ClientConfig {
  /** The stage's URL; the URL the SDK was generated for when omitted. */
  invokeUrl?: string;
  /** Sent as x-api-key with every request. */
  apiKey?: string;
  /** With secretKey: signs AWS_IAM methods with Signature Version 4. */
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** The region to sign for. */
  region?: string;
  defaultContentType?: string;
  defaultAcceptType?: string;
}

export type QueryValue = string | number | boolean | ReadonlyArray<string | number | boolean>;

export interface AdditionalParams {
  headers?: Record<string, string>;
  queryParams?: Record<string, QueryValue>;
}

/** What a method resolves to (the shape of an axios response, as AWS's generated SDKs give). */
export interface ApiResponse<T> {
  data: T;
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

`;

/** client.ts's implementation: ApiError and the transport. */
export const TS_TRANSPORT = `/** A non-2XX answer: the method's promise rejects with it. */
export class ApiError extends Error {
  readonly response: ApiResponse<unknown>;
  constructor(response: ApiResponse<unknown>) {
    super('Request failed with status code ' + response.status);
    this.name = 'ApiError';
    this.response = response;
  }
}

interface OperationSpec {
  readonly method: string;
  readonly path: string;
  readonly authorizationType: string;
  readonly query: readonly string[];
  readonly header: readonly string[];
  readonly required: readonly string[];
}

type Params = object | undefined;

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmac(key: string | ArrayBuffer, text: string): Promise<ArrayBuffer> {
  const raw = typeof key === 'string' ? encoder.encode(key) : key;
  const k = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, encoder.encode(text));
}

/** RFC 3986 escaping, as SigV4 wants it. */
function escape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The path as sent, normalised and each segment escaped once more (every service but S3 signs it so). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(escape(s));
  }
  const out = '/' + segments.join('/');
  return segments.length > 0 && path.endsWith('/') ? out + '/' : out;
}

function queryPairs(query: Record<string, QueryValue>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(query)) {
    const values: ReadonlyArray<string | number | boolean> = Array.isArray(value) ? value : [value as string | number | boolean];
    for (const v of values) pairs.push([key, String(v)]);
  }
  return pairs;
}

async function signatureHeaders(
  credentials: { accessKey: string; secretKey: string; sessionToken: string; region: string },
  method: string, url: URL, query: Record<string, QueryValue>, contentType: string | undefined, body: string,
): Promise<Record<string, string>> {
  const longDate = new Date().toISOString().replace(/[:-]|\\.\\d{3}/g, '');
  const shortDate = longDate.slice(0, 8);
  const signed: Record<string, string> = { host: url.host, 'x-amz-date': longDate };
  if (credentials.sessionToken !== '') signed['x-amz-security-token'] = credentials.sessionToken;
  if (contentType !== undefined) signed['content-type'] = contentType;
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => n + ':' + signed[n]!.trim().replace(/\\s+/g, ' ') + '\\n').join('');
  const canonicalQuery = queryPairs(query)
    .map(([k, v]): [string, string] => [escape(k), escape(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => k + '=' + v)
    .join('&');
  const scope = shortDate + '/' + credentials.region + '/execute-api/aws4_request';
  const canonicalRequest = [method, canonicalPath(url.pathname), canonicalQuery, canonicalHeaders, names.join(';'), await sha256Hex(body)].join('\\n');
  const stringToSign = ['AWS4-HMAC-SHA256', longDate, scope, await sha256Hex(canonicalRequest)].join('\\n');
  let key = await hmac('AWS4' + credentials.secretKey, shortDate);
  for (const part of [credentials.region, 'execute-api', 'aws4_request']) key = await hmac(key, part);
  const out: Record<string, string> = {
    'x-amz-date': longDate,
    authorization: 'AWS4-HMAC-SHA256 Credential=' + credentials.accessKey + '/' + scope + ', SignedHeaders=' + names.join(';') + ', Signature=' + hex(await hmac(key, stringToSign)),
  };
  if (credentials.sessionToken !== '') out['x-amz-security-token'] = credentials.sessionToken;
  return out;
}

/** /pets/{petId} with {petId: 'a b'} gives /pets/a%20b; a greedy {proxy+} keeps its slashes. */
function expandPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/\\{([^}+]+)(\\+?)\\}/g, (_m: string, name: string, greedy: string) => {
    const value = String(params[name]);
    return greedy === '+' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}

class Transport {
  readonly #config: Required<ClientConfig>;
  readonly #base: string;

  constructor(config: ClientConfig, defaults: { invokeUrl: string; region: string }) {
    this.#config = {
      invokeUrl: config.invokeUrl ?? defaults.invokeUrl,
      apiKey: config.apiKey ?? '',
      accessKey: config.accessKey ?? '',
      secretKey: config.secretKey ?? '',
      sessionToken: config.sessionToken ?? '',
      region: config.region ?? defaults.region,
      defaultContentType: config.defaultContentType ?? 'application/json',
      defaultAcceptType: config.defaultAcceptType ?? 'application/json',
    };
    this.#base = this.#config.invokeUrl.replace(/\\/+$/, '');
  }

  async request<T>(spec: OperationSpec, params: Params, body: unknown, additional: AdditionalParams | undefined): Promise<ApiResponse<T>> {
    const given = (params ?? {}) as Record<string, unknown>;
    for (const name of spec.required) {
      if (given[name] === undefined || given[name] === null) throw new Error('Missing required parameter: ' + name);
    }
    const query: Record<string, QueryValue> = {};
    for (const name of spec.query) if (given[name] !== undefined && given[name] !== null) query[name] = given[name] as QueryValue;
    Object.assign(query, additional?.queryParams);
    const headers: Record<string, string> = {};
    for (const name of spec.header) if (given[name] !== undefined && given[name] !== null) headers[name] = String(given[name]);
    Object.assign(headers, additional?.headers);
    const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
    const c = this.#config;
    if (c.apiKey !== '') headers['x-api-key'] = c.apiKey;
    if (!has('accept')) headers['Accept'] = c.defaultAcceptType;
    let payload: string | undefined;
    // AWS's examples pass a body ({}) to every method; fetch refuses one on GET and HEAD.
    if (body !== undefined && body !== null && body !== '' && spec.method !== 'GET' && spec.method !== 'HEAD') {
      if (!has('content-type')) headers['Content-Type'] = c.defaultContentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const qs = queryPairs(query).map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
    const url = new URL(this.#base + expandPath(spec.path, given) + (qs === '' ? '' : '?' + qs));
    if (spec.authorizationType === 'AWS_IAM' && c.accessKey !== '' && c.secretKey !== '') {
      const contentType = Object.entries(headers).find(([h]) => h.toLowerCase() === 'content-type')?.[1];
      Object.assign(headers, await signatureHeaders(c, spec.method, url, query, contentType, payload ?? ''));
    }
    const res = await fetch(url, { method: spec.method, headers, body: payload ?? null });
    const text = await res.text();
    let data: unknown = text;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    const response: ApiResponse<unknown> = { data, status: res.status, statusText: res.statusText, headers: responseHeaders };
    if (res.status < 200 || res.status > 299) throw new ApiError(response);
    return response as ApiResponse<T>;
  }
}
`;
