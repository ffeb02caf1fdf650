// API key and usage plan throughput: CreateApiKey, CreateUsagePlanKey, ImportApiKeys of 10,000
// keys, and GetApiKeys paging over those 10,000 keys at limit 500 (unfiltered, through the store
// cursor, and with a name filter). Baseline in the same run: a bare node:http server answering a
// JSON body of the same size over the same client, so the ratio shows what Gatehouse's routing,
// validation and SQLite transaction cost.
// Run: npx tsx bench/management-keys.ts [keys=10000]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';
import { tempDataDir } from '../test/helpers/server.ts';

const N = Number(process.argv[2] ?? 10_000);
const CREATES = 2000;
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0';

async function call(pool: Pool, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await pool.request({ method: method as 'GET', path, headers: { 'content-type': contentType, authorization: AUTH }, body: payload });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

async function pageAll(pool: Pool, query: string): Promise<{ pages: number; items: number; bytes: number }> {
  let position: string | undefined;
  let pages = 0;
  let items = 0;
  let bytes = 0;
  do {
    const path = `/apikeys?limit=500${query}${position ? `&position=${encodeURIComponent(position)}` : ''}`;
    const res = await pool.request({ method: 'GET', path, headers: { authorization: AUTH } });
    const text = await res.body.text();
    bytes = Math.max(bytes, text.length);
    const page = JSON.parse(text) as { position?: string; item?: unknown[] };
    items += page.item?.length ?? 0;
    position = page.position;
    pages++;
  } while (position !== undefined);
  return { pages, items, bytes };
}

async function main() {
  const dir = tempDataDir();
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: dir, logLevel: 'silent' }));
  const pool = new Pool(gh.url, { connections: 1 });

  // Phase 1: CreateApiKey one at a time (generated values).
  let t = performance.now();
  const created: string[] = [];
  for (let i = 0; i < CREATES; i++) created.push((await call(pool, 'POST', '/apikeys', { name: `made-${i}`, enabled: true })).id);
  const createOps = CREATES / ((performance.now() - t) / 1000);

  // Phase 2: CreateUsagePlanKey for each of them into one plan.
  const plan = await call(pool, 'POST', '/usageplans', { name: 'bench', quota: { limit: 1000, period: 'DAY' } });
  t = performance.now();
  for (const id of created) await call(pool, 'POST', `/usageplans/${plan.id}/keys`, { keyId: id, keyType: 'API_KEY' });
  const planKeyOps = CREATES / ((performance.now() - t) / 1000);

  // Phase 2b: CreateAuthorizer (TOKEN, Lambda URI) and GetAuthorizers on one API; API Gateway
  // caps authorizers at 10 per API, so each round deletes what it made.
  const api = await call(pool, 'POST', '/restapis', { name: 'bench-authorizers' });
  const AUTH_ROUNDS = 50;
  let authOps = 0;
  t = performance.now();
  for (let round = 0; round < AUTH_ROUNDS; round++) {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push((await call(pool, 'POST', `/restapis/${api.id}/authorizers`, {
        name: `auth-${i}`, type: 'TOKEN', identitySource: 'method.request.header.Authorization',
        authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations',
      })).id);
      authOps++;
    }
    await call(pool, 'GET', `/restapis/${api.id}/authorizers`);
    for (const id of ids) await call(pool, 'DELETE', `/restapis/${api.id}/authorizers/${id}`);
    authOps += 11;
  }
  const authorizerOps = authOps / ((performance.now() - t) / 1000);

  // Phase 3: import the rest of the 10,000 in one CSV.
  const rows = ['Name,Key,Enabled'];
  for (let i = CREATES; i < N; i++) rows.push(`imported-${i},bench-import-value-${String(i).padStart(8, '0')}-xyz,true`);
  t = performance.now();
  const imported = await call(pool, 'POST', '/apikeys?mode=import&format=csv&failonwarnings=true', rows.join('\n'), 'text/csv');
  const importMs = performance.now() - t;
  if (imported.ids.length !== N - CREATES) throw new Error('import lost keys');

  // Phase 4: page through all 10,000 keys at limit 500, unfiltered and by name prefix.
  const ROUNDS = 5;
  let all = { pages: 0, items: 0, bytes: 0 };
  t = performance.now();
  for (let i = 0; i < ROUNDS; i++) all = await pageAll(pool, '');
  const pageMs = (performance.now() - t) / ROUNDS / all.pages;
  if (all.items !== N) throw new Error(`paged ${all.items} keys, expected ${N}`);
  let named = { pages: 0, items: 0, bytes: 0 };
  t = performance.now();
  for (let i = 0; i < ROUNDS; i++) named = await pageAll(pool, '&name=imported-');
  const namedMs = (performance.now() - t) / ROUNDS / named.pages;
  if (named.items !== N - CREATES) throw new Error(`paged ${named.items} named keys, expected ${N - CREATES}`);
  await pool.close();
  await gh.close();
  rmSync(dir, { recursive: true, force: true });

  // Baseline: bare node:http answering a small JSON body and a page-sized body.
  const small = JSON.stringify({ id: 'abcdefghij', value: 'x'.repeat(40), name: 'made-0', enabled: true, createdDate: 0, lastUpdatedDate: 0, stageKeys: [] });
  const big = Buffer.alloc(all.bytes, 'x');
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url!.includes('page') ? big : small;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bpool = new Pool(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`, { connections: 1 });
  t = performance.now();
  for (let i = 0; i < CREATES; i++) await call(bpool, 'POST', '/x', { name: `made-${i}` });
  const bareOps = CREATES / ((performance.now() - t) / 1000);
  const PAGES = ROUNDS * all.pages;
  t = performance.now();
  for (let i = 0; i < PAGES; i++) await (await bpool.request({ method: 'GET', path: '/x?page=1' })).body.arrayBuffer();
  const barePageMs = (performance.now() - t) / PAGES;
  await bpool.close();
  bare.close();

  console.log(`Gatehouse API keys benchmark — node ${process.version}, ${N} keys, SQLite on disk, 1 connection`);
  console.table([
    { case: 'CreateApiKey', 'ops/s': fmt(createOps), baseline: `bare node:http ${fmt(bareOps)}/s`, ratio: (createOps / bareOps).toFixed(2) },
    { case: 'CreateUsagePlanKey', 'ops/s': fmt(planKeyOps), baseline: `bare node:http ${fmt(bareOps)}/s`, ratio: (planKeyOps / bareOps).toFixed(2) },
    { case: 'CreateAuthorizer + GetAuthorizers + DeleteAuthorizer', 'ops/s': fmt(authorizerOps), baseline: `bare node:http ${fmt(bareOps)}/s`, ratio: (authorizerOps / bareOps).toFixed(2) },
    { case: `ImportApiKeys (${N - CREATES} keys, one CSV)`, 'ops/s': fmt((N - CREATES) / (importMs / 1000)) + ' keys/s', baseline: '', ratio: '' },
    { case: `GetApiKeys limit=500 over ${N} keys (${all.pages} pages, ${(all.bytes / 1024).toFixed(0)} KiB)`, 'ops/s': fmt(1000 / pageMs) + ' pages/s', baseline: `bare ${fmt(1000 / barePageMs)}/s`, ratio: (barePageMs / pageMs).toFixed(2) },
    { case: `GetApiKeys name= prefix, limit=500 (${named.pages} pages)`, 'ops/s': fmt(1000 / namedMs) + ' pages/s', baseline: `bare ${fmt(1000 / barePageMs)}/s`, ratio: (barePageMs / namedMs).toFixed(2) },
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
