// Validation of parameter-mapping keys and expressions, as the guide's "Request and Response
// Parameter-Mapping Reference" defines them, with API Gateway's error wording.
import { badRequest } from '../errors.ts';

const NAME = '[^\\s.]+(?:[^\\s]*)';
const METHOD_REQUEST_PARAM = new RegExp(`^method\\.request\\.(path|querystring|header|multivaluequerystring|multivalueheader)\\.(${NAME})$`);
const INTEGRATION_REQUEST_PARAM = new RegExp(`^integration\\.request\\.(path|querystring|header|multivaluequerystring|multivalueheader)\\.(${NAME})$`);
const METHOD_RESPONSE_HEADER = new RegExp(`^method\\.response\\.header\\.(${NAME})$`);

export function mappingError(detail: string) {
  return badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [${detail}]`);
}

export function checkMethodRequestParameterNames(params: Record<string, unknown> | undefined): void {
  const names = new Set<string>();
  for (const k of Object.keys(params ?? {})) {
    if (!METHOD_REQUEST_PARAM.test(k)) throw mappingError(`Invalid mapping expression specified: ${k}`);
    // Recorded: one name may not be both a query string and a header (or path) parameter.
    const [, , location, ...rest] = k.split('.');
    if (location !== 'querystring' && location !== 'header' && location !== 'path') continue;
    const name = rest.join('.');
    if (names.has(name)) throw badRequest('Parameter names must be unique across querystring, header and path');
    names.add(name);
  }
}

export function checkMethodResponseParameterNames(params: Record<string, unknown> | undefined): void {
  for (const k of Object.keys(params ?? {})) {
    if (!METHOD_RESPONSE_HEADER.test(k)) throw mappingError(`Invalid method response parameter name specified: ${k}`);
  }
}

function isStatic(v: string): boolean {
  return v.length >= 2 && v.startsWith("'") && v.endsWith("'");
}

/**
 * Integration request parameters: keys integration.request.{path|querystring|header}.NAME,
 * values a method request parameter the method declares, the body (or a JSONPath into it),
 * a stage variable, a context variable or a 'static' value.
 */
export function checkIntegrationRequestParameters(params: Record<string, string> | undefined, declared: Record<string, boolean> | undefined): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!INTEGRATION_REQUEST_PARAM.test(k)) throw mappingError(`Invalid mapping expression specified: ${k}`);
    if (typeof v !== 'string' || v === '') throw mappingError(`Invalid mapping expression specified: ${v}`);
    if (isStatic(v)) continue;
    if (/^stageVariables\.[A-Za-z0-9_]+$/.test(v) || /^context\.[A-Za-z0-9_.$-]+$/.test(v)) continue;
    if (v === 'method.request.body' || v.startsWith('method.request.body.$') || /^method\.request\.body\./.test(v)) continue;
    const m = METHOD_REQUEST_PARAM.exec(v);
    if (m !== null) {
      if (declared === undefined || !(v in declared)) throw mappingError(`Invalid mapping expression parameter specified: ${v}`);
      continue;
    }
    throw mappingError(`Invalid mapping expression specified: ${v}`);
  }
}

/**
 * Integration response parameters: keys method.response.header.NAME that the method response
 * declares; values integration.response.header.NAME, integration.response.body[.JSONPath],
 * stageVariables.NAME, context.NAME or 'static'.
 */
export function checkIntegrationResponseParameters(params: Record<string, string> | undefined, declared: Record<string, boolean> | undefined): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!METHOD_RESPONSE_HEADER.test(k) || declared === undefined || !(k in declared)) {
      throw mappingError(`Invalid mapping expression parameter specified: ${k}`);
    }
    if (typeof v !== 'string' || v === '') throw mappingError(`Invalid mapping expression specified: ${v}`);
    if (isStatic(v)) continue;
    if (/^integration\.response\.(header|multivalueheader)\.[^\s]+$/.test(v)) continue;
    if (v === 'integration.response.body' || /^integration\.response\.body\.\S+$/.test(v)) continue;
    if (/^stageVariables\.[A-Za-z0-9_]+$/.test(v) || /^context\.[A-Za-z0-9_.$-]+$/.test(v)) continue;
    throw mappingError(`Invalid mapping expression specified: ${v}`);
  }
}
