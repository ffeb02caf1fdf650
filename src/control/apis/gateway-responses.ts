// Gateway responses: what API Gateway answers when a request fails before (or instead of)
// reaching the integration. Only customized responses are stored (kind 'gatewayresponse', id =
// response type); what each type answers (its own, DEFAULT_4XX/5XX's or AWS's default) is
// src/gateway-responses' rule, the one deployments compile.
import type { GatewayResponse } from '../../model/generated/types.ts';
import type { ReadTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { pageArray } from '../paging.ts';
import { applyPatch, requireValue, type PatchRule } from '../patch.ts';
import {
  compileParameterSource, DEFAULT_RESPONSE_TEMPLATES, effectiveGatewayResponse, GATEWAY_RESPONSE_TYPES, isGatewayResponseType, parameterTarget,
  type GatewayResponseType,
} from '../../gateway-responses/index.ts';

export const GATEWAY_RESPONSE_KIND = 'gatewayresponse';

// OpenAPI import checks types against the same list.
export { GATEWAY_RESPONSE_TYPES };

function checkType(type: string): GatewayResponseType {
  if (!isGatewayResponseType(type)) {
    throw badRequest(
      `1 validation error detected: Value '${type}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [${GATEWAY_RESPONSE_TYPES.join(', ')}]`,
    );
  }
  return type;
}

function checkStatusCode(code: string | undefined): void {
  if (code !== undefined && !/^[1-5]\d\d$/.test(code)) throw badRequest(`Invalid status code specified: ${code}. Status codes must match [1-5]\\d\\d`);
}

/** Targets and sources by the grammar deployments compile them with (src/gateway-responses/parameters.ts). */
function checkResponseParameters(params: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    if (parameterTarget(k) === null) {
      throw badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${k}]`);
    }
    if (typeof v !== 'string' || compileParameterSource(v) === null) {
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
  async PutGatewayResponse(input, ctx) {
    return ctx.write(async (tx) => {
      const type = checkType(input.responseType);
      checkStatusCode(input.statusCode);
      checkResponseParameters(input.responseParameters);
      // PUT replaces the customization; templates not given keep AWS's default template.
      const stored: GatewayResponse = { responseType: type };
      if (input.statusCode !== undefined) stored.statusCode = input.statusCode;
      stored.responseParameters = input.responseParameters ?? {};
      stored.responseTemplates = input.responseTemplates ?? { ...DEFAULT_RESPONSE_TEMPLATES };
      stored.defaultResponse = false;
      await tx.put(GATEWAY_RESPONSE_KIND, input.restApiId, type, stored);
      return effectiveGatewayResponse(type, await customizedResponses(tx, input.restApiId));
    });
  },

  async GetGatewayResponse(input, ctx) {
    return ctx.read(async (tx) => {
      const type = checkType(input.responseType);
      return effectiveGatewayResponse(type, await customizedResponses(tx, input.restApiId));
    });
  },

  async GetGatewayResponses(input, ctx) {
    return ctx.read(async (tx) => {
      const custom = await customizedResponses(tx, input.restApiId);
      return pageArray(GATEWAY_RESPONSE_TYPES.map((t) => effectiveGatewayResponse(t, custom)), input);
    });
  },

  async UpdateGatewayResponse(input, ctx) {
    return ctx.write(async (tx) => {
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

  async DeleteGatewayResponse(input, ctx) {
    await ctx.write(async (tx) => {
      const type = checkType(input.responseType);
      if (!(await tx.delete(GATEWAY_RESPONSE_KIND, input.restApiId, type))) {
        throw notFound('Gateway response type not defined on api');
      }
    });
  },
};
