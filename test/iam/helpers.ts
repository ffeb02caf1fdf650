// Shared set-up for the --auth enforce tests: an identities file, a gateway that enforces it, and
// real clients (the AWS SDK v3, the AWS CLI, and fetch signed by the SDK's own SignatureV4) that
// sign with any credentials a test chooses.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { stringify } from 'yaml';
import type { GatehouseConfig } from '../../src/config.ts';
import { NodeSha256 } from '../../src/iam/sigv4.ts';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const REGION = 'us-east-1';
export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

const allow = (action: string | string[], resource: string | string[] = '*') => ({ Effect: 'Allow', Action: action, Resource: resource });
const deny = (action: string | string[], resource: string | string[] = '*') => ({ Effect: 'Deny', Action: action, Resource: resource });
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

/** The keys of the identities below. */
export const KEYS = {
  admin: { accessKeyId: 'AKIAADMINA0000000001', secretAccessKey: 'admin-secret-a' },
  limited: { accessKeyId: 'AKIALIMITED000000001', secretAccessKey: 'limited-secret' },
  reader: { accessKeyId: 'AKIAREADER0000000001', secretAccessKey: 'reader-secret' },
  inactive: { accessKeyId: 'AKIAINACTIVE00000001', secretAccessKey: 'inactive-secret' },
  rootA: { accessKeyId: 'AKIAROOTA00000000001', secretAccessKey: 'root-secret-a' },
  session: { accessKeyId: 'ASIADEPLOYERCI000001', secretAccessKey: 'session-secret', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN/+=' },
  expiredSession: { accessKeyId: 'ASIAEXPIRED000000001', secretAccessKey: 'expired-secret', sessionToken: 'FwoGZXIvYXdzEXPIREDTOKEN' },
  invoker: { accessKeyId: 'AKIAINVOKER000000001', secretAccessKey: 'invoker-secret' },
  noInvoke: { accessKeyId: 'AKIANOINVOKE00000001', secretAccessKey: 'noinvoke-secret' },
  adminB: { accessKeyId: 'AKIAADMINB0000000001', secretAccessKey: 'admin-secret-b' },
} as const satisfies Record<string, Credentials>;

/** Two accounts: A with users of several powers, a role session and its root user; B with one admin. */
export const IDENTITIES = {
  accounts: {
    [ACCOUNT_A]: {
      root: { accessKeys: [KEYS.rootA] },
      users: {
        admin: { accessKeys: [KEYS.admin], policies: { all: policy(allow('*')) } },
        // The guide's kind of policy: everything on API Gateway but deleting a REST API.
        limited: { accessKeys: [KEYS.limited], policies: { manage: policy(allow('apigateway:*', 'arn:aws:apigateway:*::/restapis*'), deny('apigateway:DELETE', 'arn:aws:apigateway:*::/restapis/*')) } },
        reader: { accessKeys: [KEYS.reader], policies: { read: policy(allow(['apigateway:GET', 'lambda:Get*', 'lambda:List*'])) } },
        retired: { accessKeys: [{ ...KEYS.inactive, status: 'Inactive' }], policies: { all: policy(allow('*')) } },
        invoker: { accessKeys: [KEYS.invoker], policies: { invoke: policy(allow(['execute-api:Invoke', 'lambda:InvokeFunction'])) } },
        'no-invoke': { accessKeys: [KEYS.noInvoke], policies: { read: policy(allow('apigateway:GET'), deny('execute-api:Invoke', 'arn:aws:execute-api:*:*:*/*/POST/*')) } },
      },
      roles: {
        deployer: {
          policies: { all: policy(allow('*')) },
          sessions: [
            { name: 'ci', ...KEYS.session },
            { name: 'old', ...KEYS.expiredSession, expiration: '2020-01-01T00:00:00Z' },
          ],
        },
      },
    },
    [ACCOUNT_B]: {
      users: { admin: { accessKeys: [KEYS.adminB], policies: { all: policy(allow('*')) } } },
    },
  },
};

/** Writes `doc` as a YAML identities file in a folder of its own; returns its path. */
export function writeIdentities(doc: unknown = IDENTITIES): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-iam-')), 'identities.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

export function startEnforcing(overrides: Partial<GatehouseConfig> = {}): Promise<Gatehouse> {
  return startTestGatehouse({ auth: 'enforce', identities: writeIdentities(), ...overrides });
}

export function apiGateway(url: string, credentials: Credentials, extra: Record<string, unknown> = {}): APIGatewayClient {
  return new APIGatewayClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1, ...extra });
}

export function lambdaClient(url: string, credentials: Credentials): LambdaClient {
  return new LambdaClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1 });
}

const run = promisify(execFile);

function cliEnv(credentials: Credentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  if (credentials.sessionToken !== undefined) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  else delete env.AWS_SESSION_TOKEN;
  return env;
}

/** The real AWS CLI signing with `credentials`; parsed JSON output, or the error it printed. */
export async function cli(url: string, credentials: Credentials, args: string[]): Promise<{ ok: true; json: unknown } | { ok: false; code: string; message: string }> {
  try {
    const { stdout } = await run('aws', [...args, '--endpoint-url', url, '--output', 'json'], { env: cliEnv(credentials) });
    return { ok: true, json: stdout.trim() === '' ? null : JSON.parse(stdout) };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    const m = /An error occurred \(([^)]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)/.exec(stderr);
    if (m === null) throw new Error(`unexpected CLI failure: ${stderr}`);
    return { ok: false, code: m[1]!, message: m[2]!.trim() };
  }
}

export interface SignedFetch {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly service?: string;
  readonly region?: string;
  readonly signingDate?: Date;
  /** Presign (X-Amz-* query) for this many seconds instead of an Authorization header. */
  readonly presignSeconds?: number;
}

/** fetch() signed by @smithy/signature-v4, the signer of the AWS SDK v3. */
export async function signedFetch(url: string, credentials: Credentials, options: SignedFetch = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: options.service ?? 'execute-api', region: options.region ?? REGION, credentials, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const request = {
    method: options.method ?? 'GET',
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: { host: u.host, ...options.headers } as Record<string, string>,
    body: options.body,
  };
  const signed = options.presignSeconds === undefined
    ? await signer.sign(request, { signingDate: options.signingDate })
    : await signer.presign(request, { signingDate: options.signingDate, expiresIn: options.presignSeconds });
  const qs = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  const res = await fetch(`${u.origin}${u.pathname}${qs === '' ? '' : `?${qs}`}`, { method: request.method, headers, body: options.body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface SignedHttp extends SignedFetch {
  /** The Host to send and sign (an {apiId}.execute-api.* name); the URL's own host when omitted. */
  readonly host?: string;
  /** Sign nothing: send the request as it is. */
  readonly unsigned?: boolean;
  /** The body to send when it is not the one signed (a request altered on its way). */
  readonly sentBody?: string;
}

/** A request signed by @smithy/signature-v4 and sent with node:http (which, unlike fetch, may set Host). */
export async function signedHttp(baseUrl: string, pathAndQuery: string, credentials: Credentials, options: SignedHttp = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }> {
  const base = new URL(baseUrl);
  const u = new URL(pathAndQuery, baseUrl);
  const host = options.host ?? base.host;
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of u.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = {
    method: options.method ?? 'GET',
    protocol: 'http:',
    hostname: host,
    path: u.pathname,
    query,
    headers: { host, ...options.headers } as Record<string, string>,
    body: options.body,
  };
  let headers = request.headers;
  let qs = u.search.slice(1);
  if (options.unsigned !== true) {
    const signer = new SignatureV4({ service: options.service ?? 'execute-api', region: options.region ?? REGION, credentials, sha256: NodeSha256 });
    const signed = options.presignSeconds === undefined
      ? await signer.sign(request, { signingDate: options.signingDate })
      : await signer.presign(request, { signingDate: options.signingDate, expiresIn: options.presignSeconds });
    headers = signed.headers as Record<string, string>;
    qs = Object.entries(signed.query ?? {})
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`))
      .join('&');
  }
  const { request: send } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = send({ host: base.hostname, port: base.port, path: u.pathname + (qs === '' ? '' : `?${qs}`), method: request.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.sentBody ?? options.body);
  });
}
