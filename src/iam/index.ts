// Who is calling, and may they: the gateway's IAM. One Iam per configuration, built at start-up
// (identities parsed and indexed by access key id, their policies compiled), used by the three
// planes: the management API (service apigateway), the Lambda API (lambda) and AWS_IAM methods of
// deployed APIs (execute-api).
//
// --auth open (the default on a loopback address) reads a signature without verifying it, as
// local emulators do; --auth enforce verifies it against --identities and evaluates the caller's
// policies. See docs/iam.md.
import { ConfigError, isLoopback, type GatehouseConfig } from '../config.ts';
import { accessDenied, expiredToken, missingAuthenticationToken, unrecognizedClient } from './errors.ts';
import { IdentitiesError, loadIdentities, NO_IDENTITIES, type Identities, type Identity } from './identities.ts';
import { evaluatePolicies, type AuthorizationRequest, type CallerPrincipal, type Decision } from './policy.ts';
import { checkScope, readSignature, verifySignature, type Signature, type SignedRequest } from './sigv4.ts';

export { AuthError } from './errors.ts';
export type { AuthErrorCode } from './errors.ts';
export type { Identity } from './identities.ts';
export type { SignedRequest } from './sigv4.ts';

export type AuthMode = 'open' | 'enforce';

/** A signed request's caller. */
export interface Caller {
  readonly accessKeyId: string;
  /** The identity's account (enforce), or the configured account (open, unknown key). */
  readonly accountId: string;
  /** The credential scope's region: with the account, the store partition a management call acts in. */
  readonly region: string;
  readonly principal: CallerPrincipal;
  /** $context.identity.caller and .user. */
  readonly callerId: string;
  /** The verified identity; null in open mode for a key the identities file does not name. */
  readonly identity: Identity | null;
}

/** A caller whose signature still waits for the request body (the Lambda API streams bodies). */
export interface PendingCaller {
  readonly caller: Caller;
  /**
   * Recomputes the signature over `body`; throws InvalidSignatureException. Synchronous (returns
   * undefined) while the day's signing key is cached; open mode: nothing to do.
   */
  verify(body: Buffer): void | Promise<void>;
  /** The same for another rendering of the request (the execute-api plane tries '/stage' and '/stage/'). */
  verifyAs(req: SignedRequest): void | Promise<void>;
}

export interface Iam {
  readonly mode: AuthMode;
  readonly identities: Identities;
  /**
   * Reads and checks everything about the request's signature but the signature itself (scope,
   * time, access key, session token): throws AuthError. The caller is known from here on; call
   * `verify` with the body before acting for it.
   */
  begin(req: SignedRequest, service: string, now?: number): PendingCaller;
  /** begin() and verify() with the request's body. */
  authenticate(req: SignedRequest, service: string, now?: number): Promise<Caller>;
  /** The caller's own policies on `action` and `resource` (open mode: 'Allow'). */
  decide(caller: Caller, action: string, resource: string, keys?: AuthorizationRequest['keys'], now?: number): Decision;
  /** Throws AccessDeniedException unless the caller's policies allow `action` on `resource`. */
  authorize(caller: Caller, action: string, resource: string, keys?: AuthorizationRequest['keys']): void;
}

/** --auth as given, or its default: open on a loopback address, enforce on any other. */
export function authMode(config: Pick<GatehouseConfig, 'auth' | 'host'>): AuthMode {
  if (config.auth === 'open' || config.auth === 'enforce') return config.auth;
  return isLoopback(config.host) ? 'open' : 'enforce';
}

const built = new WeakMap<GatehouseConfig, Iam>();

/**
 * The Iam of a configuration, built once (every plane of a process shares it). Throws a
 * ConfigError for an identities file that cannot be read or is not valid.
 */
export function iamFor(config: GatehouseConfig): Iam {
  let iam = built.get(config);
  if (iam === undefined) {
    iam = createIam(config);
    built.set(config, iam);
  }
  return iam;
}

export function createIam(config: GatehouseConfig): Iam {
  const mode = authMode(config);
  let identities = NO_IDENTITIES;
  if (config.identities !== '') {
    try {
      identities = loadIdentities(config.identities);
    } catch (err) {
      if (err instanceof IdentitiesError) throw new ConfigError(err.message);
      throw err;
    }
  }
  return mode === 'enforce' ? enforcing(identities) : open(config, identities);
}

function callerOf(identity: Identity, sig: Signature): Caller {
  return {
    accessKeyId: identity.accessKeyId,
    accountId: identity.principal.accountId,
    region: sig.region,
    principal: identity.principal,
    callerId: identity.callerId,
    identity,
  };
}

function enforcing(identities: Identities): Iam {
  const iam: Iam = {
    mode: 'enforce',
    identities,
    begin(req, service, now = Date.now()) {
      const sig = readSignature(req);
      if (sig === null) throw missingAuthenticationToken();
      checkScope(sig, service, now);
      const identity = identities.byAccessKey.get(sig.accessKeyId);
      if (identity === undefined || !identity.active) throw unrecognizedClient();
      if (identity.sessionToken !== null) {
        // Temporary credentials: the token must come with them, and be theirs.
        if (sig.securityToken !== identity.sessionToken) throw unrecognizedClient();
        if (identity.expiration !== null && now >= identity.expiration) throw expiredToken();
      } else if (sig.securityToken !== undefined) {
        throw unrecognizedClient();
      }
      const verifyAs = (signed: SignedRequest): void | Promise<void> => verifySignature(signed, sig, identity.secretAccessKey);
      return {
        caller: callerOf(identity, sig),
        verify: (body) => verifyAs(body === req.body ? req : { ...req, body }),
        verifyAs,
      };
    },
    async authenticate(req, service, now) {
      const pending = iam.begin(req, service, now);
      await pending.verify(req.body);
      return pending.caller;
    },
    decide(caller, action, resource, keys, now) {
      if (caller.identity === null) return 'NotApplicable';
      return evaluatePolicies(caller.identity.policies, { action, resource, principal: caller.principal, keys, now });
    },
    authorize(caller, action, resource, keys) {
      if (iam.decide(caller, action, resource, keys) !== 'Allow') throw accessDenied(caller.principal.arn, action, resource);
    },
  };
  return iam;
}

/** Open mode: a request must be signed where a signature is required, but nothing is verified. */
function open(config: GatehouseConfig, identities: Identities): Iam {
  const iam: Iam = {
    mode: 'open',
    identities,
    begin(req) {
      const sig = readSignature(req);
      if (sig === null) throw missingAuthenticationToken();
      const identity = identities.byAccessKey.get(sig.accessKeyId);
      // The account stays the configured one (as before --auth): only the caller's names come from the file.
      const caller: Caller = identity === undefined
        ? {
            accessKeyId: sig.accessKeyId,
            accountId: config.accountId,
            region: sig.region,
            principal: { accountId: config.accountId, arn: `arn:aws:iam::${config.accountId}:root`, userId: config.accountId },
            callerId: sig.accessKeyId,
            identity: null,
          }
        : { ...callerOf(identity, sig), accountId: config.accountId };
      return { caller, verify: () => undefined, verifyAs: () => undefined };
    },
    async authenticate(req, service, now) {
      return iam.begin(req, service, now).caller;
    },
    decide: () => 'Allow',
    authorize: () => {},
  };
  return iam;
}
