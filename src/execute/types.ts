// The products the pipeline's stages hand to each other, in API Gateway's vocabulary.
// Each stage takes what it needs and returns its product; nothing is an optional bag.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import type { MappingSources } from '../deploy/index.ts';

/** A request as it reached the front door, with the stage and API already resolved. */
export interface IncomingRequest {
  readonly httpMethod: string;
  /** Path below the stage, e.g. /pets/1 (still percent-encoded). */
  readonly path: string;
  /** Raw query string without '?'. */
  readonly query: string;
  /** Header names as the client sent them; repeated headers joined with ','. */
  readonly headers: Readonly<Record<string, string>>;
  /** Name/value pairs as received (node's rawHeaders): the method.request.multivalueheader.* source. */
  readonly rawHeaders?: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
  /** The Host the client used (the $context.domainName). */
  readonly host: string;
  /** $context.path when the request came through a custom domain name: the path as sent, base path included. */
  readonly contextPath?: string;
}

/** route-request's product. */
export interface RoutedRequest {
  readonly method: CompiledMethod;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** method-request's product: the request as the method sees it. */
export interface MethodRequest {
  readonly httpMethod: string;
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Last value of each query parameter. */
  readonly querystring: Readonly<Record<string, string>>;
  readonly multiValueQuerystring: Readonly<Record<string, readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-cased names, for case-insensitive lookups. */
  readonly headersLower: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** MIME type of Content-Type; undefined when absent. */
  readonly contentType: string | undefined;
  /** Mapping-expression view (method.request.*), body parsed at most once. */
  readonly sources: MappingSources;
}

/** What a stage's response to the client is made of. */
export interface MethodResponse {
  readonly statusCode: number;
  /** Every header once; a header with several values has them joined with ','. */
  readonly headers: Record<string, string>;
  /** Headers sent as several header lines (Set-Cookie): these values replace the joined one. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer | string;
  /**
   * Why the request failed on the server side (a 5xx gateway error, a 5xx or function error from
   * the back end), as the execution log puts it; the server log's line for the request.
   */
  readonly failure?: string;
}

/** The compiled stage a request runs against, and the request-wide values ($context). */
export interface InvocationScope {
  readonly api: CompiledApi;
  readonly requestId: string;
  readonly sourceIp: string;
  /** The port and scheme the client reached (X-Forwarded-Port, X-Forwarded-Proto); absent in TestInvokeMethod. */
  readonly listener?: { readonly port: string; readonly proto: 'http' | 'https' };
  /** $context, filled as routing learns more (resourceId, resourcePath, httpMethod). */
  readonly context: Record<string, unknown>;
  readonly log: ExecutionLog | null;
  /** What the access steps learned about the caller, for the steps after them (src/access). */
  readonly grants: AccessGrants;
  /** Set by the stage cache when it looked the request up (CacheHitCount, CacheMissCount). */
  cacheStatus?: 'hit' | 'miss';
  /** The X-Amzn-Trace-Id sent to the integration's endpoint; the client's answer carries it too. */
  traceId?: string;
}

/** Filled by access steps as they run; empty for a method with no access control. */
export interface AccessGrants {
  /** A Lambda authorizer's principalId. */
  principalId?: string;
  /** A Lambda authorizer's usageIdentifierKey (the API key when apiKeySource is AUTHORIZER). */
  usageIdentifierKey?: string;
  /** The API key the request was admitted with (its id and value). */
  apiKey?: { readonly id: string; readonly value: string };
  /** The resource policy's decision for a Lambda authorizer's method when it did not deny
   *  (src/access/resource-policy.ts): the authorizer's Allow admits the request, and so does its
   *  silence (no statement matches) when this is 'Allow' (AWS's table A). */
  resourcePolicy?: 'Allow' | 'NotApplicable';
  /** For AWS_IAM methods, the caller's IAM policies' decision on execute-api:Invoke, set by the
   *  AWS_IAM step, which leaves the refusal to the resource-policy step when the API has a policy
   *  (the two combine as AWS's tables A and B say). Unset for a verified caller: its IAM
   *  policies are not evaluated (open mode), which counts as Allow. */
  identityPolicy?: 'Allow' | 'Deny' | 'NotApplicable';
  /** The caller's IAM identity when SigV4 was verified. */
  caller?: { readonly accountId: string; readonly arn: string; readonly accessKeyId: string; readonly principalId: string };
}

/** Execution-log lines in API Gateway's format; only TestInvokeMethod collects them. */
export interface ExecutionLog {
  line(text: string): void;
}
