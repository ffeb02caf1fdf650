// TestInvokeAuthorizer for COGNITO_USER_POOLS authorizers: the token in the identity source
// header given (`headers`), verified as a deployed method would verify it (src/access/cognito.ts:
// the user pool mapped to an issuer by --jwks-issuer, the issuer's keys, the signature, exp, and
// the authorizer's identityValidationExpression against the token's app client), never from the
// per-process memo. The answer is AWS's: clientStatus 200 with the token's claims (every value a
// string, as $context.authorizer.claims has them), 401 for a missing or refused token, 500 when
// the authorizer cannot run (no --jwks-issuer for its pools, an issuer whose keys cannot be read).
// A test has no method, so no authorization scopes apply: an ID token and an access token both pass.
import { parseJwksIssuers, type GatehouseConfig } from '../config.ts';
import { CollectedLog } from '../execute/test-invoke.ts';
import type { Authorizer, TestInvokeAuthorizerRequest, TestInvokeAuthorizerResponse } from '../model/generated/types.ts';
import { tokenIn, unverifiedIssuer, userPools } from './cognito.ts';
import { claimsOf, verifiedToken } from './cognito-claims.ts';
import { IssuerKeys, IssuerUnavailable, TokenRejected } from './cognito-keys.ts';

const TEST_REQUEST_ID = 'test-request';

/** Key sets by issuer, shared by every test of this process (they cache the issuer's JWKS). */
const keySets = new Map<string, IssuerKeys>();

function keysOf(issuer: string): IssuerKeys {
  let keys = keySets.get(issuer);
  if (keys === undefined) keySets.set(issuer, (keys = new IssuerKeys(issuer)));
  return keys;
}

export async function testInvokeCognitoAuthorizer(
  config: GatehouseConfig,
  stored: Authorizer,
  input: TestInvokeAuthorizerRequest,
): Promise<TestInvokeAuthorizerResponse> {
  const started = performance.now();
  const log = new CollectedLog(TEST_REQUEST_ID);
  const answer = (clientStatus: number, claims?: Record<string, string>): TestInvokeAuthorizerResponse => {
    const out: TestInvokeAuthorizerResponse = { clientStatus, log: log.lines.join('\n') + '\n', latency: Math.round(performance.now() - started) };
    if (claims !== undefined) out.claims = claims;
    return out;
  };
  const fail = (status: number, why: string): TestInvokeAuthorizerResponse => {
    log.line(why);
    log.line(status === 401 ? `Unauthorized request: ${TEST_REQUEST_ID}` : 'AuthorizerConfigurationException');
    return answer(status);
  };
  log.line(`Starting authorizer: ${stored.id} for request: ${TEST_REQUEST_ID}`);

  const source = /^method\.request\.header\.(.+)$/.exec(stored.identitySource ?? 'method.request.header.Authorization');
  if (source === null) return fail(500, `Execution failed due to configuration error: identity source '${stored.identitySource}' is not a method request header`);
  const header = source[1]!.toLowerCase();
  let value: string | undefined;
  for (const [k, v] of Object.entries(input.headers ?? {})) if (k.toLowerCase() === header) value = v;
  for (const [k, vs] of Object.entries(input.multiValueHeaders ?? {})) if (value === undefined && k.toLowerCase() === header) value = vs[0];
  const token = tokenIn(value);
  if (token === null) return fail(401, `No token in the ${source[1]} header`);

  const { mapped: issuers, unmapped } = userPools(stored.providerARNs, parseJwksIssuers(config.jwksIssuers), input.stageVariables ?? {});
  const issuer = unverifiedIssuer(token);
  if (issuer === null) return fail(401, 'The token is not a JWT');
  if (!issuers.has(issuer)) {
    const arn = unmapped.get(issuer);
    if (arn !== undefined) return fail(500, `Execution failed due to configuration error: no --jwks-issuer maps user pool ${arn}`);
    return fail(401, `The token's issuer ${issuer} is not one of the authorizer's user pools`);
  }
  let claims: Record<string, string>;
  try {
    const payload = await keysOf(issuer).verify(token);
    const v = verifiedToken(payload, issuer, 0);
    const expression = stored.identityValidationExpression;
    if (expression !== undefined && expression !== '') {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${expression})$`);
      } catch {
        return fail(500, 'Execution failed due to configuration error: the identityValidationExpression is not a valid regular expression');
      }
      if (!v.clients.some((c) => pattern.test(c))) return fail(401, "The token's client does not match the identityValidationExpression");
    }
    claims = claimsOf(v);
  } catch (err) {
    if (err instanceof TokenRejected) return fail(401, `The token was refused (${err.message})`);
    if (err instanceof IssuerUnavailable) return fail(500, `Execution failed due to configuration error: ${err.message}`);
    throw err;
  }
  log.line(`Verified token of user pool ${issuers.get(issuer)} for principal: ${claims.sub ?? ''}`);
  log.line('Successfully completed authorizer execution');
  return answer(200, claims);
}
