// A small client of a running Gatehouse's management API for the `gatehouse` commands that
// change APIs (cors): the same REST calls the AWS SDK and CLI make, signed with SigV4 when
// credentials are in the environment (as the AWS CLI reads them), so a gateway that enforces
// signatures accepts them and the change lands in the caller's account and region like any
// other management change.
import { lazy } from '../lazy.ts';
import { CliError } from '../openapi/cli.ts';

const sha256 = lazy<typeof import('@aws-crypto/sha256-js')>('@aws-crypto/sha256-js');
const sigv4 = lazy<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');

export interface ClientOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:4567. */
  readonly url: string;
  /** The region to sign for (the API's region); AWS_REGION, AWS_DEFAULT_REGION, else us-east-1. */
  readonly region?: string;
  /** Signing credentials; from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when omitted. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
}

export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: string;
}

export class ManagementClient {
  readonly #base: URL;
  readonly #region: string;
  readonly #credentials: ClientOptions['credentials'];

  constructor(options: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    this.#base = new URL(options.url.replace(/\/+$/, '') + '/');
    this.#region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.#credentials = options.credentials !== undefined ? options.credentials
      : env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
        : null;
  }

  get(path: string, query: Record<string, string> = {}): Promise<unknown> {
    return this.#call('GET', path, query, undefined);
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.#call('PUT', path, {}, body);
  }

  patch(path: string, patchOperations: readonly PatchOperation[]): Promise<unknown> {
    return this.#call('PATCH', path, {}, { patchOperations });
  }

  /** A call to another AWS service of the JSON protocols on the same port (ACM): POST / with its X-Amz-Target. */
  async json(signingName: string, target: string, input: unknown): Promise<unknown> {
    const res = await this.#send('POST', '/', {}, input, { service: signingName, target });
    const text = await res.text();
    return text === '' ? null : JSON.parse(text);
  }

  /** A GET whose answer is not JSON (GetSdk's zip): its bytes and headers. */
  async getBytes(path: string, query: Record<string, string> = {}): Promise<{ body: Buffer; headers: Headers }> {
    const res = await this.#send('GET', path, query, undefined);
    return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async #call(method: string, path: string, query: Record<string, string>, body: unknown): Promise<unknown> {
    const text = await (await this.#send(method, path, query, body)).text();
    return text === '' ? null : JSON.parse(text);
  }

  /** Sends the request; a non-2XX answer throws a ManagementError with AWS's error type and message. */
  async #send(method: string, path: string, query: Record<string, string>, body: unknown, json?: { service: string; target: string }): Promise<Response> {
    const base = this.#base;
    const fullPath = base.pathname.replace(/\/$/, '') + path;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let headers: Record<string, string> = { host: base.host, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = json === undefined ? 'application/json' : 'application/x-amz-json-1.1';
    if (json !== undefined) headers['x-amz-target'] = json.target;
    if (this.#credentials !== null && this.#credentials !== undefined) {
      const signer = new (sigv4().SignatureV4)({ service: json?.service ?? 'apigateway', region: this.#region, sha256: sha256().Sha256, credentials: this.#credentials });
      const signed = await signer.sign({
        method,
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port === '' ? undefined : Number(base.port),
        path: fullPath,
        query,
        headers,
        body: payload,
      });
      headers = signed.headers;
    }
    const qs = new URLSearchParams(query).toString();
    const url = `${base.protocol}//${base.host}${fullPath}${qs === '' ? '' : '?' + qs}`;
    let res: Response;
    try {
      // fetch sets Host itself (and refuses to be given one).
      const { host: _host, ...sent } = headers;
      res = await fetch(url, { method, headers: sent, body: payload });
    } catch (err) {
      throw new CliError(`cannot reach Gatehouse at ${base.origin}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text();
      const type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP ${res.status}`;
      let message = text;
      try {
        const parsed = JSON.parse(text) as { message?: string; Message?: string };
        message = parsed.message ?? parsed.Message ?? text;
      } catch {
        // not JSON: print as it came
      }
      throw new ManagementError(res.status, type, `${method} ${path}: ${type}: ${message}`);
    }
    return res;
  }
}

export class ManagementError extends CliError {
  constructor(readonly status: number, readonly errorType: string, message: string) {
    super(message);
  }
}
