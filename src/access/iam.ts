// AWS_IAM methods: the caller signs the request with Signature Version 4 for service execute-api.
// The signature is verified (--auth enforce; open mode only reads it) against the request as it
// arrived, the caller fills $context.identity and scope.grants.caller, and its IAM policies are
// evaluated for execute-api:Invoke on the request's ARN,
// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path}.
//
// With a resource policy on the API, the refusal is the resource-policy step's (it runs next and
// combines both decisions as AWS's tables say: same account, an Allow in either; another account,
// an Allow in both); without one, the caller's own account must allow it.
//
// Answers, through the API's gateway responses: unsigned 403 MISSING_AUTHENTICATION_TOKEN
// {"message":"Missing Authentication Token"}; a bad, incomplete or unknown signature 403
// INVALID_SIGNATURE; expired session credentials 403 EXPIRED_TOKEN; a policy's refusal 403
// ACCESS_DENIED "User: arn:... is not authorized to perform: execute-api:Invoke on resource: arn:...".
//
// Hot path: identities are in memory (indexed by access key), signing keys cached per day; a
// request costs its own header parsing, one SHA-256 of its body, the canonical request and two HMACs.
import { isIP } from 'node:net';
import type { CompiledApi } from '../deploy/index.ts';
import { GatewayError, missingAuthenticationToken, notAuthorizedToInvoke } from '../execute/errors.ts';
import { isExecuteApiHost } from '../execute/front-door.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import { AuthError, iamFor, type Caller, type PendingCaller, type SignedRequest } from '../iam/index.ts';
import type { AccessStepFactory } from './index.ts';

const SERVICE = 'execute-api';
const INVOKE = 'execute-api:Invoke';

export const awsIamStep: AccessStepFactory = (services) => {
  const iam = iamFor(services.config);

  /** What the caller may do, once its signature holds. */
  function admit(caller: Caller, request: MethodRequest, scope: InvocationScope): void {
    const api = scope.api;
    const identity = scope.context.identity as Record<string, unknown>;
    identity.accountId = caller.accountId;
    identity.caller = caller.callerId;
    identity.user = caller.callerId;
    identity.userArn = caller.principal.arn;
    identity.accessKey = caller.accessKeyId;
    scope.grants.caller = { accountId: caller.accountId, arn: caller.principal.arn, accessKeyId: caller.accessKeyId, principalId: caller.callerId };
    // Open mode evaluates no policy (grants.identityPolicy unset counts as Allow).
    if (iam.mode === 'open') return;
    const resource = `arn:aws:execute-api:${api.region}:${api.accountId}:${api.restApiId}/${api.stageName}/${request.httpMethod}${request.path === '' ? '/' : request.path}`;
    const decision = iam.decide(caller, INVOKE, resource, caller.identity?.conditional ? conditionKeys(api, request, scope) : undefined);
    scope.grants.identityPolicy = decision;
    if (api.policy !== null) return;
    if (decision === 'Allow' && caller.accountId === api.accountId) return;
    throw notAuthorizedToInvoke(caller.principal.arn, resource, decision === 'Deny');
  }

  return {
    name: 'aws-iam',
    applies: (method) => method.access.authorizationType === 'AWS_IAM',
    // No promise unless the day's signing key has to be derived: the rest is synchronous work.
    check(_method, request, scope) {
      const [signed, alternative] = signedRequests(request, scope.api);
      let pending: PendingCaller;
      let verified: void | Promise<void>;
      try {
        pending = iam.begin(signed, SERVICE);
        verified = verifyEither(pending, signed, alternative);
      } catch (err) {
        throw err instanceof AuthError ? gatewayError(err) : err;
      }
      if (verified === undefined) return admit(pending.caller, request, scope);
      return verified.then(
        () => admit(pending.caller, request, scope),
        (err: unknown) => { throw err instanceof AuthError ? gatewayError(err) : err; },
      );
    },
  };
};

/** The root resource reached as /stage or /stage/: the front door cannot tell which was sent, so either verifies. */
function verifyEither(pending: PendingCaller, signed: SignedRequest, alternative: SignedRequest | null): void | Promise<void> {
  if (alternative === null) return pending.verify(signed.body);
  let first: void | Promise<void>;
  try {
    first = pending.verify(signed.body);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    return pending.verifyAs(alternative);
  }
  return first instanceof Promise
    ? first.catch((err: unknown) => {
        if (!(err instanceof AuthError)) throw err;
        return pending.verifyAs(alternative);
      })
    : first;
}

/** An authentication failure as the execute-api plane answers it. */
function gatewayError(err: AuthError): GatewayError {
  switch (err.code) {
    case 'MissingAuthenticationTokenException':
      return missingAuthenticationToken();
    case 'ExpiredTokenException':
      return new GatewayError('EXPIRED_TOKEN', err.message, { errorType: err.code });
    default: {
      // As on AWS, a signature mismatch shows the canonical request and string to sign it expected.
      const message = err.detail === undefined ? err.message : err.message + err.detail;
      return new GatewayError('INVALID_SIGNATURE', message, { errorType: err.code, log: err.message });
    }
  }
}

/**
 * The request as the client signed it: the URL it sent (the stage and, for the path form, the
 * /restapis/{id}/{stage}/_user_request_ prefix in front of the method's path) and its headers.
 * For the root resource a second rendering, with or without the trailing slash.
 */
function signedRequests(request: MethodRequest, api: CompiledApi): [SignedRequest, SignedRequest | null] {
  const host = request.headersLower.host ?? '';
  const prefix = isExecuteApiHost(host)
    ? `/${encodeURIComponent(api.stageName)}`
    : `/restapis/${api.restApiId}/${encodeURIComponent(api.stageName)}/_user_request_`;
  const below = request.path === '' ? '/' : request.path;
  const query = rawQuery(request.multiValueQuerystring);
  const headers = request.headersLower;
  const signed: SignedRequest = { method: request.httpMethod, path: prefix + below, query, body: request.body, header: (name) => headers[name] };
  return [signed, below === '/' ? { ...signed, path: prefix } : null];
}

function rawQuery(params: Readonly<Record<string, readonly string[]>>): string {
  let out = '';
  for (const k in params) {
    for (const v of params[k]!) out += `${out === '' ? '' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  }
  return out;
}

function conditionKeys(api: CompiledApi, request: MethodRequest, scope: InvocationScope): Record<string, string | undefined> {
  const ip = scope.sourceIp;
  return {
    'aws:sourceip': ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip,
    'aws:useragent': request.headersLower['user-agent'],
    'aws:referer': request.headersLower['referer'],
    'aws:requestedregion': api.region,
    'aws:securetransport': 'false',
  };
}
