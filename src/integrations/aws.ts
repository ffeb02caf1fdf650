// AWS integrations: Lambda URIs run on Gatehouse's Lambda service (lambda.ts); every other
// service is called over HTTP at the AWS endpoint Gatehouse is given (--aws-endpoint, one
// endpoint serving every service such as moto_server or LocalStack, with per-service overrides),
// never at AWS itself: without an endpoint the method answers 500 and the execution log and the
// server log say why.
//
// The endpoint request is built as API Gateway builds it (docs/aws-integrations.md):
// - method: the integration's httpMethod; headers, query string and body: the integration
//   request's (parameter mappings, request template), with Host the endpoint's;
// - `path/{path}`: that path; a `{bucket}.s3` subdomain becomes the path's first segment, the
//   way S3-compatible endpoints are addressed;
// - `action/{Action}[&name=value...]`: path `/` and the query string Action={Action}, the URI's
//   own parameters, then the mapped ones; JSON-protocol services (services.ts) also get
//   X-Amz-Target {prefix}.{Action} and Content-Type application/x-amz-json-1.x unless the API
//   maps those headers itself;
// - signed with SigV4 (sign.ts) for the URI's region and the service's signing name, with
//   --aws-access-key-id / --aws-secret-access-key. The integration's `credentials` role is not
//   assumed: every call is signed with those keys.
// The service's answer (status, headers, body) is the endpoint response, selected on by status
// code like an HTTP integration's. The call itself is the HTTP integration's (http.ts): the same
// deadline, per-integration call slots, response size limit and error answers.
import { parseAwsEndpointOverrides, type GatehouseConfig } from '../config.ts';
import { configurationError } from '../execute/errors.ts';
import { createHttpIntegration, type HttpIntegrationOptions } from './http.ts';
import type { AsyncIntegration, EndpointResponse, IntegrationCall, IntegrationRequest } from './index.ts';
import { AwsSigner, type AwsCredentials } from './aws/sign.ts';
import { awsPlan, parseAwsTarget, splitAction, splitPath, type AwsPlan, type AwsTarget } from './aws/target.ts';
import { lambdaFunctionOf } from './lambda.ts';

export interface AwsEndpoints {
  /** The endpoint serving every AWS service; '' = none. */
  readonly endpoint: string;
  /** Endpoints of single services, by the URI's service name or `{subdomain}.{service}`. */
  readonly overrides: ReadonlyMap<string, string>;
}

export interface AwsIntegrationOptions extends AwsEndpoints {
  readonly credentials: AwsCredentials;
  /** Runs AWS integrations whose URI is a Lambda function's (custom integration). */
  readonly lambda: AsyncIntegration;
  readonly http?: HttpIntegrationOptions;
}

export interface AwsIntegration extends AsyncIntegration {
  close(): Promise<void>;
}

interface Endpoint {
  /** scheme://host[:port] */
  readonly origin: string;
  /** The Host header: host[:port]. */
  readonly host: string;
  /** The endpoint URL's own path without its trailing slash ('' for none), put before every request path. */
  readonly basePath: string;
}

// Headers that are the HTTP layer's or the signature's to write, never the mapping's.
const DROPPED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'authorization', 'x-amz-date', 'x-amz-content-sha256']);

export function createAwsIntegration(options: AwsIntegrationOptions): AwsIntegration {
  const http = createHttpIntegration(options.http);
  const signer = new AwsSigner(options.credentials);
  const endpoints = resolveEndpoints(options);
  const endpointOf = new WeakMap<AwsTarget, Endpoint | null>();
  const endpointFor = (t: AwsTarget): Endpoint | null => {
    let ep = endpointOf.get(t);
    if (ep === undefined) endpointOf.set(t, (ep = endpoints(t)));
    return ep;
  };

  function invoke(req: IntegrationRequest, call?: IntegrationCall): Promise<EndpointResponse> {
    const plan = call === undefined ? planOfUri(req.uri) : awsPlan(call.method.integration);
    switch (plan.kind) {
      case 'lambda':
        return options.lambda.invoke(req, call);
      case 'invalid':
        return Promise.reject(configurationError(plan.reason));
      case 'service':
        try {
          return http.invoke(serviceRequest(plan, req, call), call);
        } catch (err) {
          return Promise.reject(err);
        }
    }
  }

  function serviceRequest(plan: Extract<AwsPlan, { kind: 'service' }>, req: IntegrationRequest, call: IntegrationCall | undefined): IntegrationRequest {
    const t = plan.target;
    const ep = endpointFor(t);
    if (ep === null) throw noEndpoint(t);
    // Path parameters are filled in after the prefix only; a URI whose prefix changed is not this target's.
    if (!req.uri.startsWith(t.prefix)) throw configurationError(`Invalid AWS integration URI: ${req.uri}`);
    const rest = req.uri.slice(t.prefix.length);
    let path: string;
    let rawQuery: string;
    let action = '';
    if (t.kind === 'path') ({ path, query: rawQuery } = splitPath(rest));
    else ({ path, query: rawQuery, action } = splitAction(rest));
    if (t.subdomain !== null && t.service === 's3') path = `/${t.subdomain}${path === '/' ? '' : path}`;

    const headers: Record<string, string> = {};
    for (const k in req.headers) {
      const name = k.toLowerCase();
      if (!DROPPED.has(name)) headers[name] = req.headers[k]!;
    }
    const protocol = t.info.action;
    if (t.kind === 'action' && protocol.kind === 'json') {
      headers['x-amz-target'] ??= `${protocol.targetPrefix}.${action}`;
      if (!plan.mapsContentType && !overridesContentType(call)) headers['content-type'] = `application/x-amz-json-${protocol.jsonVersion}`;
    }
    headers['host'] = ep.host;
    const query = canonicalQuery(rawQuery);
    const fullPath = ep.basePath + path;
    // integrationHttpMethod ANY calls the service with the client's own method (recorded: S3 PUT, GET and DELETE through one ANY method).
    const method = req.httpMethod === 'ANY' ? call?.request.httpMethod ?? 'GET' : req.httpMethod;
    signer.sign({ method, path: fullPath, query: query.values, headers, body: req.body }, t.region, t.info.signingName);
    return { httpMethod: method, uri: ep.origin + fullPath + (query.wire === '' ? '' : '?' + query.wire), headers, body: req.body, timeoutMs: req.timeoutMs };
  }

  return {
    invoke,
    close: () => http.close(),
  };
}

/** The gateway's AWS integration as its configuration says: Lambda URIs to `lambda`, other services to the configured endpoints. */
export function awsIntegrationFromConfig(
  config: Pick<GatehouseConfig, 'awsEndpoint' | 'awsEndpointOverrides' | 'awsAccessKeyId' | 'awsSecretAccessKey'>,
  lambda: AsyncIntegration,
): AwsIntegration {
  return createAwsIntegration({
    endpoint: config.awsEndpoint,
    overrides: parseAwsEndpointOverrides(config.awsEndpointOverrides),
    credentials: { accessKeyId: config.awsAccessKeyId, secretAccessKey: config.awsSecretAccessKey },
    lambda,
  });
}

function planOfUri(uri: string): AwsPlan {
  if (lambdaFunctionOf(uri) !== null) return { kind: 'lambda' };
  const target = parseAwsTarget(uri);
  return target === null ? { kind: 'invalid', reason: `Invalid AWS integration URI: ${uri}` } : { kind: 'service', target, mapsContentType: false };
}

function noEndpoint(t: AwsTarget): Error {
  const name = t.subdomain === null ? t.service : `${t.subdomain}.${t.service}`;
  return configurationError(
    `No endpoint for AWS service ${name}: Gatehouse sends AWS integrations to the endpoint named by --aws-endpoint (or --aws-endpoint-override ${t.service}=URL), never to AWS itself`,
  );
}

/** $context.requestOverride.header.Content-Type set by the request template wins over the protocol's. */
function overridesContentType(call: IntegrationCall | undefined): boolean {
  const o = call?.scope.context['requestOverride'] as { header?: Record<string, unknown> } | undefined;
  const header = o?.header;
  if (header === undefined || header === null || typeof header !== 'object') return false;
  for (const k of Object.keys(header)) if (k.toLowerCase() === 'content-type') return true;
  return false;
}

/**
 * The endpoint a target's requests go to: its `{subdomain}.{service}` override, else its
 * service's, else the one endpoint; null when there is none.
 */
export function resolveEndpoints(e: AwsEndpoints): (t: AwsTarget) => Endpoint | null {
  const parsed = new Map<string, Endpoint>();
  for (const [service, url] of e.overrides) parsed.set(service, endpoint(url));
  const all = e.endpoint === '' ? null : endpoint(e.endpoint);
  return (t) => (t.subdomain === null ? undefined : parsed.get(`${t.subdomain}.${t.service}`)) ?? parsed.get(t.service) ?? all;
}

function endpoint(url: string): Endpoint {
  const u = new URL(url);
  return { origin: u.origin, host: u.host, basePath: u.pathname.replace(/\/+$/, '') };
}

/**
 * The query string decoded for the signature and encoded again for the wire, both as SigV4
 * encodes (RFC 3986: a space is %20, never '+'), so the service reads the values that were signed.
 * Mapped values reach the URI form-encoded (URLSearchParams), so a '+' there is a space.
 */
function canonicalQuery(raw: string): { wire: string; values: Record<string, string | string[]> } {
  const values: Record<string, string | string[]> = Object.create(null);
  if (raw === '') return { wire: '', values };
  let wire = '';
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decode(eq === -1 ? pair : pair.slice(0, eq));
    const v = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const prev = values[k];
    values[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    wire += (wire === '' ? '' : '&') + escapeUri(k) + '=' + escapeUri(v);
  }
  return { wire, values };
}

function decode(s: string): string {
  const plain = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return plain;
  }
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded (as @smithy/util-uri-escape). */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
