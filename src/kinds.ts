// Document kinds in the store (see src/store/types.ts). Children of a REST API use its id as parent.
// Here, outside control/, because deploy/ and execute/ read the same documents.
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
