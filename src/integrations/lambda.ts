// AWS and AWS_PROXY integrations with Lambda URIs, run by Gatehouse's built-in Lambda service.
//
// URI: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations, where
// {function} is a name, partial or full ARN (stage variables already substituted at compile time).
// A bare name resolves in the partition (account/region) that owns the API.
//
// AWS (custom integration): the request template's output is the event. The endpoint response is
// status 200 with the function's result as the body; a function error adds an
// `x-amz-function-error` header, and its errorMessage is what selection patterns match
// (lambdaSelectionSubject). A successful result is matched as the empty string, so a `.+` pattern
// catches errors only and the default response answers success.
//
// AWS_PROXY: the event is API Gateway's proxy event (format version 1.0), the function's result
// must be {statusCode, headers, multiValueHeaders, body, isBase64Encoded}. A function error or a
// malformed result answers 502 {"message": "Internal server error"}.
//
// Both: Lambda refusing the invocation (function not found, throttled, bad payload) answers
// 500 {"message": "Internal server error"}; the integration timeout (timeoutInMillis, at most
// 29 s) answers 504 {"message": "Endpoint request timed out"}.
import { dict } from '../shared/dict.ts';
import { K } from '../control/kinds.ts';
import { configurationError, endpointTimeout, GatewayError, integrationFailure } from '../execute/errors.ts';
import type { LambdaService } from '../lambda/index.ts';
import { LambdaError } from '../lambda/index.ts';
import type { Store } from '../store/index.ts';
import type { AsyncIntegration, EndpointResponse, IntegrationCall, IntegrationRequest } from './index.ts';
import type { CompiledMethod } from '../deploy/index.ts';

export interface LambdaIntegrationOptions {
  readonly lambda: Pick<LambdaService, 'invoke'>;
  /** Finds the partition that owns an API (its account and region). */
  readonly store: Pick<Store, 'locate'>;
  /** The partition used when the API cannot be located (e.g. deleted since deployment). */
  readonly defaultPartition: string;
}

export interface LambdaIntegrations {
  readonly AWS: AsyncIntegration;
  readonly AWS_PROXY: AsyncIntegration;
}

/** The header a Lambda endpoint response carries when the function failed. */
export const FUNCTION_ERROR_HEADER = 'x-amz-function-error';

const URI = /^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+):lambda:path\/+2015-03-31\/functions\/([^?]+?)\/invocations(?:\?.*)?$/;
const EMPTY_EVENT = Buffer.from('{}');

/** The function reference inside a Lambda integration URI; null when the URI is not one. */
export function lambdaFunctionOf(uri: string): string | null {
  const m = URI.exec(uri);
  if (m === null) return null;
  try {
    return decodeURIComponent(m[2]!);
  } catch {
    return m[2]!;
  }
}

/**
 * The Lambda Invoke URL a Lambda integration URI stands for, as API Gateway's execution log prints
 * it (https://lambda.{region}.amazonaws.com/2015-03-31/functions/{function}/invocations); null
 * when the URI is not a Lambda one.
 */
export function lambdaEndpointUrl(uri: string): string | null {
  const m = URI.exec(uri);
  return m === null ? null : `https://lambda.${m[1]}.amazonaws.com/2015-03-31/functions/${m[2]}/invocations`;
}

/**
 * What a Lambda custom integration's selection patterns are matched against: the errorMessage
 * of a function error, '' for a successful result.
 */
export function lambdaSelectionSubject(res: EndpointResponse): string {
  if (res.headers[FUNCTION_ERROR_HEADER] === undefined) return '';
  const text = res.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && 'errorMessage' in parsed) {
      const m = (parsed as { errorMessage: unknown }).errorMessage;
      return typeof m === 'string' ? m : JSON.stringify(m);
    }
  } catch {
    // not JSON: the raw payload is the message
  }
  return text;
}

export function createLambdaIntegrations(options: LambdaIntegrationOptions): LambdaIntegrations {
  const { lambda, store, defaultPartition } = options;
  const partitions = new Map<string, string>();

  /** At once after an API's first call (no promise: this runs per request). */
  function partitionOf(restApiId: string | undefined): string | Promise<string> {
    if (restApiId === undefined) return defaultPartition;
    return partitions.get(restApiId) ?? locatePartition(restApiId);
  }

  async function locatePartition(restApiId: string): Promise<string> {
    const located = await store.locate(K.restApi, restApiId);
    const partition = located[0]?.partition ?? defaultPartition;
    if (located.length > 0) partitions.set(restApiId, partition);
    return partition;
  }

  // The function of each integration URI, worked out once (a regex and a decode per call before).
  const functions = new Map<string, string | null>();
  const functionOf = (uri: string): string | null => {
    let fn = functions.get(uri);
    if (fn === undefined) {
      if (functions.size >= 1024) functions.clear();
      functions.set(uri, (fn = lambdaFunctionOf(uri)));
    }
    return fn;
  };

  /** `event`: a string is JSON Gatehouse wrote (the proxy event), not checked again; a Buffer is checked. */
  async function call(req: IntegrationRequest, restApiId: string | undefined, event: Buffer | string) {
    const fn = functionOf(req.uri);
    if (fn === null) throw configurationError(`Gatehouse runs AWS integrations with Lambda function URIs only (got ${req.uri})`);
    const located = partitionOf(restApiId);
    const partition = typeof located === 'string' ? located : await located;
    try {
      // The integration timeout bounds the wait, as the service's timeoutMs (a TimeoutError when it passes).
      return await lambda.invoke(partition, fn, event, { invocationType: 'RequestResponse', timeoutMs: req.timeoutMs, trustedJson: typeof event === 'string' });
    } catch (err) {
      if (err instanceof LambdaError) {
        throw configurationError(`Lambda invocation failed with status: ${err.statusCode}. ${err.name}: ${err.message}`);
      }
      if ((err as { name?: unknown } | null)?.name === 'TimeoutError') throw endpointTimeout();
      throw err;
    }
  }

  const custom: AsyncIntegration = {
    async invoke(req) {
      const event = req.body.length === 0 ? EMPTY_EVENT : req.body;
      const out = await call(req, req.headers['x-amzn-apigateway-api-id'], event);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': out.executedVersion };
      if (out.functionError !== undefined) headers[FUNCTION_ERROR_HEADER] = out.functionError;
      return { statusCode: out.statusCode, headers, body: out.payload };
    },
  };

  const proxy: AsyncIntegration = {
    async invoke(req, ctx) {
      if (ctx === undefined) throw new Error('AWS_PROXY needs the method request to build its event');
      // Lambda's Invoke is a POST: AWS accepts another integration method and fails every call
      // with a 500 of the INTEGRATION_FAILURE type (recorded: test_lambda_aws_proxy_integration_non_post_method).
      if (req.httpMethod !== 'POST') throw new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 500, log: `Execution failed due to configuration error: Lambda function invocations take POST, not ${req.httpMethod}` });
      // Handed on as the string it is: the service would only turn a Buffer back into one.
      const out = await call(req, ctx.scope.api.restApiId, JSON.stringify(proxyEvent(req, ctx)));
      if (out.functionError !== undefined) {
        throw integrationFailure(`Lambda execution failed with status ${out.statusCode} due to customer function error: ${lambdaSelectionSubject({ statusCode: 200, headers: { [FUNCTION_ERROR_HEADER]: out.functionError }, body: out.payload })}`);
      }
      return proxyResult(out.payload);
    },
  };

  return { AWS: custom, AWS_PROXY: proxy };
}

function badGateway(log: string): GatewayError {
  return new GatewayError('DEFAULT_5XX', 'Internal server error', { status: 502, log });
}

const malformed = (why: string): GatewayError => badGateway(`Execution failed due to configuration error: Malformed Lambda proxy response (${why})`);

/** The Lambda proxy integration's input event (payload format 1.0). */
export function proxyEvent(req: IntegrationRequest, ctx: IntegrationCall): Record<string, unknown> {
  const { request, scope, method } = ctx;
  // The method request's headers (the connection's own are not among them: method-request.ts),
  // with Authorization in that case whatever case it came in (recorded).
  const headers: Record<string, string> = dict<string>();
  for (const k in request.headers) headers[k.length === 13 && k.toLowerCase() === 'authorization' ? 'Authorization' : k] = request.headers[k]!;
  // API Gateway's own additions, as the endpoint request carries them.
  for (const k of PROXY_ADDED_HEADERS) if (req.headers[k] !== undefined) headers[k] = req.headers[k]!;
  const multiValueHeaders: Record<string, string[]> = dict<string[]>();
  for (const k in headers) multiValueHeaders[k] = [headers[k]!];
  const query = request.querystring;
  const multiQuery = request.multiValueQuerystring;
  const { error: _error, authorizer, ...rest } = scope.context;
  const requestContext: Record<string, unknown> = { ...rest, identity: eventIdentity(rest.identity as Record<string, unknown>) };
  if (authorizer !== null && typeof authorizer === 'object' && Object.keys(authorizer).length > 0) requestContext.authorizer = authorizer;
  const hasHeaders = Object.keys(headers).length > 0;
  return {
    resource: method.resourcePath,
    path: request.path === '' ? '/' : request.path,
    httpMethod: request.httpMethod,
    headers: hasHeaders ? headers : null,
    multiValueHeaders: hasHeaders ? multiValueHeaders : null,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
    pathParameters: Object.keys(request.pathParameters).length > 0 ? eventPathParameters(method, request) : null,
    stageVariables: Object.keys(scope.api.stageVariables).length > 0 ? scope.api.stageVariables : null,
    requestContext,
    // A payload of one of the API's binary media types goes to the function as base64 (src/deploy/binary.ts).
    ...(request.body.length > 0 && scope.api.binaryMediaTypes?.matches(request.contentType) === true
      ? { body: request.body.toString('base64'), isBase64Encoded: true }
      : { body: request.body.length === 0 ? null : request.body.toString('utf8'), isBase64Encoded: false }),
  };
}

const PROXY_ADDED_HEADERS = ['X-Amzn-Trace-Id', 'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto'];

/**
 * $context.identity as the event carries it: AWS's event has accessKey and leaves out the API
 * key fields unless a key was used (recorded in test_apigateway_lambda).
 */
function eventIdentity(identity: Record<string, unknown>): Record<string, unknown> {
  const { apiKey, apiKeyId, ...rest } = identity;
  const out: Record<string, unknown> = { accessKey: null, ...rest };
  if (apiKey !== null && apiKey !== undefined) {
    out.apiKey = apiKey;
    out.apiKeyId = apiKeyId;
  }
  return out;
}

/**
 * The event's path parameters: a greedy {name+} value is the rest of the path as sent, still
 * percent-encoded and with inner double slashes kept, without its trailing slash (AWS's recording:
 * "proxy-value//double-slash", "test%2Balias@gmail.com"); other values as routing decoded them.
 */
function eventPathParameters(method: CompiledMethod, request: { path: string; pathParameters: Readonly<Record<string, string>> }): Readonly<Record<string, string>> {
  const greedy = greedyPart(method);
  if (greedy === null) return request.pathParameters;
  // Skip as many non-empty segments of the path as the resource path has before its greedy part.
  let skip = greedy.segmentsBefore;
  const path = request.path;
  let i = 0;
  while (i < path.length && path.charCodeAt(i) === 47) i++;
  while (skip > 0 && i < path.length) {
    const next = path.indexOf('/', i);
    if (next === -1) return request.pathParameters;
    i = next;
    while (i < path.length && path.charCodeAt(i) === 47) i++;
    skip--;
  }
  let end = path.length;
  while (end > i && path.charCodeAt(end - 1) === 47) end--;
  if (end <= i) return request.pathParameters;
  return { ...request.pathParameters, [greedy.name]: path.slice(i, end) };
}

// A method's greedy path variable and the segments before it, read from its resource path once.
const greedyParts = new WeakMap<CompiledMethod, { name: string; segmentsBefore: number } | null>();

function greedyPart(method: CompiledMethod): { name: string; segmentsBefore: number } | null {
  let part = greedyParts.get(method);
  if (part === undefined) {
    const m = /\{([^{}]+)\+\}$/.exec(method.resourcePath);
    part = m === null ? null : { name: m[1]!, segmentsBefore: method.resourcePath.split('/').filter((s) => s !== '').length - 1 };
    greedyParts.set(method, part);
  }
  return part;
}

const PROXY_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);
// Framing headers are Gatehouse's to write.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** Validates a proxy function's result and turns it into the endpoint response. */
export function proxyResult(payload: Buffer): EndpointResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('not a JSON object');
  const r = parsed as Record<string, unknown>;
  for (const k in r) if (!PROXY_KEYS.has(k)) throw malformed(`unexpected field ${k}`);
  if (Object.keys(r).length === 0) throw malformed('an empty object');
  // As AWS's recording: a result with headers and no statusCode answers 200 ({} is refused above).
  const statusCode = r.statusCode === undefined ? 200 : typeof r.statusCode === 'string' && /^\d+$/.test(r.statusCode) ? Number(r.statusCode) : r.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw malformed('invalid status code');
  // Values by lower-case name: multiValueHeaders' first, under its spelling of the name, then the
  // headers' value after them (AWS's recording: "value-multi, value-solo" under "tesT-Multi").
  const values = new Map<string, { name: string; list: string[] }>();
  const add = (name: string, list: string[]): void => {
    const lower = name.toLowerCase();
    const entry = values.get(lower);
    if (entry === undefined) values.set(lower, { name, list });
    else entry.list.push(...list);
  };
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== 'object' || Array.isArray(r.multiValueHeaders)) throw malformed('multiValueHeaders is not an object');
    for (const [k, v] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (v === null) continue;
      if (!Array.isArray(v) || !v.every(isScalar)) throw malformed(`multiValueHeaders ${k} is not a list of strings`);
      add(k, v.map(String));
    }
  }
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) throw malformed('headers is not an object');
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
      if (v === null) continue;
      if (!isScalar(v)) throw malformed(`header ${k} is not a string`);
      add(k, [String(v)]);
    }
  }
  const headers: Record<string, string> = {};
  let multiValueHeaders: Record<string, string[]> | undefined;
  for (const [lower, { name, list }] of values) {
    if (FRAMING.has(lower) || list.length === 0) continue;
    headers[name] = list.join(',');
    // Several values go to the client as several headers (Set-Cookie cannot be joined).
    if (list.length > 1) (multiValueHeaders ??= {})[name] = list;
  }
  if (r.isBase64Encoded !== undefined && r.isBase64Encoded !== null && typeof r.isBase64Encoded !== 'boolean') throw malformed('isBase64Encoded is not a boolean');
  let body: Buffer;
  if (r.body === undefined || r.body === null) body = EMPTY;
  else if (typeof r.body === 'string') body = Buffer.from(r.body);
  else throw malformed('body is not a string');
  if (!values.has('content-type')) headers['Content-Type'] = 'application/json';
  const out: EndpointResponse = multiValueHeaders === undefined ? { statusCode, headers, body } : { statusCode, headers, multiValueHeaders, body };
  // The method response decodes a base64 body when the client or the result's type is binary.
  return r.isBase64Encoded === true && body.length > 0 ? { ...out, isBase64Encoded: true } : out;
}

const EMPTY = Buffer.alloc(0);

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
