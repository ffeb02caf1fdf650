// Gateway responses: what API Gateway answers when a request fails before (or instead of)
// reaching the integration. Only customized responses are stored (kind 'gatewayresponse', id =
// response type); the others are AWS's defaults, inheriting from DEFAULT_4XX / DEFAULT_5XX.
import type { GatewayResponse, PutGatewayResponseRequest } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { pageArray } from '../paging.ts';
import { applyPatch, requireValue, type PatchRule } from '../patch.ts';
import { SHAPES } from '../../model/generated/shapes.ts';
import { getApi } from './lookups.ts';

export const GATEWAY_RESPONSE_KIND = 'gatewayresponse';

export type GatewayResponseType = NonNullable<GatewayResponse['responseType']>;

/** Every response type, in the service model's order (which is the order GetGatewayResponses lists). */
export const GATEWAY_RESPONSE_TYPES: readonly GatewayResponseType[] = (() => {
  const s = SHAPES.GatewayResponseType;
  if (s.type !== 'string' || s.enum === null) throw new Error('GatewayResponseType is not an enum in the service model');
  return s.enum as GatewayResponseType[];
})();

/** AWS's default status code per type; DEFAULT_4XX and DEFAULT_5XX have none. */
export const DEFAULT_STATUS: Readonly<Record<GatewayResponseType, string | undefined>> = {
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  ACCESS_DENIED: '403',
  API_CONFIGURATION_ERROR: '500',
  AUTHORIZER_CONFIGURATION_ERROR: '500',
  AUTHORIZER_FAILURE: '500',
  BAD_REQUEST_PARAMETERS: '400',
  BAD_REQUEST_BODY: '400',
  EXPIRED_TOKEN: '403',
  INTEGRATION_FAILURE: '504',
  INTEGRATION_TIMEOUT: '504',
  INVALID_API_KEY: '403',
  INVALID_SIGNATURE: '403',
  MISSING_AUTHENTICATION_TOKEN: '403',
  QUOTA_EXCEEDED: '429',
  REQUEST_TOO_LARGE: '413',
  RESOURCE_NOT_FOUND: '404',
  THROTTLED: '429',
  UNAUTHORIZED: '401',
  UNSUPPORTED_MEDIA_TYPE: '415',
  WAF_FILTERED: '403',
};

export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** DEFAULT_4XX or DEFAULT_5XX: the fallback a response type inherits from. */
export function parentType(type: GatewayResponseType): 'DEFAULT_4XX' | 'DEFAULT_5XX' | null {
  if (type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX') return null;
  return DEFAULT_STATUS[type]!.startsWith('5') ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
}

function builtIn(type: GatewayResponseType): GatewayResponse {
  const r: GatewayResponse = { responseType: type };
  const status = DEFAULT_STATUS[type];
  if (status !== undefined) r.statusCode = status;
  r.responseParameters = {};
  r.responseTemplates = { 'application/json': DEFAULT_TEMPLATE };
  r.defaultResponse = true;
  return r;
}

/**
 * The gateway response API Gateway sends for `type`, given the API's customized responses
 * (as stored, or as in a deployment snapshot). A customized type answers as customized (its
 * status falling back to its DEFAULT_4XX/5XX's, then AWS's default); an untouched one takes
 * the customized DEFAULT_4XX/5XX's status, parameters and templates, else AWS's defaults.
 */
export function effectiveGatewayResponse(
  type: GatewayResponseType,
  customized: ReadonlyMap<string, GatewayResponse> | readonly GatewayResponse[],
): GatewayResponse {
  const byType = customized instanceof Map ? customized : new Map((customized as readonly GatewayResponse[]).map((r) => [r.responseType!, r]));
  const parent = parentType(type);
  const parentCustom = parent === null ? undefined : byType.get(parent);
  const own = byType.get(type);
  if (own !== undefined) {
    const r: GatewayResponse = { responseType: type };
    // A customized type without its own status keeps its built-in one, not DEFAULT_4XX/5XX's (recorded).
    const status = own.statusCode ?? DEFAULT_STATUS[type];
    if (status !== undefined) r.statusCode = status;
    r.responseParameters = { ...(own.responseParameters ?? {}) };
    r.responseTemplates = { ...(own.responseTemplates ?? {}) };
    r.defaultResponse = false;
    return r;
  }
  const r = builtIn(type);
  if (parentCustom !== undefined) {
    if (parentCustom.statusCode !== undefined) r.statusCode = parentCustom.statusCode;
    r.responseParameters = { ...(parentCustom.responseParameters ?? {}) };
    r.responseTemplates = { ...(parentCustom.responseTemplates ?? {}) };
  }
  return r;
}

function checkType(type: string): GatewayResponseType {
  if (!(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(type)) {
    throw badRequest(
      `1 validation error detected: Value '${type}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [${GATEWAY_RESPONSE_TYPES.join(', ')}]`,
    );
  }
  return type as GatewayResponseType;
}

function checkStatusCode(code: string | undefined): void {
  if (code !== undefined && !/^[1-5]\d\d$/.test(code)) throw badRequest(`Invalid status code specified: ${code}. Status codes must match [1-5]\\d\\d`);
}

const PARAM_NAME = /^gatewayresponse\.(?:header|querystring|path)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PARAM_VALUE =
  /^(?:'[^']*'|method\.request\.(?:header|querystring|path|multivalueheader|multivaluequerystring)\.[^\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9._-]+)$/;

function checkResponseParameters(params: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!PARAM_NAME.test(k)) {
      throw badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${k}]`);
    }
    if (typeof v !== 'string' || !PARAM_VALUE.test(v)) {
      throw badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: ${v}]`);
    }
  }
}

async function customizedResponses(tx: ReadTx, restApiId: string): Promise<Map<string, GatewayResponse>> {
  const { items } = await tx.list<GatewayResponse>(GATEWAY_RESPONSE_KIND, restApiId);
  return new Map(items.map((r) => [r.responseType!, r]));
}

/** A map entry of a gateway response, with AWS's errors for a missing value or an unknown key (recorded). */
function responseMap(name: 'responseParameters' | 'responseTemplates'): PatchRule<GatewayResponse> {
  return {
    path: `/${name}/*`,
    ops: ['add', 'replace', 'remove'],
    apply(doc, op, value, keys) {
      const map = { ...(doc[name] ?? {}) };
      const key = keys[0]!;
      if (op !== 'remove' && (value === undefined || value === '')) throw badRequest(`Invalid null or empty value in ${name}`);
      if (op !== 'add' && !Object.prototype.hasOwnProperty.call(map, key)) throw notFound('Invalid parameter name specified');
      if (op === 'remove') delete map[key];
      else Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      doc[name] = map;
    },
  };
}

const rules: PatchRule<GatewayResponse>[] = [
  {
    path: '/statusCode',
    ops: ['replace'],
    apply(doc, _op, value) {
      doc.statusCode = requireValue(value, '/statusCode');
    },
  },
  responseMap('responseParameters'),
  responseMap('responseTemplates'),
];

export const gatewayResponseHandlers: HandlerTable = {
  async PutGatewayResponse(input: PutGatewayResponseRequest, ctx) {
    return ctx.write(async (tx) => {
      await getApi(tx, ctx.accountId, input.restApiId);
      const type = checkType(input.responseType);
      checkStatusCode(input.statusCode);
      checkResponseParameters(input.responseParameters);
      // PUT replaces the customization; templates not given keep AWS's default template.
      const stored: GatewayResponse = { responseType: type };
      if (input.statusCode !== undefined) stored.statusCode = input.statusCode;
      stored.responseParameters = input.responseParameters ?? {};
      stored.responseTemplates = input.responseTemplates ?? { 'application/json': DEFAULT_TEMPLATE };
      stored.defaultResponse = false;
      await tx.put(GATEWAY_RESPONSE_KIND, input.restApiId, type, stored);
      return effectiveGatewayResponse(type, await customizedResponses(tx, input.restApiId));
    });
  },

  async GetGatewayResponse(input: { restApiId: string; responseType: string }, ctx) {
    return ctx.read(async (tx) => {
      await getApi(tx, ctx.accountId, input.restApiId);
      const type = checkType(input.responseType);
      return effectiveGatewayResponse(type, await customizedResponses(tx, input.restApiId));
    });
  },

  async GetGatewayResponses(input: { restApiId: string; limit?: number; position?: string }, ctx) {
    return ctx.read(async (tx) => {
      await getApi(tx, ctx.accountId, input.restApiId);
      const custom = await customizedResponses(tx, input.restApiId);
      return pageArray(GATEWAY_RESPONSE_TYPES.map((t) => effectiveGatewayResponse(t, custom)), input);
    });
  },

  async UpdateGatewayResponse(input: { restApiId: string; responseType: string; patchOperations?: [] }, ctx) {
    return ctx.write(async (tx) => {
      await getApi(tx, ctx.accountId, input.restApiId);
      const type = checkType(input.responseType);
      const custom = await customizedResponses(tx, input.restApiId);
      // Patching an untouched response customizes it, starting from what it answers today.
      const base = custom.get(type) ?? effectiveGatewayResponse(type, custom);
      const next = applyPatch({ ...base, defaultResponse: false }, input.patchOperations, rules, 'path');
      checkStatusCode(next.statusCode);
      checkResponseParameters(next.responseParameters);
      next.responseParameters ??= {};
      next.responseTemplates ??= {};
      await tx.put(GATEWAY_RESPONSE_KIND, input.restApiId, type, next);
      custom.set(type, next);
      return effectiveGatewayResponse(type, custom);
    });
  },

  async DeleteGatewayResponse(input: { restApiId: string; responseType: string }, ctx) {
    await ctx.write(async (tx) => {
      await getApi(tx, ctx.accountId, input.restApiId);
      const type = checkType(input.responseType);
      if (!(await tx.delete(GATEWAY_RESPONSE_KIND, input.restApiId, type))) {
        throw notFound('Gateway response type not defined on api');
      }
    });
  },
};
