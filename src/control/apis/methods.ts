// Methods and method responses. A method is stored as one document holding its responses and
// its integration (src/control/apis/integrations.ts), which is how GetMethod returns it.
import type { Method, MethodResponse } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { K } from '../kinds.ts';
import { applyPatch, field, mapEntry, parseBoolean, type PatchRule } from '../patch.ts';
import { getMethod, getResource, methodKey, publicMethod } from './lookups.ts';
import { checkIntegrationRequestParameters, checkMethodRequestParameterNames, checkMethodResponseParameterNames } from './mapping-expressions.ts';

export type StoredMethod = Method & { resourceId: string };

// In the order AWS lists them in its error message.
export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'ANY'];
const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'];
const STATUS_CODE = /^[1-5]\d\d$/;

export interface MethodIds {
  restApiId: string;
  resourceId: string;
  httpMethod: string;
}

// AWS looks the resource up first: a method call on a missing API answers "Invalid Resource
// identifier specified" (recorded), since an API that does not exist has no resources.
export async function loadMethod(tx: ReadTx, _accountId: string, ids: MethodIds): Promise<StoredMethod> {
  await getResource(tx, ids.restApiId, ids.resourceId);
  return (await getMethod(tx, ids.restApiId, ids.resourceId, ids.httpMethod)) as StoredMethod;
}

export async function saveMethod(tx: WriteTx, ids: MethodIds, m: StoredMethod): Promise<void> {
  await tx.put(K.method, ids.restApiId, methodKey(ids.resourceId, ids.httpMethod), m);
}

export function checkStatusCode(code: string): void {
  if (!STATUS_CODE.test(code)) throw badRequest('Invalid response status code specified');
}

async function checkModels(tx: ReadTx, restApiId: string, models: Record<string, string> | undefined): Promise<void> {
  for (const name of Object.values(models ?? {})) {
    if ((await tx.get(K.model, restApiId, name)) === undefined) throw badRequest(`Invalid model identifier specified: ${name}`);
  }
}

async function checkMethodFields(tx: ReadTx, restApiId: string, m: Method): Promise<void> {
  if (!AUTHORIZATION_TYPES.includes(m.authorizationType ?? '')) {
    throw badRequest(`Invalid authorization type specified. Valid values are ${AUTHORIZATION_TYPES.join(', ')}`);
  }
  if (m.authorizationType === 'CUSTOM' || m.authorizationType === 'COGNITO_USER_POOLS') {
    if (!m.authorizerId) throw badRequest('Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
    if ((await tx.get('authorizer', restApiId, m.authorizerId)) === undefined) throw badRequest('Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
  } else {
    // AWS keeps an authorizer only for the types that use one (recorded: set on a NONE method, it is dropped).
    delete m.authorizerId;
  }
  if (m.requestValidatorId !== undefined && (await tx.get('requestvalidator', restApiId, m.requestValidatorId)) === undefined) {
    throw badRequest('Invalid Request Validator identifier specified');
  }
  checkMethodRequestParameterNames(m.requestParameters);
  await checkModels(tx, restApiId, m.requestModels);
}

// ------------------------------------------------------------------ patch rules

const methodRules: PatchRule<StoredMethod>[] = [
  field('authorizationType', { convert: (v) => (v ?? '').toUpperCase() }),
  field('authorizerId', { ops: ['replace', 'remove'], convert: (v) => v ?? '' }),
  field('apiKeyRequired', { convert: parseBoolean }),
  field('operationName'),
  field('requestValidatorId', { convert: (v) => v ?? '' }),
  mapEntry('requestParameters', { convert: parseBoolean }),
  mapEntry('requestModels'),
  {
    path: '/authorizationScopes',
    ops: ['add', 'remove', 'replace'],
    apply(doc, op, value) {
      const scopes = new Set(doc.authorizationScopes ?? []);
      for (const s of (value ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
        if (op === 'remove') scopes.delete(s);
        else scopes.add(s);
      }
      if (op === 'remove' && value === undefined) scopes.clear();
      if (scopes.size === 0) delete doc.authorizationScopes;
      else doc.authorizationScopes = [...scopes];
    },
  },
];

/** A method-response map entry; replacing or removing a key that is not there is AWS's 404 (recorded). */
function responseEntry(name: 'responseParameters' | 'responseModels', missing: string, convert: (v: string | undefined) => unknown): PatchRule<MethodResponse> {
  return {
    path: `/${name}/*`,
    ops: ['add', 'replace', 'remove'],
    apply(doc, op, value, keys) {
      const map = { ...(doc[name] ?? {}) } as Record<string, unknown>;
      const key = keys[0]!;
      if (op !== 'add' && !Object.prototype.hasOwnProperty.call(map, key)) throw notFound(missing);
      if (op === 'remove') delete map[key];
      else Object.defineProperty(map, key, { value: convert(value), enumerable: true, writable: true, configurable: true });
      // An emptied map is left out, as AWS answers (recorded).
      if (Object.keys(map).length === 0) delete (doc as Record<string, unknown>)[name];
      else (doc as Record<string, unknown>)[name] = map;
    },
  };
}

const methodResponseRules: PatchRule<MethodResponse>[] = [
  responseEntry('responseParameters', 'Invalid parameter name specified', parseBoolean),
  responseEntry('responseModels', 'Content-Type specified was not found', (v) => v ?? ''),
];

/** Drops undefined members, so stored documents carry only what was given. */
export function dropEmpty<T extends object>(o: T): T {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete (o as Record<string, unknown>)[k];
  }
  return o;
}

export const methodHandlers: HandlerTable = {
  async PutMethod(input, ctx) {
    return ctx.write(async (tx) => {
      await getResource(tx, input.restApiId, input.resourceId);
      if (!HTTP_METHODS.includes(input.httpMethod)) throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(',')}`);
      if (await tx.get(K.method, input.restApiId, methodKey(input.resourceId, input.httpMethod))) {
        throw conflict('Method already exists for this resource');
      }
      const m: StoredMethod = dropEmpty({
        resourceId: input.resourceId,
        httpMethod: input.httpMethod,
        // AWS accepts the type in any case ("none") and stores it upper-cased.
        authorizationType: input.authorizationType?.toUpperCase(),
        authorizerId: input.authorizerId,
        apiKeyRequired: input.apiKeyRequired ?? false,
        requestValidatorId: input.requestValidatorId,
        operationName: input.operationName,
        requestParameters: input.requestParameters,
        requestModels: input.requestModels,
        authorizationScopes: input.authorizationScopes,
      });
      await checkMethodFields(tx, input.restApiId, m);
      await saveMethod(tx, input, m);
      return publicMethod(m);
    });
  },

  async GetMethod(input, ctx) {
    return ctx.read(async (tx) => publicMethod(await loadMethod(tx, ctx.accountId, input)));
  },

  async UpdateMethod(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      const next = applyPatch(m, input.patchOperations, methodRules, 'short');
      await checkMethodFields(tx, input.restApiId, next);
      if (next.methodIntegration?.requestParameters) {
        checkIntegrationRequestParameters(next.methodIntegration.requestParameters, next.requestParameters);
      }
      await saveMethod(tx, input, next);
      return publicMethod(next);
    });
  },

  async DeleteMethod(input, ctx) {
    await ctx.write(async (tx) => {
      await loadMethod(tx, ctx.accountId, input);
      await tx.delete(K.method, input.restApiId, methodKey(input.resourceId, input.httpMethod));
    });
  },

  // ---- method responses

  async PutMethodResponse(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      checkStatusCode(input.statusCode);
      if (m.methodResponses?.[input.statusCode]) throw conflict('Response already exists for this resource');
      checkMethodResponseParameterNames(input.responseParameters);
      await checkModels(tx, input.restApiId, input.responseModels);
      const r: MethodResponse = dropEmpty({ statusCode: input.statusCode, responseParameters: input.responseParameters, responseModels: input.responseModels });
      m.methodResponses = { ...m.methodResponses, [input.statusCode]: r };
      await saveMethod(tx, input, m);
      return r;
    });
  },

  async GetMethodResponse(input, ctx) {
    return ctx.read(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      const r = m.methodResponses?.[input.statusCode];
      if (r === undefined) throw notFound('Invalid Response status code specified');
      return r;
    });
  },

  async UpdateMethodResponse(input, ctx) {
    return ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      const r = m.methodResponses?.[input.statusCode];
      if (r === undefined) throw notFound('Invalid Response status code specified');
      const next = applyPatch(r, input.patchOperations, methodResponseRules, 'short');
      checkMethodResponseParameterNames(next.responseParameters);
      await checkModels(tx, input.restApiId, next.responseModels);
      m.methodResponses = { ...m.methodResponses, [input.statusCode]: next };
      await saveMethod(tx, input, m);
      return next;
    });
  },

  async DeleteMethodResponse(input, ctx) {
    await ctx.write(async (tx) => {
      const m = await loadMethod(tx, ctx.accountId, input);
      if (m.methodResponses?.[input.statusCode] === undefined) throw notFound('Invalid Response status code specified');
      delete m.methodResponses[input.statusCode];
      if (Object.keys(m.methodResponses).length === 0) delete m.methodResponses;
      await saveMethod(tx, input, m);
    });
  },
};
