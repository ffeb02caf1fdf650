// Who may invalidate a cache entry with `Cache-Control: max-age=0`: AWS allows it to callers
// whose IAM policies grant execute-api:InvalidateCache on the method's ARN, which takes a SigV4-
// signed request ("the request has to be Sigv4 signed and the client should also have the
// permissions"). What that means here follows --auth (src/iam):
//   - open (signatures are read, never verified, as local emulators do): any well-formed SigV4
//     signature, as a caller holding the permission would send;
//   - enforce: a caller whose signature the AWS_IAM step verified (scope.grants.caller) and whose
//     own policies allow execute-api:InvalidateCache on the method ARN. A request to a method that
//     is not AWS_IAM has no verified caller, so it may not invalidate.
import type { CompiledMethod } from '../deploy/index.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import type { Iam } from '../iam/index.ts';
import { isSignedRequest } from './plan.ts';

/** Whether the caller may invalidate its entry. */
export type InvalidationCheck = (method: CompiledMethod, request: MethodRequest, scope: InvocationScope) => boolean | Promise<boolean>;

export const INVALIDATE_CACHE_ACTION = 'execute-api:InvalidateCache';

export function invalidationCheck(iam: Pick<Iam, 'mode' | 'identities' | 'decide'>): InvalidationCheck {
  if (iam.mode === 'open') return (_method, request) => isSignedRequest(request);
  return (method, _request, scope) => {
    const verified = scope.grants.caller;
    if (verified === undefined) return false;
    const identity = iam.identities.byAccessKey.get(verified.accessKeyId);
    if (identity === undefined) return false;
    const caller = {
      accessKeyId: identity.accessKeyId,
      accountId: identity.principal.accountId,
      region: scope.api.region,
      principal: identity.principal,
      callerId: identity.callerId,
      identity,
    };
    return iam.decide(caller, INVALIDATE_CACHE_ACTION, method.access.methodArn) === 'Allow';
  };
}
