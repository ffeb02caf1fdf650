// COGNITO_USER_POOLS authorizers: the caller's ID or access token, from the authorizer's identity
// source header, verified against the keys of the issuer --jwks-issuer maps one of the
// authorizer's user pools to (there is no Cognito here; any OIDC issuer will do), then checked as
// API Gateway checks it:
//   - a method with no authorizationScopes takes an ID token (token_use "id"); one with scopes
//     takes an access token (token_use "access") whose `scope` holds at least one of them;
//   - the authorizer's identityValidationExpression, when set, must match the ID token's `aud`
//     (the app client id; an access token's `client_id`) — the only app-client check AWS makes,
//     so any audience is accepted without one;
//   - a missing, malformed, forged, expired or unsuitable token answers 401 {"message":"Unauthorized"}
//     (UNAUTHORIZED), a pool no --jwks-issuer maps and an issuer whose keys cannot be fetched 500
//     (AUTHORIZER_CONFIGURATION_ERROR).
// The claims reach $context.authorizer.claims.* (and the AWS_PROXY event's requestContext), every
// value a string as AWS gives them. The identity source header may carry the token alone or after
// "Bearer ", as AWS accepts both.
//
// Hot path: what a method needs is worked out once per compiled method; a verified token is
// remembered (by its text, until its exp, at most 10 minutes, at most 10,000 tokens), so a client
// reusing its token costs a map lookup and a copy of its claims, not a signature check. Verifying
// is a pure function of the token and the issuer's keys, so this per-process memo needs no
// sharing between processes: each process verifies a token once.
import { parseJwksIssuers } from '../config.ts';
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { authorizerConfigurationError, unauthorized, type GatewayError } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import { log } from '../observe/log.ts';
import { IssuerKeys, IssuerUnavailable, TokenRejected } from './cognito-keys.ts';
import { claimsOf, verifiedToken, type VerifiedToken } from './cognito-claims.ts';
import type { AccessServices, AccessStep } from './index.ts';

const MAX_REMEMBERED = 10_000;
const MAX_REMEMBER_MS = 600_000;

/** What one method's authorizer needs at request time, decided once per compiled method. */
interface Plan {
  /** Why the authorizer cannot run (no such authorizer, no pool mapped); null when it can. */
  readonly broken: string | null;
  /** The identity source header, lower-cased. */
  readonly header: string;
  /** The key sets of the mapped pools' issuers, by issuer (a token's `iss`). */
  readonly issuers: ReadonlyMap<string, IssuerKeys>;
  /** Cognito's own issuer URL of each pool no --jwks-issuer maps → that pool's ARN. */
  readonly unmapped: ReadonlyMap<string, string>;
  /** identityValidationExpression, matched against the whole `aud` (or `client_id`). */
  readonly clientPattern: RegExp | null;
  readonly scopes: readonly string[];
  readonly name: string;
}

export function cognitoUserPools(services: AccessServices): AccessStep {
  const poolIssuers = parseJwksIssuers(services.config.jwksIssuers);
  const keysByIssuer = new Map<string, IssuerKeys>();
  const plans = new WeakMap<CompiledMethod, Plan>();
  const remembered = new Map<string, VerifiedToken>();
  const reported = new Set<string>();

  function keysOf(issuer: string): IssuerKeys {
    let keys = keysByIssuer.get(issuer);
    if (keys === undefined) keysByIssuer.set(issuer, (keys = new IssuerKeys(issuer)));
    return keys;
  }

  /** One line per unmapped pool per process: what to set, not a line per request. */
  function reportUnmapped(arn: string, plan: { name: string }): void {
    if (reported.has(arn)) return;
    reported.add(arn);
    log().error(
      { userPoolArn: arn, authorizer: plan.name },
      `Cognito authorizer ${plan.name}: no --jwks-issuer maps user pool ${arn}; its methods answer 500 until Gatehouse starts with --jwks-issuer ${arn}=ISSUER_URL (or GATEHOUSE_JWKS_ISSUERS)`,
    );
  }

  function planFor(method: CompiledMethod, api: CompiledApi): Plan {
    const a = method.access.authorizerId === null ? undefined : api.authorizers.get(method.access.authorizerId);
    const name = a?.name ?? String(method.access.authorizerId);
    const base = { header: '', issuers: new Map(), unmapped: new Map(), clientPattern: null, scopes: method.access.authorizationScopes, name };
    if (a === undefined || a.type !== 'COGNITO_USER_POOLS') return { ...base, broken: `the method's authorizer ${name} is not a COGNITO_USER_POOLS authorizer of this deployment` };
    const source = /^method\.request\.header\.(.+)$/.exec(a.identitySource ?? 'method.request.header.Authorization');
    if (source === null) return { ...base, broken: `authorizer ${name} has identity source '${a.identitySource}', not a method request header` };
    const pools = userPools(a.providerARNs, poolIssuers, api.stageVariables);
    const issuers = new Map<string, IssuerKeys>([...pools.mapped.keys()].map((issuer) => [issuer, keysOf(issuer)]));
    const unmapped = pools.unmapped;
    let clientPattern: RegExp | null = null;
    if (a.identityValidationExpression !== undefined && a.identityValidationExpression !== '') {
      try {
        clientPattern = new RegExp(`^(?:${a.identityValidationExpression})$`);
      } catch {
        return { ...base, broken: `authorizer ${name} has an invalid identityValidationExpression` };
      }
    }
    const plan = { ...base, broken: null, header: source[1]!.toLowerCase(), issuers, unmapped, clientPattern };
    if (issuers.size === 0) {
      for (const arn of unmapped.values()) reportUnmapped(arn, plan);
      return { ...plan, broken: `no --jwks-issuer maps a user pool of authorizer ${name} (${[...unmapped.values()].join(', ')})` };
    }
    return plan;
  }

  function remember(token: string, v: VerifiedToken): void {
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(token, v);
  }

  async function verify(plan: Plan, token: string, scope: InvocationScope): Promise<void> {
    const issuer = unverifiedIssuer(token);
    if (issuer === null) throw unauthorized('the token is not a JWT');
    const keys = plan.issuers.get(issuer);
    if (keys === undefined) throw unknownIssuer(plan, issuer);
    let v: VerifiedToken;
    try {
      const payload = await keys.verify(token);
      v = verifiedToken(payload, issuer, Math.min(Date.now() + MAX_REMEMBER_MS, typeof payload.exp === 'number' ? payload.exp * 1000 : 0));
    } catch (err) {
      if (err instanceof TokenRejected) throw unauthorized(`the token was refused (${err.message})`);
      if (err instanceof IssuerUnavailable) throw authorizerConfigurationError(err.message);
      throw err;
    }
    if (v.until > Date.now()) remember(token, v);
    admit(plan, v, scope);
  }

  function unknownIssuer(plan: Plan, issuer: string): GatewayError {
    const arn = plan.unmapped.get(issuer);
    if (arn === undefined) return unauthorized(`the token's issuer ${issuer} is not one of authorizer ${plan.name}'s user pools`);
    reportUnmapped(arn, plan);
    return authorizerConfigurationError(`no --jwks-issuer maps user pool ${arn}`);
  }

  return {
    name: 'cognito',
    applies: (method) => method.access.authorizationType === 'COGNITO_USER_POOLS',
    check(method, request: MethodRequest, scope) {
      let plan = plans.get(method);
      if (plan === undefined) plans.set(method, (plan = planFor(method, scope.api)));
      if (plan.broken !== null) throw authorizerConfigurationError(plan.broken);
      const token = tokenIn(request.headersLower[plan.header]);
      if (token === null) throw unauthorized(`no token in the ${plan.header} header`);
      const known = remembered.get(token);
      if (known !== undefined) {
        if (known.until > Date.now() && plan.issuers.has(known.issuer)) return admit(plan, known, scope);
        remembered.delete(token);
      }
      return verify(plan, token, scope);
    },
  };
}

/** A verified token meets the method's rules: the right kind of token, a granted scope, an accepted client. */
function admit(plan: Plan, v: VerifiedToken, scope: InvocationScope): void {
  if (plan.scopes.length === 0) {
    if (v.tokenUse === 'access') throw unauthorized('an access token for a method without authorization scopes (it takes an ID token)');
  } else {
    if (v.tokenUse === 'id') throw unauthorized('an ID token for a method with authorization scopes (it takes an access token)');
    if (!plan.scopes.some((s) => v.scopes.has(s))) throw unauthorized(`the token grants none of the method's scopes (${plan.scopes.join(', ')})`);
  }
  if (plan.clientPattern !== null && !v.clients.some((c) => plan.clientPattern!.test(c))) {
    throw unauthorized('the token\'s client does not match the authorizer\'s identityValidationExpression');
  }
  (scope.context as { authorizer: unknown }).authorizer = { claims: claimsOf(v) };
}

/** An authorizer's user pools by the issuer of their tokens: those --jwks-issuer maps (issuer →
 *  pool ARN), and the others by Cognito's own issuer URL. AWS lets a pool ARN name its pool
 *  through a stage variable (…:userpool/${stageVariables.pool}). */
export function userPools(
  providerARNs: readonly string[] | undefined,
  poolIssuers: ReadonlyMap<string, string>,
  stageVariables: Readonly<Record<string, string>>,
): { mapped: Map<string, string>; unmapped: Map<string, string> } {
  const mapped = new Map<string, string>();
  const unmapped = new Map<string, string>();
  for (const listed of providerARNs ?? []) {
    const arn = listed.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, v: string) => stageVariables[v] ?? '');
    const issuer = poolIssuers.get(arn);
    if (issuer !== undefined) mapped.set(issuer, arn);
    else unmapped.set(cognitoIssuerOf(arn), arn);
  }
  return { mapped, unmapped };
}

/** The token in an identity source header: the value itself, or what follows "Bearer ". */
export function tokenIn(value: string | undefined): string | null {
  if (value === undefined) return null;
  const token = /^bearer\s/i.test(value) ? value.slice(7).trim() : value.trim();
  return token === '' ? null : token;
}

/** The `iss` of a compact JWT, read without trusting it: it only picks the key set to verify with. */
export function unverifiedIssuer(token: string): string | null {
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    const iss = (payload as { iss?: unknown } | null)?.iss;
    return typeof iss === 'string' ? iss : null;
  } catch {
    return null;
  }
}

/** The issuer Amazon Cognito gives a pool's tokens: https://cognito-idp.{region}.amazonaws.com/{pool id}. */
function cognitoIssuerOf(arn: string): string {
  const m = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/(.+)$/.exec(arn);
  return m === null ? arn : `https://cognito-idp.${m[1]}.amazonaws.com/${m[2]}`;
}
