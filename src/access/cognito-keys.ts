// The signing keys of the issuers --jwks-issuer names, for COGNITO_USER_POOLS authorizers
// (src/access/cognito.ts): one key set per issuer per process, found once and cached by jose.
//
// Where the keys are: the issuer's OpenID discovery document
// (`{issuer}/.well-known/openid-configuration`) names them in `jwks_uri`; an issuer without that
// document (it answers anything but a JSON object with jwks_uri) has them where Cognito keeps
// them, `{issuer}/.well-known/jwks.json`. Cognito serves both, and so do Keycloak, Auth0, Okta
// and Entra ID (the first only); a test's JWKS server may serve just the second. The discovery
// is one request, at the first token an issuer is asked to verify.
//
// jose caches the key set (refetched after 10 minutes) and refetches it for a key id it does not
// know, at most once per 5 seconds (its cooldown): a rotated key is picked up within seconds, and
// tokens with made-up key ids cannot make Gatehouse hammer the issuer.
import { createRemoteJWKSet, jwtVerify, type JWSAlgorithm, type JWTPayload } from 'jose';
import { log } from '../observe/log.ts';

/** A signed JWT's algorithms with a public key; never `none`, never a MAC (HS*) whose "secret" would be a public key. */
const ALGORITHMS: JWSAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export const FETCH_TIMEOUT_MS = 5_000;
const KEY_COOLDOWN_MS = 5_000;
const KEY_MAX_AGE_MS = 600_000;

/** What jose throws for a token that is not good (as opposed to an issuer that cannot be reached). */
const TOKEN_FAULTS: ReadonlySet<string> = new Set([
  'ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWT_INVALID', 'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JWK_INVALID',
]);

/** The token failed verification: the caller gets 401. `reason` is for the execution log. */
export class TokenRejected extends Error {}

/** The issuer's keys could not be had (unreachable, timed out, not a key set): the caller gets 500. */
export class IssuerUnavailable extends Error {}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export class IssuerKeys {
  readonly issuer: string;
  #keys: KeySet | null = null;
  #locating: Promise<KeySet> | null = null;
  /** Whether the last attempt failed: one log line per outage, not one per request. */
  #down = false;

  constructor(issuer: string) {
    this.issuer = issuer;
  }

  /** The token's payload when its signature, exp and nbf hold and its iss is this issuer. */
  async verify(token: string): Promise<JWTPayload> {
    try {
      const keys = this.#keys ?? (await (this.#locating ??= this.#locate()));
      const { payload } = await jwtVerify(token, keys, { issuer: this.issuer, algorithms: ALGORITHMS, requiredClaims: ['exp'] });
      this.#up();
      return payload;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && TOKEN_FAULTS.has(code)) throw new TokenRejected(`${code}: ${(err as Error).message}`);
      throw this.#unavailable(err);
    }
  }

  /** Finds the key set's URL through discovery, else Cognito's layout. Not remembered on a network failure. */
  async #locate(): Promise<KeySet> {
    try {
      const url = await discoverJwksUri(this.issuer) ?? new URL(`${this.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
      this.#keys = createRemoteJWKSet(url, { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: KEY_COOLDOWN_MS, cacheMaxAge: KEY_MAX_AGE_MS });
      return this.#keys;
    } finally {
      this.#locating = null;
    }
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    log().info({ issuer: this.issuer }, 'Cognito authorizer: the issuer\'s keys can be fetched again');
  }

  #unavailable(err: unknown): IssuerUnavailable {
    const why = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    const out = new IssuerUnavailable(`the signing keys of issuer ${this.issuer} could not be fetched: ${why}`);
    if (!this.#down) {
      this.#down = true;
      log().warn({ issuer: this.issuer }, `Cognito authorizer: ${out.message}; tokens of this issuer are answered 500 until its keys can be fetched`);
    }
    return out;
  }
}

/** `jwks_uri` of the issuer's discovery document; null when it has none (the caller uses Cognito's layout). */
async function discoverJwksUri(issuer: string): Promise<URL | null> {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    return null;
  }
  const uri = (doc as { jwks_uri?: unknown } | null)?.jwks_uri;
  if (typeof uri !== 'string') return null;
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
