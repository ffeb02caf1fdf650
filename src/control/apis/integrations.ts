// Integrations and integration responses, stored inside their method's document.
import type { Integration, IntegrationResponse } from '../../model/generated/types.ts';
import type { HandlerTable } from '../context.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { applyPatch, field, mapEntry, toBoolean, toInteger, type PatchRule } from '../patch.ts';
import { checkIntegrationRequestParameters, checkIntegrationResponseParameters } from './mapping-expressions.ts';
import { checkStatusCode, dropEmpty, HTTP_METHODS, loadMethod, saveMethod, type MethodIds, type StoredMethod } from './methods.ts';

const PASSTHROUGH = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'];

const AWS_URI = /^arn:aws:apigateway:[a-z0-9-]+:[A-Za-z0-9.-]+:(path|action)\/.+$/;

export function checkIntegration(i: Integration): void {
  if (i.timeoutInMillis !== undefined && (i.timeoutInMillis < 50 || i.timeoutInMillis > 29000)) {
    throw badRequest('Timeout should be between 50 ms and 29000 ms');
  }
  if (i.passthroughBehavior !== undefined && !PASSTHROUGH.includes(i.passthroughBehavior)) {
    throw badRequest(`Invalid passthrough behavior specified: ${i.passthroughBehavior}. Valid values are ${PASSTHROUGH.join(', ')}`);
  }
  switch (i.type) {
    case 'HTTP':
    case 'HTTP_PROXY': {
      if (!i.httpMethod) throw badRequest('Enumeration value for HttpMethod must be non-empty');
      if (!HTTP_METHODS.includes(i.httpMethod)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(',')}`);
      if (i.connectionType === 'VPC_LINK') {
        if (!i.connectionId) throw badRequest('ConnectionId is required for connection type VPC_LINK');
      }
      let ok = false;
      try {
        const u = new URL(decodeURI(i.uri ?? '').replace(/\{[^}]*\}/g, 'x'));
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        ok = /\$\{stageVariables\.[A-Za-z0-9_]+\}/.test(i.uri ?? '');
      }
      if (!ok) throw badRequest('Invalid HTTP endpoint specified for URI');
      break;
    }
    case 'AWS':
    case 'AWS_PROXY': {
      if (!i.httpMethod) throw badRequest('Enumeration value for HttpMethod must be non-empty');
      if (!i.uri) throw badRequest('Invalid ARN specified in the request');
      if (!i.uri.startsWith('arn:')) throw badRequest('Invalid ARN specified in the request');
      if (!AWS_URI.test(i.uri)) throw badRequest('AWS ARN for integration must contain path or action');
      if (i.type === 'AWS_PROXY' && !/:lambda:path\/2015-03-31\/functions\/.+\/invocations$/.test(i.uri) && !/:firehose:/.test(i.uri)) {
        throw badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
      }
      break;
    }
    case 'MOCK':
      break;
    default:
      throw badRequest('Enumeration value for IntegrationType must be non-empty');
  }
  if (i.contentHandling !== undefined && i.contentHandling !== 'CONVERT_TO_BINARY' && i.contentHandling !== 'CONVERT_TO_TEXT') {
    throw badRequest(`Invalid content handling specified: ${i.contentHandling}`);
  }
}

// AWS's word for a method, or a method without an integration, on integration calls (recorded).
const NO_INTEGRATION = 'Invalid Integration identifier specified';

/** The method of an integration call; a missing method is a missing integration, as AWS says. */
async function loadIntegrated(tx: Parameters<typeof loadMethod>[0], accountId: string, ids: MethodIds): Promise<StoredMethod & { methodIntegration: Integration }> {
  let m: StoredMethod;
  try {
    m = await loadMethod(tx, accountId, ids);
  } catch (err) {
    if (err instanceof ApiError && err.message === 'Invalid Method identifier specified') throw notFound(NO_INTEGRATION);
    throw err;
  }
  if (m.methodIntegration === undefined) throw notFound(NO_INTEGRATION);
  return m as StoredMethod & { methodIntegration: Integration };
}

/** Response templates as AWS keeps them: an empty template is null; a key must look like a media type. */
function responseTemplates(t: Record<string, string | null> | undefined): Record<string, string | null> | undefined {
  if (t === undefined) return undefined;
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(t)) {
    if (!k.includes('/')) throw badRequest(`Validation Result: warnings : [], errors : [Invalid content type specified: ${k}]`);
    Object.defineProperty(out, k, { value: v === '' ? null : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function checkSelectionPattern(p: string | undefined): void {
  if (p === undefined || p === '') return;
  try {
    new RegExp(p);
  } catch {
    throw badRequest(`Invalid selection pattern specified: ${p}`);
  }
}

// ------------------------------------------------------------------ patch rules

const integrationRules: PatchRule<Integration>[] = [
  field('type'),
  field('httpMethod'),
  field('uri'),
  field('credentials', { ops: ['replace', 'add', 'remove'] }),
  field('passthroughBehavior'),
  field('contentHandling', { ops: ['replace', 'add', 'remove'] }),
  field('timeoutInMillis', { convert: toInteger }),
  field('cacheNamespace'),
  field('connectionType'),
  field('connectionId', { ops: ['replace', 'add', 'remove'] }),
  mapEntry('requestParameters'),
  mapEntry('requestTemplates'),
  {
    path: '/cacheKeyParameters/*',
    ops: ['add', 'remove'],
    apply(doc, op, _value, keys) {
      const list = (doc.cacheKeyParameters ?? []).filter((k) => k !== keys[0]);
      if (op === 'add') list.push(keys[0]!);
      doc.cacheKeyParameters = list;
    },
  },
  {
    path: '/tlsConfig/insecureSkipVerification',
    ops: ['replace'],
    apply(doc, _op, value) {
      doc.tlsConfig = { ...doc.tlsConfig, insecureSkipVerification: toBoolean(value, '/tlsConfig/insecureSkipVerification') };
    },
  },
];

const integrationResponseRules: PatchRule<IntegrationResponse>[] = [
  field('selectionPattern', { ops: ['replace', 'add', 'remove'] }),
  field('contentHandling', { ops: ['replace', 'add', 'remove'] }),
  mapEntry('responseParameters'),
  mapEntry('responseTemplates'),
];

// ------------------------------------------------------------------ handlers

export const integrationHandlers: HandlerTable = {
  async PutIntegration(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      const i: Integration = dropEmpty({
        type: input.type,
        httpMethod: input.integrationHttpMethod,
        // AWS keeps no URI on a MOCK integration (recorded: test_apigateway_integrations).
        uri: input.type === 'MOCK' ? undefined : input.uri,
        connectionType: input.connectionType ?? (input.type === 'HTTP' || input.type === 'HTTP_PROXY' ? 'INTERNET' : undefined),
        connectionId: input.connectionId,
        credentials: input.credentials,
        requestParameters: input.requestParameters,
        requestTemplates: input.requestTemplates,
        passthroughBehavior: input.passthroughBehavior ?? 'WHEN_NO_MATCH',
        contentHandling: input.contentHandling,
        timeoutInMillis: input.timeoutInMillis ?? 29000,
        cacheNamespace: input.cacheNamespace ?? input.resourceId,
        cacheKeyParameters: input.cacheKeyParameters ?? [],
        tlsConfig: input.tlsConfig,
        responseTransferMode: input.responseTransferMode,
        integrationTarget: input.integrationTarget,
      });
      checkIntegration(i);
      checkIntegrationRequestParameters(i.requestParameters, m.requestParameters);
      // Re-putting an integration keeps the responses already defined for it.
      if (m.methodIntegration?.integrationResponses) i.integrationResponses = m.methodIntegration.integrationResponses;
      m.methodIntegration = i;
      await saveMethod(tx, input, m);
      return i;
    });
  },

  async GetIntegration(input, ctx) {
    return ctx.read(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodIntegration === undefined) throw notFound(NO_INTEGRATION);
      return m.methodIntegration;
    });
  },

  async UpdateIntegration(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodIntegration === undefined) throw notFound('No integration defined for method');
      const next = applyPatch(m.methodIntegration, input.patchOperations, integrationRules);
      checkIntegration(next);
      checkIntegrationRequestParameters(next.requestParameters, m.requestParameters);
      m.methodIntegration = next;
      await saveMethod(tx, input, m);
      return next;
    });
  },

  async DeleteIntegration(input, ctx) {
    await ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodIntegration === undefined) throw notFound('No integration defined for method');
      delete m.methodIntegration;
      await saveMethod(tx, input, m);
    });
  },

  // ---- integration responses

  async PutIntegrationResponse(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodIntegration === undefined) throw notFound('No integration defined for method');
      checkStatusCode(input.statusCode);
      // AWS accepts an integration response before its method response exists (recorded); only
      // the header mappings need the method response's declarations.
      const mr = m.methodResponses?.[input.statusCode];
      checkSelectionPattern(input.selectionPattern);
      if (input.responseParameters !== undefined && Object.keys(input.responseParameters).length > 0) {
        if (mr === undefined) throw badRequest('Invalid mapping expression specified: Validation Result: warnings : [], errors : [No method response exists for method.]');
        checkIntegrationResponseParameters(input.responseParameters, mr.responseParameters);
      }
      const r: IntegrationResponse = dropEmpty({
        statusCode: input.statusCode,
        selectionPattern: input.selectionPattern,
        responseParameters: input.responseParameters,
        responseTemplates: responseTemplates(input.responseTemplates as Record<string, string | null> | undefined) as Record<string, string> | undefined,
        contentHandling: input.contentHandling,
      });
      m.methodIntegration.integrationResponses = { ...m.methodIntegration.integrationResponses, [input.statusCode]: r };
      await saveMethod(tx, input, m);
      return r;
    });
  },

  async GetIntegrationResponse(input, ctx) {
    return ctx.read(async (tx) => {
      // Unlike Delete, Get names a missing method as a method (recorded).
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodIntegration === undefined) throw notFound(NO_INTEGRATION);
      const r = m.methodIntegration.integrationResponses?.[input.statusCode];
      if (r === undefined) throw notFound('Invalid Response status code specified');
      return r;
    });
  },

  async UpdateIntegrationResponse(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      const r = m.methodIntegration?.integrationResponses?.[input.statusCode];
      if (r === undefined) throw notFound('Invalid Response status code specified');
      const next = applyPatch(r, input.patchOperations, integrationResponseRules);
      checkSelectionPattern(next.selectionPattern);
      checkIntegrationResponseParameters(next.responseParameters, m.methodResponses?.[input.statusCode]?.responseParameters);
      m.methodIntegration!.integrationResponses = { ...m.methodIntegration!.integrationResponses, [input.statusCode]: next };
      await saveMethod(tx, input, m);
      return next;
    });
  },

  async DeleteIntegrationResponse(input, ctx) {
    await ctx.write(async (tx) => {
      const m = await loadIntegrated(tx, ctx.accountId, input);
      const responses = m.methodIntegration.integrationResponses;
      if (responses?.[input.statusCode] === undefined) throw notFound('Invalid Response status code specified');
      delete responses[input.statusCode];
      if (Object.keys(responses).length === 0) delete m.methodIntegration.integrationResponses;
      await saveMethod(tx, input, m);
    });
  },
};
