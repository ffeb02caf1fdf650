// Writes an ApiDefinition into the store inside the caller's one write transaction: a new API
// (ImportRestApi), or an existing one merged into or overwritten (PutRestApi). Any error throws
// and the transaction rolls back, so a failed import leaves nothing behind.
import type { Authorizer, GatewayResponse, Method, MethodResponse, RestApi } from '../model/generated/types.ts';
import type { WriteTx } from '../store/index.ts';
import type { OpContext } from '../control/context.ts';
import { ApiError, badRequest } from '../control/errors.ts';
import { newId } from '../control/ids.ts';
import { K } from '../control/kinds.ts';
import { AUTHORIZER_KIND, checkAuthorizer, MAX_AUTHORIZERS_PER_API } from '../control/apis/authorizers.ts';
import { GATEWAY_RESPONSE_KIND, GATEWAY_RESPONSE_TYPES } from '../control/apis/gateway-responses.ts';
import { methodKey, type StoredResource } from '../control/apis/lookups.ts';
import {
  checkIntegrationRequestParameters, checkIntegrationResponseParameters, checkMethodRequestParameterNames, checkMethodResponseParameterNames,
} from '../control/apis/mapping-expressions.ts';
import { checkIntegration } from '../control/apis/integrations.ts';
import { modelUrl, parseSchema, referencedModels } from '../control/apis/model-schema.ts';
import { lazy } from '../lazy.ts';
import { modelMap } from '../control/apis/models.ts';
import { REQUEST_VALIDATOR_KIND } from '../control/apis/request-validators.ts';
import { addResource, removeAllResources } from '../control/apis/resource-paths.ts';
import { checkPathPart, createRootResource } from '../control/apis/resources.ts';
import { createRestApi } from '../control/apis/restapis.ts';
import { INVALID_POLICY_MESSAGE, resourcePolicyProblem, storedPolicyText } from '../access/resource-policy.ts';
import { DOCUMENTATION_EXTENSION, importDocumentationFrom } from '../control/apis/documentation.ts';
import { MODEL_REF, type ApiDefinition, type MethodDef } from './read.ts';

/** The name of an API imported from a definition without `info.title`. */
export const UNTITLED_API_NAME = 'Untitled API';

export type BasePathMode = 'ignore' | 'prepend' | 'split';

export interface ImportOptions {
  basePath: BasePathMode;
  failOnWarnings: boolean;
  endpointTypes?: string[];
  /** `ignore=documentation`: leave the definition's x-amazon-apigateway-documentation out. */
  ignoreDocumentation?: boolean;
}

type StoredMethod = Method & { resourceId: string };

// What PutGatewayResponse accepts as response parameters.
const GATEWAY_PARAM_NAME = /^gatewayresponse\.(?:header|querystring|path)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const GATEWAY_PARAM_VALUE =
  /^(?:'[^']*'|method\.request\.(?:header|querystring|path|multivalueheader|multivaluequerystring)\.[^\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9._-]+)$/;

export function errorsFound(errors: string[]): ApiError {
  return badRequest(`Errors found during import:\n\t${errors.join('\n\t')}`);
}

/** Runs a check, turning its ApiError into an import error that says where it happened. */
function at<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError) throw errorsFound([`${where}: ${err.message}`]);
    throw err;
  }
}

async function atAsync<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && !err.message.startsWith('Errors found during import')) throw errorsFound([`${where}: ${err.message}`]);
    throw err;
  }
}

/** The resource paths the definition's paths become under the chosen basepath mode. */
export function resourcePath(path: string, basePath: string | undefined, mode: BasePathMode): string {
  const base = (basePath ?? '').split('/').filter(Boolean);
  const prefix = mode === 'prepend' ? base : mode === 'split' ? base.slice(1) : [];
  const parts = [...prefix, ...path.split('/').filter(Boolean)];
  return '/' + parts.join('/');
}

function rewriteModelRefs(schema: unknown, restApiId: string): unknown {
  if (Array.isArray(schema)) return schema.map((x) => rewriteModelRefs(x, restApiId));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(MODEL_REF) ? modelUrl(restApiId, v.slice(MODEL_REF.length)) : rewriteModelRefs(v, restApiId);
  }
  return out;
}

/** ImportRestApi: creates a new API from the definition. */
export async function importNewApi(tx: WriteTx, ctx: OpContext, def: ApiDefinition, options: ImportOptions): Promise<RestApi> {
  const api = await atAsync('Unable to create the REST API', () =>
    createRestApi(tx, ctx, {
      // AWS imports a definition without a title; the API needs some name.
      name: def.title !== '' ? def.title : UNTITLED_API_NAME,
      description: def.description,
      version: def.version,
      apiKeySource: def.apiKeySource as RestApi['apiKeySource'],
      binaryMediaTypes: def.binaryMediaTypes,
      minimumCompressionSize: def.minimumCompressionSize,
      policy: def.policy,
      endpointConfiguration: { types: (options.endpointTypes ?? def.endpointTypes ?? ['EDGE']) as ('EDGE' | 'REGIONAL' | 'PRIVATE')[] },
    }),
  );
  // An imported API has the models its definition declares, not the console's defaults.
  await tx.deleteChildren(api.id!, [K.model]);
  await writeContents(tx, api, def, options);
  return finish(api, def, options, await writeDocumentation(tx, api.id!, def, options, 'merge'));
}

/**
 * PutRestApi: merges the definition into an existing API, or overwrites it. `where` (the caller's
 * account and region) turns x-amazon-apigateway-policy's execute-api:/ shorthand into the API's ARN.
 */
export async function importIntoApi(
  tx: WriteTx, api: RestApi, def: ApiDefinition, options: ImportOptions, mode: 'merge' | 'overwrite',
  where?: { readonly accountId: string; readonly region: string },
): Promise<RestApi> {
  if (def.policy !== undefined && def.policy !== '') {
    if (resourcePolicyProblem(def.policy) !== null) throw badRequest(INVALID_POLICY_MESSAGE);
    if (where !== undefined) def = { ...def, policy: storedPolicyText(def.policy, where.region, where.accountId, api.id!) };
  }
  const next: RestApi = { ...api };
  let keptIds: Map<string, string> | undefined;
  if (mode === 'overwrite') {
    // AWS keeps the id of a resource whose path the new definition declares again (recorded).
    const { items: previous } = await tx.list<StoredResource>(K.resource, api.id!);
    keptIds = new Map(previous.map((r) => [r.path!, r.id!]));
    await removeAllResources(tx, api.id!);
    await tx.deleteChildren(api.id!, [K.method, K.model, AUTHORIZER_KIND, REQUEST_VALIDATOR_KIND, GATEWAY_RESPONSE_KIND]);
    await createRootResource(tx, api.id!, api.rootResourceId);
    if (def.title) next.name = def.title;
    setOrDelete(next, 'description', def.description);
    setOrDelete(next, 'version', def.version);
    setOrDelete(next, 'binaryMediaTypes', def.binaryMediaTypes);
    setOrDelete(next, 'minimumCompressionSize', def.minimumCompressionSize);
    setOrDelete(next, 'policy', def.policy);
    next.apiKeySource = (def.apiKeySource ?? 'HEADER') as RestApi['apiKeySource'];
  } else {
    // Merge renames the API too (recorded): the definition's title is its name.
    if (def.title) next.name = def.title;
    if (def.description !== undefined) next.description = def.description;
    if (def.version !== undefined) next.version = def.version;
    if (def.binaryMediaTypes !== undefined) next.binaryMediaTypes = [...new Set([...(api.binaryMediaTypes ?? []), ...def.binaryMediaTypes])];
    if (def.apiKeySource !== undefined) next.apiKeySource = def.apiKeySource as RestApi['apiKeySource'];
    if (def.minimumCompressionSize !== undefined) next.minimumCompressionSize = def.minimumCompressionSize;
    if (def.policy !== undefined) next.policy = def.policy;
  }
  await tx.put(K.restApi, '', api.id!, next);
  await writeContents(tx, next, def, options, keptIds);
  // PutRestApi answers with the API's tags even when there are none (recorded), as UpdateRestApi does.
  return finish({ ...next, tags: next.tags ?? {} }, def, options, await writeDocumentation(tx, api.id!, def, options, mode));
}

function setOrDelete<T extends object, K2 extends keyof T>(o: T, k: K2, v: T[K2] | undefined): void {
  if (v === undefined) delete o[k];
  else o[k] = v;
}

function finish(api: RestApi, def: ApiDefinition, options: ImportOptions, more: string[]): RestApi {
  const warnings = [...def.warnings, ...more];
  if (warnings.length > 0 && options.failOnWarnings) {
    throw badRequest(`Warnings found during import:\n\t${warnings.join('\n\t')}`);
  }
  return warnings.length > 0 ? { ...api, warnings } : api;
}

/**
 * The definition's x-amazon-apigateway-documentation becomes documentation parts, through
 * ImportDocumentationParts' own code and in the same transaction (merge or overwrite as the
 * import itself). Returns its warnings, which join the import's.
 */
async function writeDocumentation(tx: WriteTx, apiId: string, def: ApiDefinition, options: ImportOptions, mode: 'merge' | 'overwrite'): Promise<string[]> {
  if (def.documentation === undefined || options.ignoreDocumentation === true) return [];
  const out = await importDocumentationFrom(tx, apiId, { [DOCUMENTATION_EXTENSION]: def.documentation }, mode, false);
  return out.warnings ?? [];
}

async function writeContents(tx: WriteTx, api: RestApi, def: ApiDefinition, options: ImportOptions, keptIds?: Map<string, string>): Promise<void> {
  const apiId = api.id!;

  // Models: all written first, then each checked against all (they may refer to each other in cycles).
  for (const m of def.models) {
    const model = { id: (await tx.get<{ id: string }>(K.model, apiId, m.name))?.id ?? newId(6), name: m.name, contentType: m.contentType, ...(m.description !== undefined ? { description: m.description } : {}), schema: JSON.stringify(rewriteModelRefs(m.schema, apiId), null, 2) };
    await tx.put(K.model, apiId, m.name, model);
  }
  if (def.models.length > 0) checkModels(apiId, await modelMap(tx, apiId), new Set(def.models.map((m) => m.name)));

  // Authorizers, request validators and gateway responses, matched by name when merging.
  const authorizerIds = new Map<string, string>();
  const { items: existingAuthorizers } = await tx.list<Authorizer>(AUTHORIZER_KIND, apiId);
  for (const a of existingAuthorizers) authorizerIds.set(a.name!, a.id!);
  for (const a of def.authorizers) {
    const stored: Authorizer = { id: authorizerIds.get(a.name!) ?? newId(6), ...a };
    at(`Unable to create authorizer '${a.name}'`, () => checkAuthorizer(stored));
    authorizerIds.set(a.name!, stored.id!);
    await tx.put(AUTHORIZER_KIND, apiId, stored.id!, stored);
  }
  if ((await tx.count(AUTHORIZER_KIND, apiId)) > MAX_AUTHORIZERS_PER_API) {
    throw errorsFound([`Unable to create authorizers: an API can have at most ${MAX_AUTHORIZERS_PER_API} authorizers`]);
  }
  const validatorIds = new Map<string, string>();
  const { items: existingValidators } = await tx.list<{ id: string; name?: string }>(REQUEST_VALIDATOR_KIND, apiId);
  for (const v of existingValidators) if (v.name !== undefined) validatorIds.set(v.name, v.id);
  for (const v of def.validators) {
    const id = validatorIds.get(v.name) ?? newId(6);
    validatorIds.set(v.name, id);
    await tx.put(REQUEST_VALIDATOR_KIND, apiId, id, { id, name: v.name, validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters });
  }
  for (const g of def.gatewayResponses) {
    if (!(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(g.responseType!)) {
      throw errorsFound([`Invalid gateway response type '${g.responseType}'. Valid types are ${GATEWAY_RESPONSE_TYPES.join(', ')}`]);
    }
    if (g.statusCode !== undefined && !/^[1-5]\d\d$/.test(g.statusCode)) throw errorsFound([`Invalid status code '${g.statusCode}' for gateway response ${g.responseType}`]);
    for (const [k, v] of Object.entries(g.responseParameters ?? {})) {
      if (!GATEWAY_PARAM_NAME.test(k) || !GATEWAY_PARAM_VALUE.test(v)) {
        throw errorsFound([`Unable to put gateway response ${g.responseType}: Invalid mapping expression specified: ${GATEWAY_PARAM_NAME.test(k) ? v : k}`]);
      }
    }
    const stored: GatewayResponse = { responseType: g.responseType };
    if (g.statusCode !== undefined) stored.statusCode = g.statusCode;
    stored.responseParameters = g.responseParameters ?? {};
    stored.responseTemplates = g.responseTemplates ?? {};
    stored.defaultResponse = false;
    await tx.put(GATEWAY_RESPONSE_KIND, apiId, g.responseType!, stored);
  }

  // Resources: every declared path and its ancestors. Placement rules are those of CreateResource,
  // checked against an in-memory tree (listing the store per resource is quadratic).
  const byPath = new Map<string, StoredResource>();
  const children = new Map<string, StoredResource[]>();
  const { items: resources } = await tx.list<StoredResource>(K.resource, apiId);
  for (const r of resources) {
    byPath.set(r.path!, r);
    if (r.parentId !== undefined) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
  }
  const ensure = async (path: string): Promise<StoredResource> => {
    const found = byPath.get(path);
    if (found !== undefined) return found;
    const cut = path.lastIndexOf('/');
    const parent = await ensure(cut === 0 ? '/' : path.slice(0, cut));
    const pathPart = path.slice(cut + 1);
    const where = `Unable to create resource at path '${path}'`;
    at(where, () => checkPathPart(pathPart));
    if (parent.pathPart !== undefined && /\+\}$/.test(parent.pathPart)) {
      throw errorsFound([`${where}: Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`]);
    }
    const siblings = children.get(parent.id!) ?? [];
    const variable = siblings.find((x) => x.pathPart!.startsWith('{'));
    if (pathPart.startsWith('{') && variable !== undefined) {
      throw errorsFound([`${where}: A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`]);
    }
    const r: StoredResource = { id: keptIds?.get(path) ?? newId(), parentId: parent.id, pathPart, path };
    await addResource(tx, apiId, r);
    byPath.set(path, r);
    children.set(parent.id!, [...siblings, r]);
    return r;
  };
  if (def.basePath !== undefined && options.basePath !== 'ignore') await ensure(resourcePath('/', def.basePath, options.basePath));
  for (const p of def.paths) await ensure(resourcePath(p, def.basePath, options.basePath));

  // Methods.
  const models = await modelMap(tx, apiId);
  for (const m of def.methods) {
    const resource = await ensure(resourcePath(m.path, def.basePath, options.basePath));
    const stored = buildMethod(m, resource, authorizerIds, validatorIds, models, def.warnings);
    await tx.put(K.method, apiId, methodKey(resource.id!, m.verb), stored);
  }
}

function buildMethod(
  m: MethodDef,
  resource: StoredResource,
  authorizerIds: Map<string, string>,
  validatorIds: Map<string, string>,
  models: Map<string, unknown>,
  warnings: string[],
): StoredMethod {
  const where = `method '${m.verb}' on resource at path '${resource.path}'`;
  const out: StoredMethod = { resourceId: resource.id!, httpMethod: m.verb, authorizationType: m.authorizationType };
  if (m.authorizerName !== undefined) out.authorizerId = authorizerIds.get(m.authorizerName);
  out.apiKeyRequired = m.apiKeyRequired;
  if (m.validatorName !== undefined) {
    const id = validatorIds.get(m.validatorName);
    if (id === undefined) throw errorsFound([`Unable to put ${where}: request validator '${m.validatorName}' is not defined in x-amazon-apigateway-request-validators`]);
    out.requestValidatorId = id;
  }
  if (m.operationName !== undefined) out.operationName = m.operationName;
  if (m.requestParameters !== undefined) {
    at(`Unable to put ${where}`, () => checkMethodRequestParameterNames(m.requestParameters));
    out.requestParameters = m.requestParameters;
  }
  if (m.requestModels !== undefined) out.requestModels = keepKnownModels(m.requestModels, models, where, warnings);
  if (m.authorizationScopes !== undefined) out.authorizationScopes = m.authorizationScopes;
  if (m.methodResponses !== undefined) {
    const responses: Record<string, MethodResponse> = {};
    for (const [code, r] of Object.entries(m.methodResponses)) {
      const mr: MethodResponse = { statusCode: code };
      if (r.responseParameters !== undefined) {
        at(`Unable to put method response ${code} on ${where}`, () => checkMethodResponseParameterNames(r.responseParameters));
        mr.responseParameters = r.responseParameters;
      }
      if (r.responseModels !== undefined) mr.responseModels = keepKnownModels(r.responseModels, models, where, warnings);
      responses[code] = mr;
    }
    out.methodResponses = responses;
  }
  for (const [name, value] of m.droppedRequestParameters ?? []) {
    warnings.push(`Invalid format for 'requestParameters'. Expected type string for property '${name}' of resource '${resource.path}' and method '${m.verb}' but got '${value}'`);
  }
  if (m.integration !== undefined) {
    const i = { ...m.integration };
    const isHttp = i.type === 'HTTP' || i.type === 'HTTP_PROXY';
    if (isHttp && i.connectionType === undefined) i.connectionType = 'INTERNET';
    i.passthroughBehavior ??= 'WHEN_NO_MATCH';
    i.timeoutInMillis ??= 29000;
    i.cacheNamespace ??= resource.id!;
    i.cacheKeyParameters ??= [];
    at(`Unable to put integration on '${m.verb}' for resource at path '${resource.path}'`, () => {
      checkIntegration(i);
      checkIntegrationRequestParameters(i.requestParameters, out.requestParameters);
    });
    for (const [code, r] of Object.entries(i.integrationResponses ?? {})) {
      const prefix = `Unable to put integration response on '${m.verb}' for resource at path '${resource.path}'`;
      if (!/^[1-5]\d\d$/.test(code)) throw errorsFound([`${prefix}: Invalid response status code specified: ${code}`]);
      if (r.selectionPattern !== undefined) {
        at(prefix, () => {
          try {
            new RegExp(r.selectionPattern!);
          } catch {
            throw badRequest(`Invalid selection pattern specified: ${r.selectionPattern}`);
          }
        });
      }
      if (r.contentHandling !== undefined && r.contentHandling !== 'CONVERT_TO_BINARY' && r.contentHandling !== 'CONVERT_TO_TEXT') {
        throw errorsFound([`${prefix}: Invalid content handling specified: ${r.contentHandling}`]);
      }
      // Definitions map headers their method response does not declare (API Gateway's own 2016
      // importer fixture maps one on its default response, and its exports of proxy integrations
      // have integration responses with no method response): AWS imports them, so only the
      // expressions themselves are checked here, not the declaration.
      const mapped = Object.fromEntries(Object.keys(r.responseParameters ?? {}).map((k) => [k, false]));
      at(prefix, () => checkIntegrationResponseParameters(r.responseParameters, { ...out.methodResponses?.[code]?.responseParameters, ...mapped }));
    }
    out.methodIntegration = i;
  }
  return out;
}

function keepKnownModels(map: Record<string, string>, models: Map<string, unknown>, where: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [ct, name] of Object.entries(map)) {
    if (models.has(name)) out[ct] = name;
    else warnings.push(`Unable to find model '${name}' for ${where}; it is left out`);
  }
  return out;
}

type Ajv04Class = typeof import('ajv-draft-04').default;
// ajv-draft-04 is CommonJS with the class on `exports.default`.
const ajvDraft04 = lazy<{ default: Ajv04Class }>('ajv-draft-04');

/**
 * CreateModel's checks (draft-04 schema, referenced models exist) for every imported model at
 * once: one validator holds all the API's models, so each schema is compiled once, not once per
 * model that refers to it.
 */
function checkModels(apiId: string, all: Map<string, { schema?: string }>, names: Set<string>): void {
  const ajv = new (ajvDraft04().default)({ strict: false, validateSchema: true, allErrors: false });
  const parsed = new Map<string, Record<string, unknown>>();
  for (const [name, m] of all) {
    const where = `Unable to create model '${name}'`;
    const schema = at(where, () => parseSchema(m.schema));
    const { id: _id, ...rest } = schema;
    parsed.set(name, rest);
    if (!names.has(name)) continue;
    for (const ref of referencedModels(schema)) {
      if (!all.has(ref)) throw errorsFound([`${where}: Invalid model specified: Validation Result: warnings : [], errors : [Invalid model identifier specified: ${ref}]`]);
    }
  }
  for (const [name, schema] of parsed) {
    try {
      ajv.addSchema(schema, modelUrl(apiId, name));
    } catch (err) {
      if (names.has(name)) throw errorsFound([`Unable to create model '${name}': Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: ${(err as Error).message}]`]);
    }
  }
  for (const name of names) {
    try {
      if (!ajv.validateSchema(parsed.get(name)!)) throw new Error(ajv.errorsText(ajv.errors));
      ajv.getSchema(modelUrl(apiId, name));
    } catch (err) {
      throw errorsFound([`Unable to create model '${name}': Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: ${(err as Error).message}]`]);
    }
  }
}
