// Signature Version 4, verified: reads the signature a request carries (Authorization header or
// presigned X-Amz-* query parameters), checks its credential scope and its time, and recomputes
// it for the request as received with the identity's secret. The signing maths (canonical path,
// query and headers, string to sign, signing key) is @smithy/signature-v4's, the code the AWS
// SDKs sign with; only the final comparison is ours, in constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, getSigningKey, SignatureV4Base } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import { incompleteSignature, invalidSignature, signatureMismatch } from './errors.ts';

/** A request as the verifier sees it: the URL as sent and the headers as received. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent (still percent-encoded). */
  readonly path: string;
  /** The raw query string, without '?'. */
  readonly query: string;
  /** A header by lower-cased name; a repeated header's values joined with ','. */
  header(lowerName: string): string | undefined;
  readonly body: Buffer;
}

/** The signature a request carries, as read before anything is verified. */
export interface Signature {
  readonly accessKeyId: string;
  /** The credential scope: YYYYMMDD/region/service/aws4_request. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** The signing time as signed (YYYYMMDDTHHMMSSZ). */
  readonly longDate: string;
  readonly signedAt: number;
  /** A presigned URL's X-Amz-Expires in seconds; null for an Authorization header. */
  readonly expires: number | null;
  readonly presigned: boolean;
  readonly securityToken: string | undefined;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES = 604_800;
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
/** A region's shape (us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1): it names a store partition. */
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

function hasQuerySignature(query: string): boolean {
  return query.includes('X-Amz-Signature=') || query.includes('X-Amz-Credential=') || query.includes('X-Amz-Algorithm=');
}

/** base64(sha256(text)): how AWS quotes a malformed Authorization header without echoing it. */
function hashed(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/**
 * Reads the request's signature; null when it carries none. Throws IncompleteSignatureException
 * (with AWS's words) for a signature that cannot be read.
 */
export function readSignature(req: SignedRequest): Signature | null {
  const authorization = req.header('authorization');
  if (authorization !== undefined) return fromHeader(authorization, req);
  if (hasQuerySignature(req.query)) return fromQuery(req.query);
  return null;
}

function fromHeader(authorization: string, req: SignedRequest): Signature {
  const text = authorization.trim();
  const space = text.search(/\s/);
  const algorithm = space === -1 ? text : text.slice(0, space);
  const params = new Map<string, string>();
  for (const part of (space === -1 ? '' : text.slice(space + 1)).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq === -1) {
      throw incompleteSignature(`Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hashed(text)}'.`);
    }
    params.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');
  const amzDate = req.header('x-amz-date');
  const date = amzDate ?? req.header('date');
  const missing: string[] = [];
  if (credential === undefined) missing.push("Authorization header requires 'Credential' parameter.");
  if (signature === undefined) missing.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (date === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) {
    throw incompleteSignature(`${missing.join(' ')} (Hashed with SHA-256 and encoded with Base64) Authorization=${hashed(text)}`);
  }
  if (algorithm !== ALGORITHM) throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const longDate = amzDate !== undefined ? amzDate : httpDateToLong(date!);
  return build(credential!, signedHeaders!, signature!, longDate, null, false, req.header('x-amz-security-token'));
}

function fromQuery(query: string): Signature {
  const q = decodeQuery(query);
  const one = (name: string): string | undefined => {
    const v = q[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const algorithm = one('X-Amz-Algorithm');
  const credential = one('X-Amz-Credential');
  const signature = one('X-Amz-Signature');
  const longDate = one('X-Amz-Date');
  const signedHeaders = one('X-Amz-SignedHeaders');
  if (algorithm === undefined || credential === undefined || signature === undefined || longDate === undefined || signedHeaders === undefined) {
    throw incompleteSignature("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
  }
  if (algorithm !== ALGORITHM) throw incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'`);
  const rawExpires = one('X-Amz-Expires');
  let expires: number | null = null;
  if (rawExpires !== undefined) {
    expires = /^\d{1,9}$/.test(rawExpires) ? Number(rawExpires) : NaN;
    if (Number.isNaN(expires)) throw incompleteSignature('X-Amz-Expires should be a number');
    if (expires > MAX_EXPIRES) throw incompleteSignature(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES}`);
  }
  return build(credential, signedHeaders, signature, longDate, expires, true, one('X-Amz-Security-Token'));
}

function build(credential: string, signedHeaders: string, signature: string, longDate: string, expires: number | null, presigned: boolean, securityToken: string | undefined): Signature {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw incompleteSignature(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const m = LONG_DATE.exec(longDate);
  if (m === null) throw incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${longDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const headers = signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  if (!headers.includes('host') && !headers.includes(':authority')) {
    throw incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return {
    accessKeyId: parts[0]!,
    scopeDate: parts[1]!,
    region: parts[2]!,
    service: parts[3]!,
    terminator: parts[4]!,
    signedHeaders: headers,
    signature,
    longDate,
    signedAt,
    expires,
    presigned,
    securityToken,
  };
}

/** A Date header (RFC 7231) as the signing time's basic ISO 8601 form; the text itself when it is no date. */
function httpDateToLong(date: string): string {
  const t = Date.parse(date);
  return Number.isNaN(t) ? date : formatLong(t);
}

export function formatLong(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The signature's scope and time, as AWS checks them before the signature itself: the service
 * the plane serves, a region-shaped region, the aws4_request terminator, the scope's date equal to
 * the signing date, and the signing time within 15 minutes of now (a presigned URL: within its
 * X-Amz-Expires).
 */
export function checkScope(sig: Signature, service: string, now: number): void {
  if (sig.terminator !== 'aws4_request') throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${sig.terminator}'. `);
  if (sig.service !== service) throw invalidSignature(`Credential should be scoped to correct service: '${service}'. `);
  if (!REGION.test(sig.region)) throw invalidSignature(`Credential should be scoped to a valid region, not '${sig.region}'. `);
  if (sig.scopeDate !== sig.longDate.slice(0, 8)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${sig.scopeDate}' != '${sig.longDate.slice(0, 8)}', from '${sig.longDate}'.`);
  }
  if (sig.signedAt > now + SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${sig.longDate} is still later than ${formatLong(now + SKEW_MS)} (${formatLong(now)} + 15 min.)`);
  }
  if (sig.expires !== null) {
    if (now > sig.signedAt + sig.expires * 1000) {
      throw invalidSignature(`Signature expired: ${sig.longDate} is now earlier than ${formatLong(now - sig.expires * 1000)} (${formatLong(now)} - ${sig.expires} sec.)`);
    }
  } else if (sig.signedAt < now - SKEW_MS) {
    throw invalidSignature(`Signature expired: ${sig.longDate} is now earlier than ${formatLong(now - SKEW_MS)} (${formatLong(now)} - 15 min.)`);
  }
}

/** SHA-256 for @smithy/signature-v4 on node:crypto: a hash, or an HMAC when given a key (also what tests sign with). */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function toBytes(data: SourceData): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data as ArrayBuffer);
}

/** SignatureV4Base's canonical request, opened for recomputing a received signature. */
class Canonicalizer extends SignatureV4Base {
  constructor() {
    // Path segments are URI-encoded once more, as every service but S3 signs them.
    super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256, uriEscapePath: true });
  }
  canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }
  /** The SDK's own string to sign (asynchronous, as its hash interface is): the tests hold ours to it. */
  smithyStringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
  }
}

export const canonicalizer = new Canonicalizer();
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The string to sign, as SignatureV4Base.createStringToSign writes it (algorithm, date, scope,
 * hex SHA-256 of the canonical request), computed synchronously: the SDK's is asynchronous only
 * because its hash interface is, and a promise per request is what this path cannot afford.
 */
export function stringToSign(longDate: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM_IDENTIFIER}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
}

// Signing keys by secret, day, region and service: one key serves every request of that day.
const signingKeys = new Map<string, Uint8Array>();
const MAX_SIGNING_KEYS = 4096;

function signingKeyId(secretAccessKey: string, sig: Signature): string {
  return `${secretAccessKey}\n${sig.scopeDate}\n${sig.region}\n${sig.service}`;
}

/** Derives the signing key with @smithy/signature-v4 (once per secret, day, region and service). */
async function deriveSigningKey(accessKeyId: string, secretAccessKey: string, sig: Signature): Promise<Uint8Array> {
  const key = await getSigningKey(NodeSha256, { accessKeyId, secretAccessKey }, sig.scopeDate, sig.region, sig.service);
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(signingKeyId(secretAccessKey, sig), key);
  return key;
}

/** Percent-decoded query parameters (a '+' stays a '+', as SigV4 reads it); repeated names as arrays. */
export function decodeQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  if (query === '') return out;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodePart(eq === -1 ? pair : pair.slice(0, eq));
    const v = eq === -1 ? '' : decodePart(pair.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function decodePart(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface Recomputed {
  readonly matches: boolean;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
}

/**
 * Recomputes the request's signature with `secretAccessKey` and compares it with the one it
 * carries. Synchronous while the day's signing key is cached (every request but the first of the
 * day for a key, region and service); a promise when it must be derived.
 */
export function recompute(req: SignedRequest, sig: Signature, secretAccessKey: string): Recomputed | Promise<Recomputed> {
  const headers: Record<string, string> = {};
  for (const name of sig.signedHeaders) headers[name] = req.header(name) ?? '';
  const canonicalHeaders = getCanonicalHeaders({ headers } as HttpRequest, undefined, new Set(sig.signedHeaders));
  const request = { method: req.method, path: req.path, query: decodeQuery(req.query), headers } as unknown as HttpRequest;
  const payloadHash = req.body.length === 0 ? EMPTY_HASH : createHash('sha256').update(req.body).digest('hex');
  const canonicalRequest = canonicalizer.canonicalRequest(request, canonicalHeaders, payloadHash);
  const toSign = stringToSign(sig.longDate, `${sig.scopeDate}/${sig.region}/${sig.service}/${sig.terminator}`, canonicalRequest);
  const compare = (key: Uint8Array): Recomputed => {
    const expected = createHmac('sha256', key).update(toSign).digest();
    const matches = HEX_SIGNATURE.test(sig.signature) && timingSafeEqual(expected, Buffer.from(sig.signature, 'hex'));
    return { matches, canonicalRequest, stringToSign: toSign };
  };
  const key = signingKeys.get(signingKeyId(secretAccessKey, sig));
  return key !== undefined ? compare(key) : deriveSigningKey(sig.accessKeyId, secretAccessKey, sig).then(compare);
}

/**
 * Throws InvalidSignatureException when the signature is not the one `secretAccessKey` makes for
 * this request; synchronous (undefined) while the signing key is cached.
 */
export function verifySignature(req: SignedRequest, sig: Signature, secretAccessKey: string): void | Promise<void> {
  const r = recompute(req, sig, secretAccessKey);
  return r instanceof Promise ? r.then(mustMatch) : mustMatch(r);
}

function mustMatch(r: Recomputed): void {
  if (!r.matches) {
    throw signatureMismatch(`\n\nThe Canonical String for this request should have been\n'${r.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${r.stringToSign}'\n`);
  }
}
