// Who is calling the management and Lambda APIs, from a SigV4 request: the account and region a
// request acts in (its store partition) and, with --auth enforce, the verified caller.
//   open     the access key and region are read from the credential scope of the Authorization
//            header (or X-Amz-Credential in a presigned query) without verifying anything; the
//            account is the configured one. Unsigned requests are served (the emulators' way).
//   enforce  the signature is verified (src/iam); the account is the identity's, the region the
//            credential scope's, so two accounts on one gateway see only their own resources.
import type { IncomingMessage } from 'node:http';
import type { GatehouseConfig } from '../config.ts';
import type { AuthError, Caller, Iam, SignedRequest } from '../iam/index.ts';

export interface CallerScope {
  readonly accessKeyId: string | undefined;
  readonly region: string | undefined;
  readonly service: string | undefined;
}

const NO_SCOPE: CallerScope = Object.freeze({ accessKeyId: undefined, region: undefined, service: undefined });

// Credential=AKIDEXAMPLE/20150830/us-east-1/apigateway/aws4_request
const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function callerScope(authorization: string | undefined, query?: string): CallerScope {
  let m = authorization === undefined ? null : CREDENTIAL.exec(authorization);
  if (m === null && query !== undefined && query.includes('X-Amz-Credential=')) {
    const cred = new URLSearchParams(query).get('X-Amz-Credential');
    if (cred !== null) m = CREDENTIAL.exec('Credential=' + cred);
  }
  if (m === null) return NO_SCOPE;
  return { accessKeyId: m[1], region: m[2], service: m[3] };
}

/** The store partition of an account and region. */
export function partitionOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** The account and region a management or Lambda request acts in; `caller` is set in enforce mode. */
export interface RequestAccount {
  readonly accountId: string;
  readonly region: string;
  readonly caller: Caller | null;
}

/** A Node request as the SigV4 verifier reads it: repeated headers joined with ',' (as SigV4 joins them). */
export function signedRequestOf(req: IncomingMessage, body: Buffer): SignedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let headers: Map<string, string> | null = null;
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    body,
    header(name) {
      if (headers === null) {
        headers = new Map();
        const raw = req.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const k = raw[i]!.toLowerCase();
          const prev = headers.get(k);
          headers.set(k, prev === undefined ? raw[i + 1]! : `${prev},${raw[i + 1]}`);
        }
      }
      return headers.get(name);
    },
  };
}

/**
 * Open mode: the configured account and the credential scope's region, nothing verified.
 * Enforce mode: begins verifying the request for `service` (AuthError when it fails); the caller
 * is known, but its signature still needs the body (`verify`).
 */
export function beginRequestAccount(iam: Iam, config: GatehouseConfig, req: IncomingMessage, service: string): { account: RequestAccount; verify(body: Buffer): void | Promise<void> } {
  if (iam.mode === 'open') {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const auth = req.headers.authorization;
    const scope = callerScope(Array.isArray(auth) ? auth[0] : auth, q === -1 ? undefined : url.slice(q + 1));
    return { account: { accountId: config.accountId, region: scope.region ?? config.region, caller: null }, verify: () => undefined };
  }
  const pending = iam.begin(signedRequestOf(req, EMPTY), service);
  const { caller } = pending;
  return { account: { accountId: caller.accountId, region: caller.region, caller }, verify: (body) => pending.verify(body) };
}

/** beginRequestAccount and its verification, for a request whose body is already read. */
export async function requestAccount(iam: Iam, config: GatehouseConfig, req: IncomingMessage, body: Buffer, service: string): Promise<RequestAccount> {
  const { account, verify } = beginRequestAccount(iam, config, req, service);
  await verify(body);
  return account;
}

const EMPTY = Buffer.alloc(0);

/** The resource a management call acts on, as IAM names it: arn:aws:apigateway:{region}::{path}. */
export function managementResource(region: string, path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    /* a path that is not valid percent-encoding is named as sent */
  }
  return `arn:aws:apigateway:${region}::${decoded}`;
}

/** An authentication or authorization failure as the REST-JSON planes answer it: 403, x-amzn-ErrorType, {"message"}. */
export function authFailure(err: AuthError): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': err.code },
    body: JSON.stringify({ message: err.message }),
  };
}
