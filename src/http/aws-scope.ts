// Reads who is calling from a SigV4 request: the access key and region from the credential
// scope of the Authorization header (or X-Amz-Credential in a presigned query). Signatures are
// not verified here; that is the access-control issue's job.

export interface CallerScope {
  readonly accessKeyId: string | undefined;
  readonly region: string | undefined;
  readonly service: string | undefined;
}

const NO_SCOPE: CallerScope = Object.freeze({ accessKeyId: undefined, region: undefined, service: undefined });

// Credential=AKIDEXAMPLE/20150830/us-east-1/apigateway/aws4_request
const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function callerScope(authorization: string | undefined, query?: string): CallerScope {
  let m = authorization === undefined ? null : CREDENTIAL.exec(authorization);
  if (m === null && query !== undefined && query.includes('X-Amz-Credential=')) {
    const cred = new URLSearchParams(query).get('X-Amz-Credential');
    if (cred !== null) m = CREDENTIAL.exec('Credential=' + cred);
  }
  if (m === null) return NO_SCOPE;
  return { accessKeyId: m[1], region: m[2], service: m[3] };
}

/** The store partition of an account and region. */
export function partitionOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
