// Method response: the integration response's status code, method.response.header.* mappings and
// the response template chosen by the client's Accept header (then application/json, then the
// first declared); no template passes the back end's body through. Proxy integrations return the
// back end's response as it is, less the headers API Gateway owns.
import { dict } from '../../shared/dict.ts';
import { mappingSources, mapResponseParameters, type CompiledIntegrationResponse, type TemplateSet } from '../../deploy/index.ts';
import { asText, constantOutput, fromBase64, mimeType, toBase64, type BinaryMediaTypes, type ContentHandling } from '../../deploy/index.ts';
import type { EndpointResponse } from '../../integrations/index.ts';
import { renderMappingTemplate, toJavaString } from '../../mapping/index.ts';
import { VtlError, type CompiledTemplate } from '../../vtl/index.ts';
import { configurationError } from '../errors.ts';
import type { InvocationScope, MethodRequest, MethodResponse } from '../types.ts';
import { mappingInput } from './integration-request.ts';
import { javaMap } from './method-request.ts';

export function methodResponse(selected: CompiledIntegrationResponse, res: EndpointResponse, req: MethodRequest, scope: InvocationScope): MethodResponse {
  // The back end's body as text, decoded on first use only (a binary body may never need it).
  let decoded: string | undefined;
  const bodyText = (): string => (decoded ??= res.body.length === 0 ? '' : res.body.toString('utf8'));
  const headers: Record<string, string> = {};
  let multiValueHeaders: Record<string, readonly string[]> | undefined;
  if (selected.responseParameters.length > 0) {
    const sources = mappingSources({
      path: req.pathParameters,
      querystring: req.querystring,
      header: res.headers,
      multiValueHeaders: res.multiValueHeaders,
      body: res.body,
      stageVariables: scope.api.stageVariables,
      context: scope.context,
    });
    const mapped = mapResponseParameters(selected.responseParameters, sources);
    for (const name in mapped) {
      const lower = name.toLowerCase();
      if (lower === 'transfer-encoding') continue;
      headers[REMAPPED_MAPPED.has(lower) ? `x-amzn-Remapped-${name}` : name] = mapped[name]!;
    }
    if (res.multiValueHeaders !== undefined) multiValueHeaders = repeatedMappedHeaders(selected, res.multiValueHeaders, headers);
  }
  let chosen = selectResponseTemplate(selected.responseTemplates, req.headersLower['accept']);
  // An API with binary media types, or a conversion asked for: what the template sees and what
  // leaves (src/deploy/binary.ts). Without either, the back end's payload is text.
  const payload = scope.api.binaryMediaTypes === null && selected.contentHandling === null
    ? null
    : responsePayload(selected.contentHandling, scope.api.binaryMediaTypes, res, req, bodyText);
  if (payload?.text === null) chosen = null; // bytes pass as they came: no template sees them
  let body: Buffer | string;
  if (chosen !== null && chosen.template !== null) {
    try {
      body = constantOutput(chosen.template) ?? renderMappingTemplate(chosen.template, mappingInput(req, scope, payload?.text ?? bodyText()));
    } catch (err) {
      if (err instanceof VtlError) throw configurationError(`Unable to transform response (${err.message})`);
      throw err;
    }
  } else body = payload === null ? asText(res.body) : payload.text ?? res.body;
  if (payload?.decode === true) body = fromBase64(body);
  let statusCode = selected.statusCode;
  // Overrides set by the request template count too, with or without a response template (recorded).
  statusCode = applyResponseOverride(headers, scope.context['responseOverride'], statusCode);
  if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = chosen?.contentType ?? 'application/json';
  if (scope.log !== null) {
    scope.log.line(`Method response body after transformations: ${body.toString()}`);
    scope.log.line(`Method response headers: ${javaMap(headers)}`);
    scope.log.line('Successfully completed execution');
    scope.log.line(`Method completed with status: ${statusCode}`);
  }
  if (multiValueHeaders !== undefined) {
    // A response override of the header replaces all its values.
    for (const k in multiValueHeaders) if (headers[k] === undefined || headers[k] !== multiValueHeaders[k]!.join(',')) delete multiValueHeaders[k];
    return { statusCode, headers, multiValueHeaders, body };
  }
  return { statusCode, headers, body };
}

interface ResponsePayload {
  /** The text the template (or the client) gets; null: the back end's bytes pass unchanged. */
  readonly text: string | null;
  /** The text that would leave is base64 to decode into the bytes the client gets. */
  readonly decode: boolean;
}

/** AWS's response table: the back end's payload is binary when its Content-Type is one of the
 *  API's binary types, and the client wants binary when its first Accept type is. */
function responsePayload(handling: ContentHandling, types: BinaryMediaTypes | null, res: EndpointResponse, req: MethodRequest, bodyText: () => string): ResponsePayload {
  const binary = types !== null && types.matches(headerValue(res.headers, 'content-type'));
  switch (handling) {
    case 'CONVERT_TO_TEXT':
      return { text: binary ? toBase64(res.body) : bodyText(), decode: false };
    case 'CONVERT_TO_BINARY':
      return binary ? { text: null, decode: false } : { text: bodyText(), decode: true };
    default: {
      const wantsBinary = types !== null && types.accepts(req.headersLower['accept']);
      if (binary) return wantsBinary ? { text: null, decode: false } : { text: toBase64(res.body), decode: false };
      return { text: bodyText(), decode: wantsBinary };
    }
  }
}

const RESPONSE_HEADER_SOURCE = 'integration.response.header.';
const RESPONSE_MULTIVALUE_HEADER_SOURCE = 'integration.response.multivalueheader.';

/**
 * method.response.header.X ← integration.response.{header|multivalueheader}.Y where the back end sent Y more than
 * once: X goes out once per value, as the back end sent them (joining Set-Cookie values with ','
 * would make one broken cookie of them).
 */
function repeatedMappedHeaders(
  selected: CompiledIntegrationResponse,
  multi: Readonly<Record<string, readonly string[]>>,
  headers: Record<string, string>,
): Record<string, readonly string[]> | undefined {
  let out: Record<string, readonly string[]> | undefined;
  for (const p of selected.responseParameters) {
    const prefix = p.expression.startsWith(RESPONSE_HEADER_SOURCE) ? RESPONSE_HEADER_SOURCE
      : p.expression.startsWith(RESPONSE_MULTIVALUE_HEADER_SOURCE) ? RESPONSE_MULTIVALUE_HEADER_SOURCE : null;
    if (prefix === null) continue;
    const values = multi[p.expression.slice(prefix.length).toLowerCase()];
    if (values !== undefined && headers[p.name] !== undefined) (out ??= {})[p.name] = values;
  }
  return out;
}

/**
 * $context.responseOverride.status and .header.NAME set by a mapping template win over the
 * integration response's status and header mappings. A status that is not an HTTP status code
 * is a configuration error, as API Gateway answers it (500).
 */
function applyResponseOverride(headers: Record<string, string>, override: unknown, statusCode: number): number {
  if (override === null || typeof override !== 'object') return statusCode;
  const o = override as Record<string, unknown>;
  const h = o['header'];
  if (h !== null && typeof h === 'object') {
    for (const name of Object.keys(h)) {
      const v = (h as Record<string, unknown>)[name];
      if (v === undefined || v === null) continue;
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
      headers[name] = typeof v === 'string' ? v : toJavaString(v);
    }
  }
  const s = o['status'];
  if (s === undefined || s === null) return statusCode;
  const n = typeof s === 'number' ? s : Number(String(s).trim());
  if (!Number.isInteger(n) || n < 100 || n > 599) throw configurationError(`Invalid status code override: ${String(s)}`);
  return n;
}

interface ChosenTemplate {
  readonly contentType: string;
  readonly template: CompiledTemplate | null;
}

/** Accept's media types in order (q-values are not weighed), then application/json, then the first. */
export function selectResponseTemplate(set: TemplateSet, accept: string | undefined): ChosenTemplate | null {
  if (set.first === null) return null;
  if (accept !== undefined) {
    for (const part of accept.split(',')) {
      const type = mimeType(part);
      if (type === undefined) continue;
      const t = set.byType.get(type);
      if (t !== undefined) return { contentType: type, template: t };
    }
  }
  const json = set.byType.get('application/json');
  if (json !== undefined) return { contentType: 'application/json', template: json };
  return { contentType: set.first, template: set.byType.get(set.first)! };
}

// method.response.header.* mappings API Gateway renames to x-amzn-Remapped-{name} (Transfer-Encoding
// is dropped), as recorded in TestApiGatewayHeaderRemapping: the headers its own front owns.
const REMAPPED_MAPPED = new Set([
  'authorization', 'connection', 'content-length', 'content-md5', 'date', 'expect', 'host', 'max-forwards', 'proxy-authenticate',
  'server', 'trailer', 'upgrade', 'user-agent', 'www-authenticate',
]);

// Back-end headers API Gateway renames (X-Amzn-Remapped-*) or drops on a proxy response.
const REMAPPED = new Set(['authorization', 'connection', 'content-length', 'content-md5', 'date', 'server', 'www-authenticate', 'x-amzn-requestid', 'x-amzn-remapped-authorization']);
const DROPPED = new Set(['transfer-encoding', 'keep-alive', 'proxy-authenticate', 'te', 'trailer', 'upgrade']);

// The renamed headers are a handful of names in the back end's spelling (Date, date, DATE): each
// renamed name is made once rather than per response (a new string, hashed again as a key).
const remappedNames = new Map<string, string>();
function remappedName(name: string): string {
  let r = remappedNames.get(name);
  if (r === undefined) {
    r = `x-amzn-Remapped-${name}`;
    // Only REMAPPED's names in some spelling get here; the bound is for a back end that varies its case.
    if (remappedNames.size < 1024) remappedNames.set(name, r);
  }
  return r;
}

export function proxyResponse(res: EndpointResponse, scope: InvocationScope, req?: MethodRequest): MethodResponse {
  if (res.isBase64Encoded === true) res = decodedProxyBody(res, scope, req);
  else if (!binaryProxyBody(res, scope, req)) {
    const text = asText(res.body);
    if (text !== res.body) res = { ...res, body: text };
  }
  // dict(): a back end's header named __proto__ is a header like any other (src/shared/dict.ts).
  const headers: Record<string, string> = dict<string>();
  const names = res.headerNames;
  for (const k in res.headers) {
    if (DROPPED.has(k)) continue;
    const name = names?.[k] ?? k;
    headers[REMAPPED.has(k) ? remappedName(name) : name] = res.headers[k]!;
  }
  let multiValueHeaders: Record<string, readonly string[]> | undefined;
  const multi = res.multiValueHeaders;
  if (multi !== undefined) {
    multiValueHeaders = dict<readonly string[]>();
    for (const k in multi) {
      if (DROPPED.has(k)) continue;
      const name = names?.[k] ?? k;
      multiValueHeaders[REMAPPED.has(k) ? remappedName(name) : name] = multi[k]!;
    }
  }
  if (scope.log !== null) {
    scope.log.line(`Method response body after transformations: ${res.body.toString('utf8')}`);
    scope.log.line(`Method response headers: ${javaMap(headers)}`);
    scope.log.line('Successfully completed execution');
    scope.log.line(`Method completed with status: ${res.statusCode}`);
  }
  return multiValueHeaders === undefined ? { statusCode: res.statusCode, headers, body: res.body } : { statusCode: res.statusCode, headers, multiValueHeaders, body: res.body };
}

/**
 * A Lambda proxy result with isBase64Encoded: decoded to its bytes when the API treats the
 * client's Accept type or the result's Content-Type as binary; otherwise the base64 text leaves
 * as the function wrote it, as API Gateway does without binaryMediaTypes.
 */
function decodedProxyBody(res: EndpointResponse, scope: InvocationScope, req: MethodRequest | undefined): EndpointResponse {
  const types = scope.api.binaryMediaTypes;
  if (types === null) return res;
  if (!types.accepts(req?.headersLower['accept']) && !types.matches(headerValue(res.headers, 'content-type'))) return res;
  return { ...res, body: fromBase64(res.body), isBase64Encoded: false };
}

/** An HTTP_PROXY answer passes as bytes when its Content-Type or the client's Accept is binary. */
function binaryProxyBody(res: EndpointResponse, scope: InvocationScope, req: MethodRequest | undefined): boolean {
  const types = scope.api.binaryMediaTypes;
  if (types === null) return false;
  return types.matches(headerValue(res.headers, 'content-type')) || types.accepts(req?.headersLower['accept']);
}

function headerValue(h: Readonly<Record<string, string>>, lower: string): string | undefined {
  const v = h[lower];
  if (v !== undefined) return v;
  for (const k in h) if (k.toLowerCase() === lower) return h[k];
  return undefined;
}

function hasHeader(h: Record<string, string>, lower: string): boolean {
  for (const k in h) if (k.toLowerCase() === lower) return true;
  return false;
}
