// The API key check: a method with apiKeyRequired admits a request only with the value of an
// enabled API key that a usage plan attached to this stage holds. The key comes from the x-api-key
// header, or from the Lambda authorizer's usageIdentifierKey when the API's apiKeySource is
// AUTHORIZER. Anything else is AWS's 403 {"message":"Forbidden"} through the INVALID_API_KEY
// gateway response. Lookups are in memory (key-index.ts); the store is read only when keys or
// plans change.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { internalError, invalidApiKey } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import type { AccessServices, AccessStep } from './index.ts';
import { closeKeyIndex, keyIndexFor, stageRef, type PartitionKeys, type StageRef } from './key-index.ts';

export function apiKeyStep(services: AccessServices): AccessStep {
  const index = keyIndexFor(services);
  return {
    name: 'api-key',
    applies: (method: CompiledMethod) => method.access.apiKeyRequired,
    check(method, request, scope) {
      const ref = stageRef(scope.api);
      const keys = index.partition(ref.partition);
      // Reads of a change are outstanding (or the partition's first load): wait for them.
      if (keys.ready !== null) return keys.ready.then(() => admit(keys, ref, method, request, scope));
      admit(keys, ref, method, request, scope);
    },
    async close() {
      closeKeyIndex(services);
    },
  };
}

function admit(keys: PartitionKeys, ref: StageRef, method: CompiledMethod, request: MethodRequest, scope: InvocationScope): void {
  const api = scope.api;
  const value = api.apiKeySource === 'AUTHORIZER' ? scope.grants.usageIdentifierKey : request.headersLower['x-api-key'];
  if (value === undefined || value === '') {
    throw invalidApiKey(`API Key not found: method '${method.httpMethod} ${method.resourcePath}' requires an API key and the request ${api.apiKeySource === 'AUTHORIZER' ? "'s authorizer gave no usageIdentifierKey" : 'has no x-api-key header'}`);
  }
  if (!keys.loaded) throw internalError(`the API keys of ${ref.partition} could not be read from the store`);
  const key = keys.key(value);
  if (key === undefined) throw invalidApiKey(`API Key ${masked(value)} not found`);
  if (!key.enabled) throw invalidApiKey(`API Key ${masked(value)} not authorized because it is disabled`);
  if (keys.stageOf(key.id, ref.stageId) === undefined) {
    throw invalidApiKey(`API Key ${masked(value)} not authorized because method '${method.httpMethod} ${method.resourcePath}' requires API Key and API Key is not associated with a Usage Plan for API Stage ${stageName(api)}`);
  }
  scope.grants.apiKey = key;
  const identity = scope.context.identity as Record<string, unknown>;
  identity.apiKey = value;
  identity.apiKeyId = key.id;
}

/** As AWS's logs show a key: its last 6 characters. */
export function masked(value: string): string {
  return value.length <= 6 ? '*'.repeat(value.length) : '*'.repeat(Math.min(value.length - 6, 34)) + value.slice(-6);
}

const stageName = (api: CompiledApi) => `${api.restApiId}/${api.stageName}`;
