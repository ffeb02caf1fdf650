// A verified user pool token as a COGNITO_USER_POOLS authorizer keeps it, and its claims as API
// Gateway hands them on ($context.authorizer.claims.*, requestContext.authorizer.claims): every
// value a string — numbers as digits (auth_time "1585000000"), exp and iat as Java prints a date
// ("Wed Nov 06 03:28:48 UTC 2019"), booleans as "true"/"false", lists joined with ","
// (cognito:groups "admins,users"), objects as JSON.
import type { JWTPayload } from 'jose';

export interface VerifiedToken {
  readonly issuer: string;
  /** Cognito's token_use: 'id' or 'access'; undefined for an issuer that does not say (any OIDC provider). */
  readonly tokenUse: 'id' | 'access' | undefined;
  /** The scopes an access token grants (its space-separated `scope`). */
  readonly scopes: ReadonlySet<string>;
  /** The app client(s) the token was issued to: an ID token's `aud`, an access token's `client_id`. */
  readonly clients: readonly string[];
  /** The claims as strings, shared by every request that presents this token (copied per request). */
  readonly claims: Readonly<Record<string, string>>;
  /** Epoch ms until which the verification may be reused: the token's exp, at most a few minutes. */
  readonly until: number;
}

export function verifiedToken(payload: JWTPayload, issuer: string, until: number): VerifiedToken {
  const use = payload.token_use;
  const scope = payload.scope;
  const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : [];
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const clients = typeof payload.client_id === 'string' ? [payload.client_id, ...aud] : aud;
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    const text = claimText(name, value);
    if (text !== undefined) claims[name] = text;
  }
  return Object.freeze({
    issuer,
    tokenUse: use === 'id' || use === 'access' ? use : undefined,
    scopes: new Set(scopes),
    clients,
    claims: Object.freeze(claims),
    until,
  });
}

/** A fresh copy for one request: a mapping template may change its $context, never another request's. */
export function claimsOf(v: VerifiedToken): Record<string, string> {
  return { ...v.claims };
}

function claimText(name: string, value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return (name === 'exp' || name === 'iat') && Number.isFinite(value) ? javaDate(value) : String(value);
    case 'boolean':
      return String(value);
    case 'object':
      if (value === null) return undefined;
      return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',') : JSON.stringify(value);
    default:
      return undefined;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

/** java.util.Date#toString in UTC, as API Gateway shows exp and iat: "Wed Nov 06 03:28:48 UTC 2019". */
export function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
