// Document kinds in the store (see src/store/types.ts). Children of a REST API use its id as parent.
export const K = {
  restApi: 'restapi',
  resource: 'resource',
  /** full resource path → {id}: keeps paths unique and finds resources by path */
  resourcePath: 'respath',
  /** id `${resourceId}/${httpMethod}`; holds the method with its responses and integration */
  method: 'method',
  model: 'model',
  deployment: 'deployment',
  /** the compiled-from input of a deployment: the API as it was, immutable */
  snapshot: 'snapshot',
  stage: 'stage',
  account: 'account',
} as const;

/** Every kind that lives under a REST API (deleted with it). */
export const API_CHILD_KINDS: string[] = [];
export function registerApiChildKind(kind: string): void {
  if (!API_CHILD_KINDS.includes(kind)) API_CHILD_KINDS.push(kind);
}
for (const k of [K.resource, K.resourcePath, K.method, K.model, K.deployment, K.snapshot, K.stage]) registerApiChildKind(k);
