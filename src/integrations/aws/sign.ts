// SigV4 for requests to AWS services, signed in one synchronous pass: the canonical request is
// @smithy/signature-v4's (the code the AWS SDKs sign with), the hashes and HMACs are node:crypto's
// and the signing key is kept per day, region and service. SignatureV4.sign() would do the same
// work behind a dozen awaits and a request clone per call; here signing costs no promise.
import { createHash, createHmac } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import { lazy } from '../../lazy.ts';

const smithy = lazy<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The request as it will be sent: path still percent-encoded, query values decoded. */
export interface RequestToSign {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-case names; `host` must be among them. Signed in place: x-amz-date, x-amz-content-sha256 and authorization are set. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface Canonicalizer {
  canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string;
}

let canonicalizers: { escaped: Canonicalizer; raw: Canonicalizer } | null = null;

function canonicalizer(escapePath: boolean): Canonicalizer {
  if (canonicalizers === null) {
    const { SignatureV4Base } = smithy();
    class Canonical extends SignatureV4Base {
      constructor(uriEscapePath: boolean) {
        super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NoHash, uriEscapePath });
      }
      canonicalRequest(request: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
        return this.createCanonicalRequest(request, headers, payloadHash);
      }
    }
    // Every service but S3 signs its path segments URI-encoded once more than they are sent.
    canonicalizers = { escaped: new Canonical(true), raw: new Canonical(false) };
  }
  return escapePath ? canonicalizers.escaped : canonicalizers.raw;
}

/** Never called: the canonicalizers only build canonical requests. */
class NoHash {
  update(): void {}
  digest(): Promise<Uint8Array> {
    return Promise.reject(new Error('not used'));
  }
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const EMPTY_SHA256 = sha256Hex('');

let cachedSecond = -1;
let cachedLongDate = '';
/** YYYYMMDDTHHMMSSZ, built once per second. */
function longDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedLongDate = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    cachedSecond = second;
  }
  return cachedLongDate;
}

/** Signs requests with one set of credentials. */
export class AwsSigner {
  readonly #credentials: AwsCredentials;
  // One key serves a day, region and service: `${shortDate}/${region}/${service}` → key.
  readonly #keys = new Map<string, Buffer>();

  constructor(credentials: AwsCredentials) {
    this.#credentials = credentials;
  }

  /** Adds x-amz-date, x-amz-content-sha256 and authorization to `req.headers`. */
  sign(req: RequestToSign, region: string, service: string, nowMs = Date.now()): void {
    const date = longDate(nowMs);
    const shortDate = date.slice(0, 8);
    const headers = req.headers;
    const payloadHash = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
    headers['x-amz-date'] = date;
    // S3 requires it; the SDKs send it to every service.
    headers['x-amz-content-sha256'] = payloadHash;
    // An authorization header already there is replaced below; it is never signed (no delete:
    // it would turn the object into a slow dictionary for the rest of the request's life).
    const canonicalHeaders = smithy().getCanonicalHeaders({ headers } as unknown as HttpRequest);
    const request = { method: req.method, path: req.path, query: req.query, headers } as unknown as HttpRequest;
    const canonicalRequest = canonicalizer(service !== 's3').canonicalRequest(request, canonicalHeaders, payloadHash);
    const scope = `${shortDate}/${region}/${service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.#signingKey(shortDate, region, service)).update(stringToSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${this.#credentials.accessKeyId}/${scope}, SignedHeaders=${Object.keys(canonicalHeaders).sort().join(';')}, Signature=${signature}`;
  }

  #signingKey(shortDate: string, region: string, service: string): Buffer {
    const id = `${shortDate}/${region}/${service}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = createHmac('sha256', `AWS4${this.#credentials.secretAccessKey}`).update(shortDate).digest();
      for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
      // Days pass: a key from an earlier day is never used again.
      if (this.#keys.size >= 256) this.#keys.clear();
      this.#keys.set(id, key);
    }
    return key;
  }
}
