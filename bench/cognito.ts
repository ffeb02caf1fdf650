// Requests/s behind a COGNITO_USER_POOLS authorizer, as ratios to the same MOCK method with no
// authorization, all in one run (rounds interleaved, medians reported):
//   none        — authorizationType NONE, no token sent;
//   none+token  — the same method, every request carrying the token anyway (what a ~900-byte
//                 header costs the HTTP layer, apart from the authorizer);
//   remembered  — a Cognito authorizer, every request with the same ID token (verified once,
//                 then found in the per-process memo);
//   verified    — a Cognito authorizer, 12,000 distinct tokens sent in turn: more than the memo
//                 holds (10,000), so every request costs a signature check (RS256, 2048 bits).
// The issuer is a node:http JWKS server in this process (asked once); the load is an undici Pool
// in a child process, so it never shares the gateway's event loop. Besides requests/s, the
// gateway's CPU time per request, and its ratio (none's CPU / the case's: the throughput ratio
// on a machine of its own).
// Run: npx tsx bench/cognito.ts [seconds=5] [connections=32] [rounds=3]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient, CreateAuthorizerCommand, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, GetResourcesCommand,
  PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const ROUNDS = Number(process.argv[4] ?? 3);
const DISTINCT_TOKENS = 12_000;
const POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Bench';

interface Result { rps: number; p50: number; p99: number; errors: number; requests: number; statuses: Record<string, number>; cpuUs?: number }

const LOAD_PROCESS = `
const { readFileSync } = require('node:fs');
const w = JSON.parse(process.env.BENCH_LOAD);
const { Pool } = require(w.undici);
const tokens = w.tokens === null ? [null] : readFileSync(w.tokens, 'utf8').split('\\n');
(async () => {
  const pool = new Pool(w.url, { connections: w.connections, pipelining: 1 });
  const lat = [];
  let errors = 0, next = 0, started = 0, measuring = false;
  const statuses = {};
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + w.seconds * 1000;
  async function loop() {
    while (Date.now() < end) {
      const token = tokens[next++ % tokens.length];
      const t = process.hrtime.bigint();
      try {
        const res = await pool.request({ path: w.path, method: 'GET', headers: token === null ? {} : { authorization: token } });
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

function load(url: string, path: string, tokens: string | null): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, BENCH_LOAD: JSON.stringify({ url, path, tokens, seconds: SECONDS, connections: CONNECTIONS, undici: createRequire(import.meta.url).resolve('undici') }) };
    execFile(process.execPath, ['-e', LOAD_PROCESS], { env, maxBuffer: 1 << 20 }, (err, stdout) => (err === null ? resolve(JSON.parse(stdout) as Result) : reject(err)));
  });
}

async function main(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  let jwksFetches = 0;
  const idp = createServer((req, res) => {
    if (req.url !== '/pool/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/pool`;

  const mintStart = performance.now();
  const now = Math.floor(Date.now() / 1000);
  const mint = (i: number) => new SignJWT({ sub: `user-${i}`, aud: 'bench-client', token_use: 'id', email: `user-${i}@example.com`, 'cognito:username': `user-${i}`, iss: issuer, iat: now, exp: now + 3600 })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' }).sign(privateKey);
  const tokens: string[] = [];
  for (let i = 0; i < DISTINCT_TOKENS; i++) tokens.push(await mint(i));
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-cognito-'));
  const oneToken = join(dir, 'one');
  const manyTokens = join(dir, 'many');
  writeFileSync(oneToken, tokens[0]!);
  writeFileSync(manyTokens, tokens.join('\n'));
  console.log(`minted ${DISTINCT_TOKENS} RS256 tokens in ${((performance.now() - mintStart) / 1000).toFixed(1)} s`);

  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', jwksIssuers: `${POOL}=${issuer}`, accountRate: 0 }));
  const client = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 });
  const api = await client.send(new CreateRestApiCommand({ name: 'bench-cognito' }));
  const restApiId = api.id!;
  const root = (await client.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
  const authorizer = await client.send(new CreateAuthorizerCommand({ restApiId, name: 'pool', type: 'COGNITO_USER_POOLS', providerARNs: [POOL], identitySource: 'method.request.header.Authorization' }));
  for (const [part, auth] of [['open', null], ['cognito', authorizer.id!]] as const) {
    const resourceId = (await client.send(new CreateResourceCommand({ restApiId, parentId: root, pathPart: part }))).id!;
    const key = { restApiId, resourceId, httpMethod: 'GET' };
    await client.send(new PutMethodCommand({ ...key, authorizationType: auth === null ? 'NONE' : 'COGNITO_USER_POOLS', authorizerId: auth ?? undefined }));
    await client.send(new PutIntegrationCommand({ ...key, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ ...key, statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "cat", "price": 124.99}' } }));
  }
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: 'bench' }));
  client.destroy();

  const cases = [
    { name: 'none', path: `/restapis/${restApiId}/bench/_user_request_/open`, tokens: null },
    { name: 'none+token', path: `/restapis/${restApiId}/bench/_user_request_/open`, tokens: oneToken },
    { name: 'remembered', path: `/restapis/${restApiId}/bench/_user_request_/cognito`, tokens: oneToken },
    { name: 'verified', path: `/restapis/${restApiId}/bench/_user_request_/cognito`, tokens: manyTokens },
  ];
  // JIT warm-up of every path (and the first verification, the only key fetch) before any round.
  for (const c of cases) await load(gh.url, c.path, c.tokens);
  const results = new Map<string, Result[]>(cases.map((c) => [c.name, []]));
  // Each round starts with another case, so that no case always runs right after the same one.
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of [...cases.slice(round % cases.length), ...cases.slice(0, round % cases.length)]) {
      // The gateway's own CPU time per request (it runs in this process; the load does not): a
      // figure that holds on a busy machine, where requests/s mostly measure the neighbours.
      const cpu0 = process.cpuUsage();
      const r = await load(gh.url, c.path, c.tokens);
      const cpu = process.cpuUsage(cpu0);
      r.cpuUs = (cpu.user + cpu.system) / r.requests;
      if (r.errors > 0) throw new Error(`${c.name}: ${r.errors} requests did not answer 200: ${JSON.stringify(r.statuses)}`);
      results.get(c.name)!.push(r);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(results.get('none')!.map((r) => r.rps));
  const baseCpu = median(results.get('none')!.map((r) => r.cpuUs!));
  console.log(`node ${process.version}, ${cpus().length} CPUs (load ${loadavg()[0]!.toFixed(1)}), ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, medians`);
  console.log('case        req/s     p50 ms  p99 ms  ratio to none  CPU µs/req  ratio (CPU)');
  for (const c of cases) {
    const rs = results.get(c.name)!;
    const rps = median(rs.map((r) => r.rps));
    const cpu = median(rs.map((r) => r.cpuUs!));
    console.log(
      `${c.name.padEnd(10)} ${rps.toFixed(0).padStart(7)}  ${median(rs.map((r) => r.p50)).toFixed(2).padStart(7)} ${median(rs.map((r) => r.p99)).toFixed(2).padStart(7)}  ` +
        `${(rps / base).toFixed(2).padStart(12)}x  ${cpu.toFixed(1).padStart(10)}  ${(baseCpu / cpu).toFixed(2).padStart(10)}x`,
    );
  }
  console.log(`key set fetched ${jwksFetches} time(s)`);
  await gh.close();
  idp.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
