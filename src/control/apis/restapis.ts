// REST APIs: create (blank or cloned), read, list, update, delete.
import { INVALID_POLICY_MESSAGE, resourcePolicyProblem, storedPolicyText } from '../../access/resource-policy.ts';
import type { CreateRestApiRequest, Method, Model, RestApi } from '../../model/generated/types.ts';
import type { WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { newId, now } from '../ids.ts';
import { deleteOwned, K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, listItem, toBoolean, type PatchRule } from '../patch.ts';
import { getApi, methodKey, type StoredResource } from './lookups.ts';
import { insertDefaultModels } from './models.ts';
import { addResource } from './resource-paths.ts';
import { createRootResource } from './resources.ts';

const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE'];

// Values outside the enums were already refused as Coral validation errors (coral.ts).
function checkEndpointTypes(types: string[] | undefined): void {
  if (types === undefined) return;
  if (types.length === 0) throw badRequest('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.');
  if (types.length > 1) throw badRequest('Cannot create an api with multiple Endpoint Types.');
}

function checkIpAddressType(types: readonly string[], ipAddressType: string): void {
  if (types.includes('PRIVATE') && ipAddressType !== 'dualstack') throw badRequest('Only dualstack ipAddressType is supported for Private APIs.');
}

function checkCompression(size: number | undefined): void {
  if (size !== undefined && (size < 0 || size > 10485760)) {
    throw badRequest('Invalid minimum compression size, must be between 0 and 10485760');
  }
}

/** A resource policy must be one API Gateway can evaluate (src/access/resource-policy.ts). */
function checkPolicy(policy: string | undefined): void {
  if (policy === undefined || policy === '') return;
  if (resourcePolicyProblem(policy) !== null) throw badRequest(INVALID_POLICY_MESSAGE);
}

/** Copies resources, methods and models of `sourceId` into the new API `targetId` (cloneFrom). */
async function cloneInto(tx: WriteTx, sourceId: string, targetId: string): Promise<string> {
  const { items: resources } = await tx.list<StoredResource>(K.resource, sourceId);
  const ids = new Map<string, string>();
  for (const r of resources) ids.set(r.id!, newId());
  let rootId = '';
  for (const r of resources) {
    const copy: StoredResource = { ...r, id: ids.get(r.id!) };
    if (r.parentId !== undefined) copy.parentId = ids.get(r.parentId);
    else rootId = copy.id!;
    await addResource(tx, targetId, copy);
  }
  const { items: methods } = await tx.list<Method & { resourceId: string }>(K.method, sourceId);
  for (const m of methods) {
    const resourceId = ids.get(m.resourceId)!;
    const copy = structuredClone(m);
    copy.resourceId = resourceId;
    if (copy.methodIntegration?.cacheNamespace === m.resourceId) copy.methodIntegration.cacheNamespace = resourceId;
    await tx.put(K.method, targetId, methodKey(resourceId, m.httpMethod!), copy);
  }
  const { items: models } = await tx.list<Model>(K.model, sourceId);
  for (const m of models) await tx.put(K.model, targetId, m.name!, { ...m, id: newId(6) });
  return rootId;
}

export async function createRestApi(tx: WriteTx, ctx: OpContext, input: CreateRestApiRequest): Promise<RestApi> {
  if (!input.name || input.name.trim() === '') throw badRequest('Invalid REST API name specified');
  if (input.description === '') throw badRequest('Description cannot be an empty string');
  checkEndpointTypes(input.endpointConfiguration?.types);
  const types = input.endpointConfiguration?.types ?? ['EDGE'];
  // A private API is dual-stack unless told otherwise; the others are IPv4 (recorded defaults).
  const ipAddressType = input.endpointConfiguration?.ipAddressType ?? (types.includes('PRIVATE') ? 'dualstack' : 'ipv4');
  checkIpAddressType(types, ipAddressType);
  checkCompression(input.minimumCompressionSize);
  checkPolicy(input.policy);
  const id = newId();
  let rootResourceId: string;
  if (input.cloneFrom !== undefined) {
    await getApi(tx, ctx.accountId, input.cloneFrom);
    rootResourceId = await cloneInto(tx, input.cloneFrom, id);
  } else {
    rootResourceId = (await createRootResource(tx, id)).id!;
    await insertDefaultModels(tx, id);
  }
  const api: RestApi = {
    id,
    name: input.name,
    createdDate: now(),
    apiKeySource: input.apiKeySource ?? 'HEADER',
    endpointConfiguration: {
      types,
      ipAddressType,
      ...(input.endpointConfiguration?.vpcEndpointIds ? { vpcEndpointIds: input.endpointConfiguration.vpcEndpointIds } : {}),
    },
    disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
    rootResourceId,
  };
  if (input.description !== undefined) api.description = input.description;
  if (input.version !== undefined) api.version = input.version;
  if (input.binaryMediaTypes !== undefined && input.binaryMediaTypes.length > 0) api.binaryMediaTypes = input.binaryMediaTypes;
  if (input.minimumCompressionSize !== undefined) api.minimumCompressionSize = input.minimumCompressionSize;
  // AWS stores the execute-api:/... shorthand as the API's ARN.
  if (input.policy !== undefined && input.policy !== '') api.policy = storedPolicyText(input.policy, ctx.region, ctx.accountId, id);
  if (input.tags !== undefined && Object.keys(input.tags).length > 0) api.tags = input.tags;
  await tx.put(K.restApi, '', id, api);
  return api;
}

const rules: PatchRule<RestApi>[] = [
  field('name'),
  field('description', { ops: ['replace', 'add', 'remove'] }),
  field('version', { ops: ['replace', 'add', 'remove'] }),
  field('apiKeySource', {
    check: (v) => {
      if (v !== 'HEADER' && v !== 'AUTHORIZER') throw badRequest(`Invalid API key source specified: ${v}`);
    },
  }),
  field('policy', { ops: ['replace', 'add', 'remove'], check: (v) => checkPolicy(v as string) }),
  field('minimumCompressionSize', {
    // An empty or missing value turns compression off; text that is not a number is out of range.
    convert: (v) => {
      if (v === undefined || v === '') return undefined;
      if (!/^-?\d{1,10}$/.test(v.trim())) checkCompression(-1);
      return Number(v);
    },
    check: (v) => checkCompression(v as number | undefined),
  }),
  field('disableExecuteApiEndpoint', { convert: toBoolean }),
  listItem('binaryMediaTypes'),
  {
    path: '/endpointConfiguration/types/*',
    ops: ['replace'],
    apply(doc, _op, value, keys) {
      const types = doc.endpointConfiguration?.types ?? ['EDGE'];
      if (!(types as string[]).includes(keys[0]!)) throw badRequest(`Invalid patch path /endpointConfiguration/types/${keys[0]}`);
      if (!ENDPOINT_TYPES.includes(value ?? '')) throw badRequest('Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE');
      const next = [value as 'EDGE' | 'REGIONAL' | 'PRIVATE'];
      // Turning an API private makes it dual-stack, as creating a private API does (recorded).
      const ipAddressType = value === 'PRIVATE' ? 'dualstack' : doc.endpointConfiguration?.ipAddressType;
      doc.endpointConfiguration = { ...doc.endpointConfiguration, types: next, ipAddressType };
    },
  },
  {
    path: '/endpointConfiguration/ipAddressType',
    ops: ['replace'],
    apply(doc, _op, value) {
      if (value !== 'ipv4' && value !== 'dualstack') throw badRequest('ipAddressType must be either ipv4 or dualstack.');
      checkIpAddressType(doc.endpointConfiguration?.types ?? [], value);
      doc.endpointConfiguration = { ...doc.endpointConfiguration, ipAddressType: value };
    },
  },
];

/** AWS's own wording for a wrong op on the endpoint types, before the generic patch errors. */
function checkEndpointTypeOps(ops: readonly { op?: string; path?: string }[] | undefined): void {
  for (const p of ops ?? []) {
    if (p.path?.startsWith('/endpointConfiguration/types') && p.op !== 'replace' && p.op !== 'add' && p.op !== 'remove') {
      throw badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'");
    }
  }
}

export const restApiHandlers: HandlerTable = {
  async CreateRestApi(input, ctx) {
    return ctx.write((tx) => createRestApi(tx, ctx, input));
  },

  async GetRestApi(input, ctx) {
    // GetRestApi answers tags {} when there are none (recorded twice); GetRestApis and
    // CreateRestApi leave the field out (recorded).
    const api = await ctx.read((tx) => getApi(tx, ctx.accountId, input.restApiId));
    return { ...api, tags: api.tags ?? {} };
  },

  async GetRestApis(input, ctx) {
    return ctx.read((tx) => listPage<RestApi>(tx, K.restApi, '', input));
  },

  async UpdateRestApi(input, ctx) {
    return ctx.write(async (tx) => {
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      checkEndpointTypeOps(input.patchOperations);
      const next = applyPatch(api, input.patchOperations, rules, 'short');
      if (!next.name) throw badRequest('Invalid REST API name specified');
      if (next.policy !== undefined && next.policy !== api.policy) next.policy = storedPolicyText(next.policy, ctx.region, ctx.accountId, api.id!);
      await tx.put(K.restApi, '', api.id!, next);
      // UpdateRestApi answers with its tags even when there are none (recorded), unlike Create.
      return { ...next, tags: next.tags ?? {} };
    });
  },

  async DeleteRestApi(input, ctx) {
    await ctx.write(async (tx) => {
      const api = await getApi(tx, ctx.accountId, input.restApiId);
      await deleteOwned(tx, 'restApi', input.restApiId, api);
      await tx.delete(K.restApi, '', input.restApiId);
    });
  },
};
