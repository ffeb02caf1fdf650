// Requests/s of a MOCK method behind access control, as ratios to the same method with no
// authorization, all in one run (rounds interleaved, each round starting with another case,
// medians reported). The cases are a table: add a row for another mechanism (Cognito, SigV4,
// API keys, ...) with a `setup` that builds its method on the shared bench API and says what
// each request sends; the runner deploys once, warms every case up and measures them alike.
//   none                  authorizationType NONE (the baseline every ratio is to);
//   lambda-token-cached   a TOKEN Lambda authorizer (TTL 3600), every request with one token:
//                         after the warm-up every request is answered from the authorizer cache;
//   lambda-token-1000     the same authorizer, 1,000 tokens in turn, all cached after the warm-up.
//   cognito-remembered    a COGNITO_USER_POOLS authorizer, every request with one ID token: verified
//                         once, then found in the per-process memo (bench/cognito-case.ts);
//   cognito-verified      the same authorizer, 12,000 distinct tokens in turn (more than the memo
//                         holds): an RS256 signature check on every request.
//   sigv4-aws-iam         authorizationType AWS_IAM behind --auth enforce: every request's SigV4
//                         signature is verified (canonical request, SHA-256, HMAC with the cached
//                         signing key) and the caller's policy evaluated for execute-api:Invoke.
// The gateway runs in this process with the in-memory shared state; the load is an undici Pool in
// a child process, so it never shares the gateway's event loop. Each case is reported as
// requests/s and as requests per CPU-second of the gateway process, each with its ratio to none:
// on a busy shared machine the second is the steadier. Goal (issue #13): a cached authorizer at
// 0.8x or better.
// Run: npx tsx bench/access.ts [seconds=5] [connections=32] [rounds=3]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient, CreateAuthorizerCommand, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand,
  PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseConfig } from '../src/config.ts';
import { NodeSha256 } from '../src/iam/sigv4.ts';
import { startGatehouse } from '../src/server.ts';
import { cognitoBench } from './cognito-case.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const ROUNDS = Number(process.argv[4] ?? 3);
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };

/** What a case's requests send: its resource under the bench API, and the headers of each request in turn. */
interface CaseRequests {
  readonly pathPart: string;
  readonly headers: readonly Record<string, string>[];
}

/** What a case's setup may use; `mockMethod` adds GET /{pathPart} answering a fixed JSON body. */
interface BenchEnv {
  readonly url: string;
  readonly client: APIGatewayClient;
  readonly lambda: LambdaClient;
  readonly restApiId: string;
  mockMethod(pathPart: string, auth: { authorizationType: string; authorizerId?: string }): Promise<void>;
  /** Creates a Node.js function from one file's source (index.handler). */
  createFunction(name: string, source: string): Promise<string>;
}

interface BenchCase {
  readonly name: string;
  setup(env: BenchEnv): Promise<CaseRequests>;
}

const ALLOW_ALL = `
exports.handler = async (event) => ({
  principalId: 'bench-' + event.authorizationToken.length,
  policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }] },
  context: { tier: 'gold', seats: 5 },
});
`;

async function tokenAuthorizer(env: BenchEnv): Promise<string> {
  const uri = await env.createFunction('bench-authorizer', ALLOW_ALL);
  const a = await env.client.send(new CreateAuthorizerCommand({
    restApiId: env.restApiId, name: 'token', type: 'TOKEN', authorizerUri: uri, identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 3600,
  }));
  return a.id!;
}

let tokenAuthorizerId: Promise<string> | undefined;

/** The gateway runs --auth enforce (no other case is affected by it): the bench's key is an admin of ACCOUNT. */
const IDENTITIES = JSON.stringify({
  accounts: { [ACCOUNT]: { users: { bench: { accessKeys: [CREDENTIALS], policies: { all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } } } } },
});

/** SigV4 headers for GET `path`, signed once for the whole run: dated 14 minutes ahead, the
 *  signature stays within the 15-minute window for the next 29 minutes. */
async function sigv4Headers(url: string, path: string): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: NodeSha256 });
  const signed = await signer.sign(
    { method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query: {}, headers: { host: u.host } },
    { signingDate: new Date(Date.now() + 14 * 60_000) },
  );
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return headers;
}

const CASES: readonly BenchCase[] = [
  {
    name: 'none',
    async setup(env) {
      await env.mockMethod('open', { authorizationType: 'NONE' });
      return { pathPart: 'open', headers: [{}] };
    },
  },
  {
    name: 'lambda-token-cached',
    async setup(env) {
      const authorizerId = await (tokenAuthorizerId ??= tokenAuthorizer(env));
      await env.mockMethod('token', { authorizationType: 'CUSTOM', authorizerId });
      return { pathPart: 'token', headers: [{ authorization: 'Bearer bench-token-0' }] };
    },
  },
  {
    name: 'lambda-token-1000',
    async setup(env) {
      const authorizerId = await (tokenAuthorizerId ??= tokenAuthorizer(env));
      await env.mockMethod('token-many', { authorizationType: 'CUSTOM', authorizerId });
      return { pathPart: 'token-many', headers: Array.from({ length: 1000 }, (_, i) => ({ authorization: `Bearer bench-token-${i}` })) };
    },
  },
  {
    name: 'sigv4-aws-iam',
    async setup(env) {
      await env.mockMethod('iam', { authorizationType: 'AWS_IAM' });
      return { pathPart: 'iam', headers: [await sigv4Headers(env.url, `/restapis/${env.restApiId}/bench/_user_request_/iam`)] };
    },
  },
  ...cognitoBench.cases,
];

interface Result { rps: number; p50: number; p99: number; errors: number; requests: number; statuses: Record<string, number>; cpuMs: number }

const LOAD_PROCESS = `
const { readFileSync } = require('node:fs');
const w = JSON.parse(process.env.BENCH_LOAD);
const { Pool } = require(w.undici);
const headers = JSON.parse(readFileSync(w.headers, 'utf8'));
(async () => {
  const pool = new Pool(w.url, { connections: w.connections, pipelining: 1 });
  const lat = [];
  let errors = 0, next = 0, started = 0, measuring = false;
  const statuses = {};
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + w.seconds * 1000;
  async function loop() {
    while (Date.now() < end) {
      const h = headers[next++ % headers.length];
      const t = process.hrtime.bigint();
      try {
        const res = await pool.request({ path: w.path, method: 'GET', headers: h });
        await res.body.dump();
        if (res.statusCode !== 200) { errors++; statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1; }
      } catch (err) { errors++; statuses[err.code ?? 'error'] = (statuses[err.code ?? 'error'] ?? 0) + 1; }
      if (Date.now() >= warmupEnd) {
        if (!measuring) { measuring = true; started = Date.now(); }
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
  }
  await Promise.all(Array.from({ length: w.connections }, loop));
  const elapsed = (Date.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  await pool.close();
  process.stdout.write(JSON.stringify({ rps: lat.length / elapsed, p50: q(0.5), p99: q(0.99), errors, requests: lat.length, statuses }));
  process.exit(0);
})();
`;

/**
 * One load run. Besides requests/s, the gateway's CPU time (this process: the gateway runs here,
 * the load does not) gives requests per CPU-second, which other work on a shared machine moves
 * far less than it moves requests/s.
 */
function load(url: string, path: string, headersFile: string): Promise<Result> {
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const env = { ...process.env, BENCH_LOAD: JSON.stringify({ url, path, headers: headersFile, seconds: SECONDS, connections: CONNECTIONS, undici: createRequire(import.meta.url).resolve('undici') }) };
    execFile(process.execPath, ['-e', LOAD_PROCESS], { env, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err !== null) return reject(err);
      const used = process.cpuUsage(cpu);
      resolve({ ...(JSON.parse(stdout) as Omit<Result, 'cpuMs'>), cpuMs: (used.user + used.system) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  // No account-level throttle: it would cap the baseline at 10,000 requests/s.
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-access-'));
  writeFileSync(join(dir, 'identities.json'), IDENTITIES);
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0, auth: 'enforce', identities: join(dir, 'identities.json'), jwksIssuers: cognitoBench.jwksIssuers }));
  const client = new APIGatewayClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  const lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  try {
    const restApiId = (await client.send(new CreateRestApiCommand({ name: 'bench-access' }))).id!;
    const root = (await client.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
    const env: BenchEnv = {
      url: gh.url,
      client,
      lambda,
      restApiId,
      async mockMethod(pathPart, auth) {
        const resourceId = (await client.send(new CreateResourceCommand({ restApiId, parentId: root, pathPart }))).id!;
        const key = { restApiId, resourceId, httpMethod: 'GET' };
        await client.send(new PutMethodCommand({ ...key, ...auth }));
        await client.send(new PutIntegrationCommand({ ...key, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
        await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200' }));
        await client.send(new PutIntegrationResponseCommand({ ...key, statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "cat", "price": 124.99}' } }));
      },
      async createFunction(name, source) {
        await lambda.send(new CreateFunctionCommand({
          FunctionName: name, Runtime: 'nodejs20.x', Role: `arn:aws:iam::${ACCOUNT}:role/bench`, Handler: 'index.handler', Code: { ZipFile: zipSync({ 'index.js': strToU8(source) }) },
        }));
        return `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}/invocations`;
      },
    };
    const cases: { name: string; path: string; headers: string }[] = [];
    for (const c of CASES) {
      const r = await c.setup(env);
      const headers = join(dir, `${c.name}.json`);
      writeFileSync(headers, JSON.stringify(r.headers));
      cases.push({ name: c.name, path: `/restapis/${restApiId}/bench/_user_request_/${r.pathPart}`, headers });
    }
    await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'bench' }));

    // JIT warm-up of every path, and every identity's first (uncached) call, before any round.
    for (const c of cases) await load(gh.url, c.path, c.headers);
    const results = new Map<string, Result[]>(cases.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [...cases.slice(round % cases.length), ...cases.slice(0, round % cases.length)]) {
        const r = await load(gh.url, c.path, c.headers);
        if (r.errors > 0) throw new Error(`${c.name}: ${r.errors} requests did not answer 200: ${JSON.stringify(r.statuses)}`);
        results.get(c.name)!.push(r);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Requests per CPU-second of the gateway: all requests of the run (warm-up second included) over its CPU time.
    const perCpu = (r: Result) => (r.requests * (SECONDS + 1)) / SECONDS / (r.cpuMs / 1000);
    const base = results.get('none')!;
    const baseRps = median(base.map((r) => r.rps));
    const baseCpu = median(base.map(perCpu));
    console.log(`node ${process.version}, ${cpus().length} CPUs (load ${loadavg()[0]!.toFixed(1)}), ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, medians`);
    console.log('case                   req/s   ratio   req/CPU-s   ratio   p50 ms  p99 ms');
    for (const c of cases) {
      const rs = results.get(c.name)!;
      const rps = median(rs.map((r) => r.rps));
      const cpu = median(rs.map(perCpu));
      console.log(
        `${c.name.padEnd(20)} ${rps.toFixed(0).padStart(7)}  ${(rps / baseRps).toFixed(2).padStart(5)}x  ${cpu.toFixed(0).padStart(9)}  ${(cpu / baseCpu).toFixed(2).padStart(5)}x ` +
        `${median(rs.map((r) => r.p50)).toFixed(2).padStart(7)} ${median(rs.map((r) => r.p99)).toFixed(2).padStart(7)}`,
      );
    }
  } finally {
    lambda.destroy();
    client.destroy();
    await gh.close();
    await cognitoBench.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
