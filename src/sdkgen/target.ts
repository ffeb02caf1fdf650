// What a generated SDK is for: one stage of one API, reached at one URL.

export interface SdkTarget {
  readonly restApiId: string;
  readonly apiName: string;
  readonly stageName: string;
  /** The region SigV4 signs for: the API's. */
  readonly region: string;
  /** The stage's URL, without a trailing slash: http://{id}.execute-api.localhost:4567/prod. */
  readonly invokeUrl: string;
}
