// A Lambda authorizer (TOKEN or REQUEST) as a request needs it, compiled once per deployed stage:
// the function to call, readers for its identity sources, the token validation expression and
// the cache TTL. Nothing here is parsed per request.
import { substituteStageVariables } from '../deploy/index.ts';
import { lambdaFunctionOf } from '../integrations/lambda.ts';
import type { Authorizer } from '../model/generated/types.ts';

/** API Gateway's default authorizerResultTtlInSeconds, and its maximum. */
export const DEFAULT_TTL_SECONDS = 300;
export const MAX_TTL_SECONDS = 3600;

/** What identity sources read: the method request's parameters, the stage variables, $context. */
export interface IdentityInput {
  /** Header names lower-cased; repeated headers joined with ','. */
  readonly headersLower: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly multiValueQuerystring: Readonly<Record<string, readonly string[]>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

type IdentityReader = (input: IdentityInput) => string | undefined;

export interface CompiledAuthorizer {
  readonly id: string;
  readonly name: string;
  readonly type: 'TOKEN' | 'REQUEST';
  /** The authorizerUri with stage variables substituted. */
  readonly uri: string;
  /** The Lambda function the URI names (name or ARN); null when the URI is not a Lambda one. */
  readonly functionRef: string | null;
  /** Identity sources in the order given: TOKEN has one (the token header). */
  readonly sources: readonly string[];
  readonly readers: readonly IdentityReader[];
  /** TOKEN only: the whole token must match (Java's Pattern.matches, as API Gateway runs it). */
  readonly validation: RegExp | null;
  /** 0: every request calls the function. */
  readonly ttlSeconds: number;
  /** Changes when anything that decides the function's answer changes, so a redeployed
   *  authorizer never serves results cached for its former self. */
  readonly fingerprint: string;
}

/** The authorizer cannot run as stored (an identity source or URI a deployment should not hold). */
export class AuthorizerConfigError extends Error {}

const HEADER = 'method.request.header.';

/** `stageVariables`: the stage's, for ${stageVariables.x} in the URI (TestInvokeAuthorizer: the ones given). */
export function compileAuthorizer(a: Authorizer, stageVariables: Readonly<Record<string, string>>): CompiledAuthorizer {
  if (a.type !== 'TOKEN' && a.type !== 'REQUEST') throw new AuthorizerConfigError(`Authorizer ${a.id} is of type ${String(a.type)}, not a Lambda authorizer`);
  const uri = substituteStageVariables(a.authorizerUri ?? '', stageVariables);
  const sources = (a.identitySource ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (a.type === 'TOKEN' && (sources.length !== 1 || !sources[0]!.startsWith(HEADER))) {
    throw new AuthorizerConfigError(`Invalid identity source for TOKEN authorizer ${a.id}: ${a.identitySource ?? ''}`);
  }
  const ttl = a.authorizerResultTtlInSeconds ?? DEFAULT_TTL_SECONDS;
  const expression = a.type === 'TOKEN' ? a.identityValidationExpression ?? '' : '';
  return Object.freeze({
    id: a.id ?? '',
    name: a.name ?? '',
    type: a.type,
    uri,
    functionRef: lambdaFunctionOf(uri),
    sources: Object.freeze(sources),
    readers: Object.freeze(sources.map(identityReader)),
    validation: expression === '' ? null : wholeMatch(expression, a.id ?? ''),
    // A REQUEST authorizer without identity sources has nothing to key a cache on.
    ttlSeconds: sources.length === 0 ? 0 : Math.min(Math.max(0, Math.trunc(ttl)), MAX_TTL_SECONDS),
    fingerprint: JSON.stringify([a.type, uri, sources, expression]),
  });
}

/**
 * The identity sources' values, in order; null when one is missing, null or empty: API Gateway
 * then answers 401 without calling the function.
 */
export function readIdentity(a: CompiledAuthorizer, input: IdentityInput): string[] | null {
  const values: string[] = [];
  for (const read of a.readers) {
    const v = read(input);
    if (v === undefined || v === '') return null;
    values.push(v);
  }
  return values;
}

function identityReader(source: string): IdentityReader {
  const param = /^method\.request\.(header|multivalueheader|querystring|multivaluequerystring)\.(.+)$/.exec(source);
  if (param !== null) {
    const name = param[2]!;
    switch (param[1]) {
      case 'header':
      case 'multivalueheader': {
        const lower = name.toLowerCase();
        return (i) => i.headersLower[lower];
      }
      case 'querystring':
        return (i) => i.querystring[name];
      default:
        return (i) => i.multiValueQuerystring[name]?.join(',');
    }
  }
  if (source.startsWith('stageVariables.')) {
    const name = source.slice('stageVariables.'.length);
    return (i) => i.stageVariables[name];
  }
  if (source.startsWith('context.')) {
    const path = source.slice('context.'.length).split('.');
    return (i) => {
      let v: unknown = i.context;
      for (const p of path) {
        if (v === null || typeof v !== 'object') return undefined;
        v = (v as Record<string, unknown>)[p];
      }
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    };
  }
  throw new AuthorizerConfigError(`Invalid identity source: ${source}`);
}

function wholeMatch(expression: string, id: string): RegExp {
  try {
    return new RegExp(`^(?:${expression})$`);
  } catch {
    throw new AuthorizerConfigError(`Invalid identity validation expression for authorizer ${id}: ${expression}`);
  }
}
