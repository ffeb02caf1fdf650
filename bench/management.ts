// Management-API throughput: builds a 300-resource API (CreateResource + PutMethod +
// PutIntegration per resource), then lists it with GetResources?embed=methods. Baseline in the
// same run: a bare node:http server answering a JSON body of the same size over the same client,
// so the ratio shows what Gatehouse's routing, validation and SQLite transaction cost.
// Run: npx tsx bench/management.ts [resources=300]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';
import { tempDataDir } from '../test/helpers/server.ts';

const N = Number(process.argv[2] ?? 300);
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0';

async function call(pool: Pool, method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await pool.request({ method: method as 'GET', path, headers: { 'content-type': 'application/json', authorization: AUTH }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

async function main() {
  const dir = tempDataDir();
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: dir, logLevel: 'silent' }));
  const pool = new Pool(gh.url, { connections: 1 });
  const api = await call(pool, 'POST', '/restapis', { name: 'bench' });

  // Phase 1: build the API, one resource, method and integration at a time (as a deploy tool does).
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await call(pool, 'POST', `/restapis/${api.id}/resources/${api.rootResourceId}`, { pathPart: `r${i}` });
    await call(pool, 'PUT', `/restapis/${api.id}/resources/${r.id}/methods/GET`, { authorizationType: 'NONE', requestParameters: { 'method.request.querystring.q': false } });
    await call(pool, 'PUT', `/restapis/${api.id}/resources/${r.id}/methods/GET/integration`, {
      type: 'HTTP', httpMethod: 'GET', uri: `http://backend.example.com/r${i}`, requestParameters: { 'integration.request.querystring.q': 'method.request.querystring.q' },
    });
  }
  const buildMs = performance.now() - t;
  const buildOps = (N * 3) / (buildMs / 1000);

  // Phase 2: GetResources with embedded methods over the whole API (limit 500 → one page).
  const LIST_ROUNDS = 50;
  let bytes = 0;
  t = performance.now();
  for (let i = 0; i < LIST_ROUNDS; i++) {
    const res = await pool.request({ method: 'GET', path: `/restapis/${api.id}/resources?embed=methods&limit=500`, headers: { authorization: AUTH } });
    bytes = (await res.body.arrayBuffer()).byteLength;
  }
  const listMs = (performance.now() - t) / LIST_ROUNDS;

  // Phase 3: single reads.
  const READS = 2000;
  t = performance.now();
  for (let i = 0; i < READS; i++) await call(pool, 'GET', `/restapis/${api.id}`);
  const readOps = READS / ((performance.now() - t) / 1000);
  await pool.close();
  await gh.close();
  rmSync(dir, { recursive: true, force: true });

  // Baseline: bare node:http answering a small JSON body and the same-size list body.
  const small = JSON.stringify(api);
  const big = Buffer.alloc(bytes, 'x');
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url!.includes('embed') ? big : small;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bpool = new Pool(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`, { connections: 1 });
  t = performance.now();
  for (let i = 0; i < READS; i++) await call(bpool, 'GET', '/x');
  const bareOps = READS / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < LIST_ROUNDS; i++) await (await bpool.request({ method: 'GET', path: '/x?embed=1' })).body.arrayBuffer();
  const bareListMs = (performance.now() - t) / LIST_ROUNDS;
  await bpool.close();
  bare.close();

  console.log(`Gatehouse management API benchmark — node ${process.version}, ${N} resources, SQLite on disk, 1 connection`);
  console.table([
    { case: 'build: CreateResource+PutMethod+PutIntegration', 'ops/s': fmt(buildOps), 'resources/s': fmt(buildOps / 3), baseline: '', ratio: '' },
    { case: 'GetRestApi', 'ops/s': fmt(readOps), baseline: `bare node:http ${fmt(bareOps)}/s`, ratio: (readOps / bareOps).toFixed(2) },
    { case: `GetResources embed=methods (${N + 1} items, ${(bytes / 1024).toFixed(0)} KiB)`, 'ops/s': fmt(1000 / listMs), baseline: `bare ${fmt(1000 / bareListMs)}/s`, ratio: (bareListMs / listMs).toFixed(2) },
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
