// A deployment's gateway responses, compiled once: for every response type the effective
// response (its own customization, else DEFAULT_4XX/5XX's, else AWS's default) with its header
// mappings as functions and its templates split into text and references. A request that fails
// looks its type up and renders; nothing is parsed or inherited per request.
import type { GatewayResponse } from '../model/generated/types.ts';
import { byType, effectiveResponse, type EffectiveResponse } from './effective.ts';
import { compileParameterSource, parameterTarget, type ValueSource } from './parameters.ts';
import { DEFAULT_CONTENT_TYPE, DEFAULT_TEMPLATE, GATEWAY_RESPONSE_TYPES, type GatewayResponseType } from './response-types.ts';
import { GatewayResponseTemplate } from './template.ts';

export interface CompiledHeader {
  readonly name: string;
  readonly read: ValueSource;
  /** The default header this one replaces when their names differ only in case; null otherwise. */
  readonly replaces: 'Content-Type' | 'x-amzn-ErrorType' | null;
}

export interface CompiledGatewayResponse {
  /** The status the API chose; null answers with the failure's own status (AWS's default for its type, or its cause's). */
  readonly statusCode: number | null;
  readonly headers: readonly CompiledHeader[];
  /** MIME type (lower case) → template, in the order declared; empty answers with AWS's default body. */
  readonly templates: ReadonlyMap<string, GatewayResponseTemplate>;
  /** Whether rendering reads the request (a header mapped from it, or a choice between templates by Accept). */
  readonly readsRequest: boolean;
  /** True while the API sets no template for the type: the body is AWS's own (a failure may name its own, see render.ts). */
  readonly awsBody: boolean;
}

export type CompiledGatewayResponses = Readonly<Record<GatewayResponseType, CompiledGatewayResponse>>;

function compileResponse(e: EffectiveResponse): CompiledGatewayResponse {
  const headers: CompiledHeader[] = [];
  let readsRequest = false;
  for (const [target, expression] of Object.entries(e.responseParameters)) {
    const t = parameterTarget(target);
    if (t === null || t.location !== 'header') continue;
    // PutGatewayResponse refuses bad expressions; one that came in another way (an older store) maps nothing.
    const source = typeof expression === 'string' ? compileParameterSource(expression) : null;
    if (source === null) continue;
    readsRequest ||= source.readsRequest;
    headers.push({ name: t.name, read: source.read, replaces: replaced(t.name) });
  }
  const templates = new Map<string, GatewayResponseTemplate>();
  for (const [contentType, source] of Object.entries(e.responseTemplates)) {
    templates.set(contentType.trim().toLowerCase(), new GatewayResponseTemplate(typeof source === 'string' ? source : ''));
  }
  if (templates.size > 1) readsRequest = true;
  // A customization that left the templates alone (PutGatewayResponse stores AWS's default then) keeps AWS's body.
  const contentTypes = Object.keys(e.responseTemplates);
  const awsBody = e.customization === null || contentTypes.length === 0
    || (contentTypes.length === 1 && e.responseTemplates[DEFAULT_CONTENT_TYPE] === DEFAULT_TEMPLATE);
  return Object.freeze({ statusCode: statusCode(e.customStatus), headers: Object.freeze(headers), templates, readsRequest, awsBody });
}

function replaced(name: string): CompiledHeader['replaces'] {
  const lower = name.toLowerCase();
  if (lower === 'content-type' && name !== 'Content-Type') return 'Content-Type';
  if (lower === 'x-amzn-errortype' && name !== 'x-amzn-ErrorType') return 'x-amzn-ErrorType';
  return null;
}

function statusCode(s: string | undefined): number | null {
  if (s === undefined || !/^[1-5]\d\d$/.test(s)) return null;
  return Number(s);
}

/** AWS's defaults for every type: an API that customizes nothing shares these. */
export const DEFAULT_GATEWAY_RESPONSES: CompiledGatewayResponses = (() => {
  const aws = compileResponse(effectiveResponse('DEFAULT_4XX', []));
  return Object.freeze(Object.fromEntries(GATEWAY_RESPONSE_TYPES.map((t) => [t, aws])) as Record<GatewayResponseType, CompiledGatewayResponse>);
})();

/** The effective response of every type, from the API's customized responses (a deployment snapshot's). */
export function compileGatewayResponses(customized: readonly GatewayResponse[]): CompiledGatewayResponses {
  if (customized.length === 0) return DEFAULT_GATEWAY_RESPONSES;
  const custom = byType(customized);
  // Types inheriting one customization share its compiled form.
  const compiled = new Map<GatewayResponse, CompiledGatewayResponse>();
  const out = {} as Record<GatewayResponseType, CompiledGatewayResponse>;
  for (const type of GATEWAY_RESPONSE_TYPES) {
    const e = effectiveResponse(type, custom);
    if (e.customization === null) {
      out[type] = DEFAULT_GATEWAY_RESPONSES[type];
      continue;
    }
    let c = compiled.get(e.customization);
    if (c === undefined) compiled.set(e.customization, (c = compileResponse(e)));
    out[type] = c;
  }
  return Object.freeze(out);
}
