// Stage response cache: requests per second of a cache hit against the same method uncached,
// on one stage, in one run, for a MOCK method (request and response templates) and for an
// HTTP_PROXY method to a local node:http back end (in a worker thread):
//   - in-process shared state (the default): the cache is this process's memory;
//   - Redis (a private redis-server on a free port): every hit is a round trip to Redis.
// Rounds alternate the variants so drift on a shared machine hits each alike; the table reports
// the median of each and the ratio of the hit to the same method uncached on the same state.
// Goal (#14): a hit faster than the uncached MOCK method.
// Run: npx tsx bench/cache.ts [seconds=5] [connections=50] [rounds=3]
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CreateDeploymentCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../src/config.ts';
import { startGatehouse, type Gatehouse } from '../src/server.ts';
import { createApi, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { startPrivateRedis } from '../test/helpers/private-services.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

function wrk(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { encoding: 'utf8' }, (err, out) => {
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses:\n${out}`));
      resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]));
    });
  });
}

const BODY = JSON.stringify({ id: 1, name: 'Kitty', type: 'cat', price: 124.99 });

const BACKEND_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(workerData.body) });
    res.end(workerData.body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/** The back end runs in a worker thread: it never shares the gateway's event loop. */
function startBackendWorker(): Promise<{ url: string; worker: Worker }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BACKEND_WORKER, { eval: true, workerData: { body: BODY } });
    worker.once('message', (port: number) => resolve({ url: `http://127.0.0.1:${port}`, worker }));
    worker.once('error', reject);
  });
}

const PATHS = ['/mock-cached', '/mock-plain', '/http-cached', '/http-plain'] as const;
type Urls = Record<(typeof PATHS)[number], string>;

/** A stage with a cache cluster and two pairs of methods alike: MOCK and HTTP_PROXY, each once
 *  with caching on (one entry, every request after the first a hit) and once with its own
 *  setting turning caching off. Answers the four URLs. */
async function setUp(gh: Gatehouse, backend: string): Promise<Urls> {
  const client = apiGatewayClient(gh.url);
  const api = await createApi(client, 'bench-cache');
  const mock = {
    httpMethod: 'GET',
    integration: { type: 'MOCK' as const, requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "$stageVariables.name", "type": "cat", "price": 124.99}' } }],
  };
  const http = { httpMethod: 'GET', integration: { type: 'HTTP_PROXY' as const, integrationHttpMethod: 'GET', uri: `${backend}/pets/1` } };
  for (const path of PATHS) await putMethod(client, api.id, await resourcePath(client, api.id, path), path.startsWith('/mock') ? mock : http);
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', variables: { name: 'Kitty' }, cacheClusterEnabled: true, cacheClusterSize: '0.5' }));
  await client.send(new UpdateStageCommand({
    restApiId: api.id,
    stageName: 'prod',
    patchOperations: [
      { op: 'replace', path: '/*/*/caching/enabled', value: 'true' },
      { op: 'replace', path: '/~1mock-plain/GET/caching/enabled', value: 'false' },
      { op: 'replace', path: '/~1http-plain/GET/caching/enabled', value: 'false' },
      // Throttling is not what is measured: limits far above what the load reaches.
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '1000000' },
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '1000000' },
    ],
  }));
  client.destroy();
  const base = `${gh.url}/restapis/${api.id}/prod/_user_request_`;
  // Before measuring: the cached methods answer from the cache, the plain ones do not use it.
  const counts = () => gh.cache.counts({ accountId: gh.config.accountId, region: gh.config.region, restApiId: api.id, stageName: 'prod' });
  for (const path of [...PATHS, '/mock-cached', '/http-cached']) {
    const r = await fetch(base + path);
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${await r.text()}`);
  }
  if (counts().hits !== 2 || counts().misses !== 2) throw new Error(`unexpected cache counts ${JSON.stringify(counts())}`);
  return Object.fromEntries(PATHS.map((p) => [p, base + p])) as Urls;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const redis = await startPrivateRedis();
  const backend = await startBackendWorker();
  // No account-level limit (--account-rate 0): the load is far above AWS's default 10,000 a second.
  const config = (extra: Record<string, unknown>) => parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0, ...extra });
  const memory = await startGatehouse(config({}));
  const shared = await startGatehouse(config({ redis: redis.url }));
  try {
    const states: [string, Urls][] = [['in-process', await setUp(memory, backend.url)], ['Redis', await setUp(shared, backend.url)]];
    const variants: [string, string][] = states.flatMap(([state, urls]) => PATHS.map((p) => [`${state} ${p}`, urls[p]] as [string, string]));
    const results = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (const [, url] of variants) await wrk(url, 1); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of variants) results.get(name)!.push(await wrk(url, SECONDS));
    }
    const rps = (name: string) => median(results.get(name)!);
    console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} rounds (median)\n`);
    console.log('| shared state | method | uncached req/s | cache hit req/s | hit / uncached |');
    console.log('|---|---|---|---|---|');
    for (const [state] of states) {
      for (const kind of ['mock', 'http']) {
        const plain = rps(`${state} /${kind}-plain`);
        const hit = rps(`${state} /${kind}-cached`);
        console.log(`| ${state} | ${kind === 'mock' ? 'MOCK' : 'HTTP_PROXY'} | ${plain.toFixed(0)} | ${hit.toFixed(0)} | ${(hit / plain).toFixed(2)}x |`);
      }
    }
  } finally {
    await memory.close();
    await shared.close();
    await redis.destroy();
    await backend.worker.terminate();
  }
}

await main();
