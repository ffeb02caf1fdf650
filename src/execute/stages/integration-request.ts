// Integration request: chooses the request template by Content-Type (or passes the body
// through, or refuses with 415, per passthroughBehavior), maps integration.request.* parameters,
// renders the template, and builds the endpoint request for the integration type.
import { asText, constantOutput, fromBase64, mapRequestParameters, toBase64, type CompiledIntegration, type CompiledMethod, type ContentHandling, type MappedRequestParameters } from '../../deploy/index.ts';
import type { IntegrationRequest } from '../../integrations/index.ts';
import { renderMappingTemplate, toJavaString, type MappingInput } from '../../mapping/index.ts';
import type { CompiledTemplate } from '../../vtl/index.ts';
import { VtlError } from '../../vtl/index.ts';
import { configurationError, unsupportedMediaType } from '../errors.ts';
import type { InvocationScope, MethodRequest } from '../types.ts';
import { javaMap } from './method-request.ts';
import { lambdaEndpointUrl } from '../../integrations/lambda.ts';
import { awsServiceUrl } from '../../integrations/aws/target.ts';

const NO_TEMPLATE = Symbol('passthrough');

export function integrationRequest(method: CompiledMethod, req: MethodRequest, scope: InvocationScope): IntegrationRequest {
  const integration = method.integration;
  if (integration.misconfigured !== null) throw configurationError(integration.misconfigured);
  const mapped = mapRequestParameters(integration.requestParameters, req.sources);
  let body: Buffer | string;
  switch (integration.type) {
    case 'HTTP_PROXY':
      // Proxy integrations never transform the body; one that is not of a binary media type is text.
      body = scope.api.binaryMediaTypes?.matches(req.contentType) === true ? req.body : asText(req.body);
      break;
    case 'AWS_PROXY':
      // The Lambda proxy event carries the body (base64 when binary: src/integrations/lambda.ts).
      body = req.body;
      break;
    case 'HTTP':
    case 'AWS':
    case 'MOCK': {
      const template = selectRequestTemplate(integration, req.contentType ?? 'application/json');
      const binary = scope.api.binaryMediaTypes?.matches(req.contentType) === true;
      body = requestPayload(integration.contentHandling, binary, template, req, scope, mapped);
      break;
    }
  }
  const out = endpointRequest(integration, req, mapped, body, scope);
  // A MOCK integration has no endpoint: AWS logs none of the endpoint request's lines (recorded).
  if (scope.log !== null && integration.type !== 'MOCK') {
    scope.log.line(`Endpoint request URI: ${loggedUri(integration.type, out.uri)}`);
    scope.log.line(`Endpoint request headers: ${javaMap(out.headers)}`);
    scope.log.line(`Endpoint request body after transformations: ${out.body.toString()}`);
  }
  return out;
}

/**
 * $context.requestOverride.{header,querystring,path}.NAME set by the request template win over
 * the parameter mappings ("Override your API's request and response parameters and status codes":
 * overrides are applied after the standard mappings, once the whole template has run).
 */
function applyRequestOverride(mapped: MappedRequestParameters, override: unknown): void {
  if (override === null || typeof override !== 'object') return;
  const o = override as Record<string, unknown>;
  for (const location of ['header', 'querystring', 'path'] as const) {
    const values = o[location];
    if (values === null || typeof values !== 'object') continue;
    for (const name of Object.keys(values)) {
      const v = (values as Record<string, unknown>)[name];
      if (v !== undefined && v !== null) mapped[location][name] = typeof v === 'string' ? v : toJavaString(v);
    }
  }
}

/** The guide's passthrough tables (Integration Passthrough Behaviors). */
function selectRequestTemplate(i: CompiledIntegration, contentType: string): CompiledTemplate | typeof NO_TEMPLATE {
  const templates = i.requestTemplates.byType;
  const t = templates.get(contentType);
  if (t !== undefined) return t ?? NO_TEMPLATE;
  switch (i.passthroughBehavior) {
    case 'WHEN_NO_MATCH':
      return NO_TEMPLATE;
    case 'WHEN_NO_TEMPLATES':
      if (templates.size === 0) return NO_TEMPLATE;
      throw unsupportedMediaType();
    case 'NEVER':
      throw unsupportedMediaType();
  }
}

export function mappingInput(req: MethodRequest, scope: InvocationScope, body: string): MappingInput {
  return {
    body,
    params: { path: req.pathParameters, querystring: req.querystring, header: req.headers },
    context: scope.context,
    stageVariables: scope.api.stageVariables,
  } as MappingInput;
}

/**
 * The integration request payload of a non-proxy integration (src/deploy/binary.ts): a text
 * payload is UTF-8 text; CONVERT_TO_TEXT gives a binary payload to the template as its base64
 * text; CONVERT_TO_BINARY decodes the base64 text that would reach the back end; without either,
 * a binary payload passes as it came and no template sees it.
 */
function requestPayload(
  handling: ContentHandling,
  binary: boolean,
  template: CompiledTemplate | typeof NO_TEMPLATE,
  req: MethodRequest,
  scope: InvocationScope,
  mapped: MappedRequestParameters,
): Buffer | string {
  if (binary && handling !== 'CONVERT_TO_TEXT') return req.body;
  let text: Buffer | string;
  if (template === NO_TEMPLATE) text = binary ? toBase64(req.body) : asText(req.body);
  else {
    // req.sources.body is the payload decoded as UTF-8, as asText would make it.
    text = render(template, req, scope, binary ? toBase64(req.body) : req.sources.body);
    applyRequestOverride(mapped, scope.context['requestOverride']);
  }
  return handling === 'CONVERT_TO_BINARY' ? fromBase64(text) : text;
}

function render(template: CompiledTemplate, req: MethodRequest, scope: InvocationScope, body: string): string {
  try {
    return constantOutput(template) ?? renderMappingTemplate(template, mappingInput(req, scope, body));
  } catch (err) {
    if (err instanceof VtlError) throw configurationError(`Unable to transform request (${err.message})`);
    throw err;
  }
}

// Client headers a proxy integration does not pass on, besides those the method request never
// holds (method-request.ts: Connection, Content-Length, TE, Upgrade, ...).
const DROPPED_REQUEST_HEADERS = new Set(['keep-alive', 'proxy-authorization', 'trailers', 'host', 'via']);

// integration.request.header.* mappings, as AWS treats them (recorded in TestApiGatewayHeaderRemapping):
// some make every call a 500, some are dropped, the rest (Host included) reach the back end.
const REFUSED_MAPPED_HEADERS = new Set(['content-length', 'transfer-encoding']);
const REFUSED_MAPPED_AWS_HEADERS = new Set(['authorization', 'connection', 'expect', 'proxy-authenticate', 'te']);
const DROPPED_MAPPED_HTTP_HEADERS = new Set(['connection', 'expect', 'proxy-authenticate', 'te', 'via']);

/** integration.request.header.* values (and request-template overrides) into the endpoint request's headers. */
function assignMappedHeaders(headers: Record<string, string>, mappedHeaders: Readonly<Record<string, string>>, type: string): void {
  const aws = type === 'AWS' || type === 'AWS_PROXY';
  for (const name in mappedHeaders) {
    const lower = name.toLowerCase();
    if (REFUSED_MAPPED_HEADERS.has(lower) || (aws && REFUSED_MAPPED_AWS_HEADERS.has(lower))) {
      throw configurationError(`The integration request header ${name} cannot be mapped`);
    }
    if (!aws && DROPPED_MAPPED_HTTP_HEADERS.has(lower)) continue;
    // AWS passes a mapped Upgrade on; undici refuses one on a plain request (it is a protocol switch,
    // its `upgrade` option), so Gatehouse leaves it out (docs/aws-recorded.md lists the difference).
    if (lower === 'upgrade') continue;
    // A mapping replaces the header whatever the case it came in.
    for (const k in headers) if (k !== name && k.toLowerCase() === lower) delete headers[k];
    headers[name] = mappedHeaders[name]!;
  }
}

function endpointRequest(i: CompiledIntegration, req: MethodRequest, mapped: MappedRequestParameters, body: Buffer | string, scope: InvocationScope): IntegrationRequest {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const apiId = scope.api.restApiId;
  switch (i.type) {
    case 'MOCK':
      return { httpMethod: i.httpMethod, uri: '', headers: {}, body: payload, timeoutMs: i.timeoutMs };
    case 'HTTP':
    case 'AWS': {
      // Non-proxy: only mapped headers and query strings reach the back end, plus API Gateway's own.
      const headers: Record<string, string> = {
        'x-amzn-apigateway-api-id': apiId,
        Accept: 'application/json',
        'User-Agent': `AmazonAPIGateway_${apiId}`,
        'X-Amzn-Trace-Id': (scope.traceId = traceId(scope.requestId)),
      };
      if (payload.length > 0) headers['Content-Type'] = req.headers['Content-Type'] ?? req.headersLower['content-type'] ?? 'application/json';
      assignMappedHeaders(headers, mapped.header, i.type);
      return { httpMethod: i.httpMethod, uri: buildUri(i.uri, mapped.path, mapped.querystring, mapped.multiValueQuerystring), headers, body: payload, timeoutMs: i.timeoutMs };
    }
    case 'HTTP_PROXY':
    case 'AWS_PROXY': {
      const headers: Record<string, string> = {};
      for (const k in req.headers) if (!DROPPED_REQUEST_HEADERS.has(k.toLowerCase())) headers[k] = req.headers[k]!;
      // A Content-Encoding with no content reaches no back end (recorded: an empty GET's is dropped).
      if (payload.length === 0) for (const k in headers) if (k.toLowerCase() === 'content-encoding') delete headers[k];
      headers['x-amzn-apigateway-api-id'] = apiId;
      const trace = traceId(scope.requestId);
      headers['X-Amzn-Trace-Id'] = trace;
      // HTTP_PROXY answers with the back end's headers only (recorded); the others add the trace.
      if (i.type === 'AWS_PROXY') scope.traceId = trace;
      const forwarded = req.headersLower['x-forwarded-for'];
      headers['X-Forwarded-For'] = forwarded === undefined ? scope.sourceIp : `${forwarded}, ${scope.sourceIp}`;
      if (scope.listener !== undefined) {
        headers['X-Forwarded-Port'] ??= scope.listener.port;
        headers['X-Forwarded-Proto'] ??= scope.listener.proto;
      }
      assignMappedHeaders(headers, mapped.header, i.type);
      const pathValues = { ...req.pathParameters, ...mapped.path };
      const passQuery = mapped.multiValueQuerystring === null ? req.multiValueQuerystring : { ...req.multiValueQuerystring, ...mapped.multiValueQuerystring };
      return { httpMethod: i.httpMethod === 'ANY' ? req.httpMethod : i.httpMethod, uri: buildUri(i.uri, pathValues, mapped.querystring, passQuery), headers, body: payload, timeoutMs: i.timeoutMs };
    }
  }
}

/**
 * Fills {name} placeholders (greedy {name+} too) and appends the query string: `passQuery`'s
 * values (a proxy's query string, multi-value mappings) for names `query` does not set, then `query`.
 */
export function buildUri(
  template: string,
  path: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
  passQuery: Readonly<Record<string, readonly string[]>> | null,
): string {
  let uri = template.includes('{')
    ? template.replace(/\{([^{}+]+)\+?\}/g, (whole, name: string) => {
        const v = path[name];
        // Segments are encoded, slashes kept: a greedy {proxy+} value maps onto nested back-end paths.
        return v === undefined ? whole : v.split('/').map(encodeURIComponent).join('/');
      })
    : template;
  // Most calls add no query string: no URLSearchParams is made for them (a proxy passes an empty map).
  if (isEmpty(query) && (passQuery === null || isEmpty(passQuery))) return uri;
  const params = new URLSearchParams();
  if (passQuery !== null) {
    for (const k in passQuery) if (!(k in query)) for (const v of passQuery[k]!) params.append(k, v);
  }
  for (const k in query) params.append(k, query[k]!);
  const qs = params.toString();
  if (qs !== '') uri += (uri.includes('?') ? '&' : '?') + qs;
  return uri;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

let traceSecond = -1;
let traceEpochHex = '';
function traceId(requestId: string): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== traceSecond) {
    traceSecond = second;
    traceEpochHex = second.toString(16);
  }
  // A request id is a UUID (8-4-4-4-12): its first 24 hex digits by slices, without a regex per call.
  const hex = requestId.length === 36 && requestId.charCodeAt(8) === 45 && requestId.charCodeAt(13) === 45 && requestId.charCodeAt(18) === 45 && requestId.charCodeAt(23) === 45
    ? requestId.slice(0, 8) + requestId.slice(9, 13) + requestId.slice(14, 18) + requestId.slice(19, 23) + requestId.slice(24, 28)
    : requestId.replace(/-/g, '').slice(0, 24);
  return 'Root=1-' + traceEpochHex + '-' + hex;
}

/** The endpoint URI as the execution log shows it: a Lambda integration's Invoke URL, another AWS service's URL on AWS. */
export function loggedUri(type: string, uri: string): string {
  return type === 'AWS' || type === 'AWS_PROXY' ? lambdaEndpointUrl(uri) ?? awsServiceUrl(uri) ?? uri : uri;
}
