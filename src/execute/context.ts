// $context: the request-wide variables of the guide's $context table, built once per request.
import { randomBytes, randomUUID } from 'node:crypto';
import type { CompiledApi } from '../deploy/index.ts';
import type { IncomingRequest } from './types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

let cachedSecond = -1;
let cachedTime = '';
/** CLF time as $context.requestTime shows it: 04/Apr/2016:04:59:05 +0000 (cached per second). */
export function requestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedTime = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    cachedSecond = second;
  }
  return cachedTime;
}

/**
 * The X-Amzn-Trace-Id of a successful answer of an HTTP, AWS or AWS_PROXY integration: the trace
 * of the integration call, marked unsampled (AWS's recordings show the answer's value differs from
 * the one the back end got).
 */
export function answerTraceId(integrationTraceId: string): string {
  return `${integrationTraceId};Sampled=0`;
}

export function newRequestId(): string {
  return randomUUID();
}

// $context.extendedRequestId / x-amz-apigw-id: 16 characters like AWS's. A per-process random
// prefix and a counter: unique within the process without a random draw per request.
const EXTENDED_PREFIX = randomBytes(6).toString('base64').replace(/[+/=]/g, 'A');
let extendedCounter = 0;
export function newExtendedRequestId(): string {
  extendedCounter = (extendedCounter + 1) % 0x1000000;
  return EXTENDED_PREFIX + extendedCounter.toString(36).toUpperCase().padStart(8, '0');
}

export function buildContext(api: CompiledApi, req: IncomingRequest, requestId: string, accountId: string, nowMs: number): Record<string, unknown> {
  const dot = req.host.indexOf('.');
  const hostname = stripPort(req.host);
  const context = {
    accountId,
    apiId: api.restApiId,
    authorizer: {},
    domainName: hostname,
    domainPrefix: dot === -1 ? hostname : hostname.slice(0, hostname.indexOf('.')),
    error: {},
    extendedRequestId: newExtendedRequestId(),
    httpMethod: req.httpMethod,
    identity: {
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: req.sourceIp,
      user: null,
      userAgent: req.headers['User-Agent'] ?? req.headers['user-agent'] ?? lookup(req.headers, 'user-agent') ?? null,
      userArn: null,
    },
    path: req.contextPath ?? `/${api.stageName}${req.path === '' ? '/' : req.path}`,
    protocol: req.protocol,
    requestId,
    requestTime: requestTime(nowMs),
    requestTimeEpoch: nowMs,
    resourceId: null,
    resourcePath: null,
    stage: api.stageName,
  } as Record<string, unknown>;
  // $context.isCanaryRequest: present only on a stage with a canary (true when the request went to it).
  if (api.isCanary === true) context.isCanaryRequest = true;
  else if (api.canary !== undefined) context.isCanaryRequest = false;
  return context;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function lookup(headers: Readonly<Record<string, string>>, lower: string): string | undefined {
  for (const k in headers) if (k.toLowerCase() === lower) return headers[k];
  return undefined;
}
