// Execution-plane throughput and latency, each case beside its baseline in the same run:
//   (a) a MOCK method with a request template and a response template
//       vs a bare node:http server answering the same body;
//   (b) an HTTP method proxying to a local node:http back end
//       vs a bare undici Pool reverse proxy to the same back end.
// Also: start-up time to the first 200 of a deployed stage, and RSS after warm-up.
// Load: `wrk` when it is on PATH, else a node loop (undici Pool, 50 connections) in a child
// process; the back end runs in a worker thread.
// Run: npx tsx bench/execute.ts [seconds=5] [connections=50] [rounds=3]
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);
const BODY = JSON.stringify({ id: 1, name: 'Kitty', type: 'cat', price: 124.99 });

interface Result { rps: number; p50: number; p99: number; errors: number; requests: number }

function hasWrk(): boolean {
  return spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0;
}

// ---- load generators

const LOAD_PROCESS = `
const workerData = JSON.parse(process.env.BENCH_LOAD);
const { Pool } = require(workerData.undici);
(async () => {
  const { url, path, seconds, connections } = workerData;
  const pool = new Pool(url, { connections, pipelining: 1 });
  const lat = [];
  let errors = 0;
  let measuring = false;
  const warmupEnd = Date.now() + 1000;
  const end = warmupEnd + seconds * 1000;
  let started = 0;
  async function loop() {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      try {
        const res = await pool.request({ path, method: 'GET' });
        await res.body.dump();
        if (res.statusCode !== 200) errors++;
      } catch { errors++; }
      if (Date.now() >= warmupEnd) {
        if (!measuring) { measuring = true; started = Date.now(); }
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (Date.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  await pool.close();
  process.stdout.write(JSON.stringify({ rps: lat.length / elapsed, p50: q(0.5), p99: q(0.99), errors, requests: lat.length }));
  process.exit(0);
})();
`;

/** The node load loop runs in its own process so it never shares an event loop with the gateway. */
function nodeLoad(url: string, path: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, BENCH_LOAD: JSON.stringify({ url, path, seconds: SECONDS, connections: CONNECTIONS, undici: createRequire(import.meta.url).resolve('undici') }) };
    execFile(process.execPath, ['-e', LOAD_PROCESS], { env, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err !== null) reject(err);
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

// wrk runs asynchronously: the servers under test live in this process's event loop.
function wrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => (err === null ? resolve(stdout) : reject(err)));
  });
}

async function wrkLoad(url: string, path: string): Promise<Result> {
  await wrk(['-t2', `-c${CONNECTIONS}`, '-d1s', url + path]); // warm-up
  const out = await wrk(['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', url + path]);
  const ms = (s: string): number => {
    const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
    if (m === null) throw new Error(`cannot read wrk's latency '${s}' in:\n${out}`);
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as const)[m[2] as 'us' | 'ms' | 's' | 'm'];
  };
  // Anchored at the start of the line: the Thread Stats rows end in percentages too
  // ("... 75.50%"), which an unanchored /50%/ matched.
  const p50 = ms(/^\s*50%\s+(\S+)/m.exec(out)![1]!);
  const p99 = ms(/^\s*99%\s+(\S+)/m.exec(out)![1]!);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  const requests = Number(/(\d+) requests in/.exec(out)![1]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return { rps, p50, p99, errors: non2xx === null ? 0 : Number(non2xx[1]), requests };
}

const useWrk = hasWrk();
const load = (url: string, path: string): Promise<Result> => (useWrk ? wrkLoad(url, path) : nodeLoad(url, path));

// ---- servers

const BACKEND_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(workerData.body) });
    res.end(workerData.body);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

function startBackendWorker(): Promise<{ url: string; worker: Worker }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BACKEND_WORKER, { eval: true, workerData: { body: BODY } });
    worker.once('message', (port: number) => resolve({ url: `http://127.0.0.1:${port}`, worker }));
    worker.once('error', reject);
  });
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): void }> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function bareServer() {
  return listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
  });
}

function bareProxy(backend: string) {
  const pool = new Pool(backend, { connections: 256 });
  return listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pool.request({ path: req.url!, method: req.method as 'GET', headers: { accept: 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(
        async (up) => {
          const body = Buffer.from(await up.body.arrayBuffer());
          res.writeHead(up.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
          res.end(body);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
}

// ---- start-up and memory of Gatehouse as its own process, as users run it

async function ownProcess(): Promise<{ health: number; firstOk: number; rssMiB: number } | null> {
  const { existsSync, mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawn } = await import('node:child_process');
  if (!existsSync('dist/cli/index.js')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/gatehouse.js', 'serve', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c) => {
        out += c;
        const m = /serving (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`gatehouse exited ${code}`)));
    });
    const pool = new Pool(url, { connections: 8 });
    await (await pool.request({ path: '/_gatehouse/health', method: 'GET' })).body.text();
    const health = performance.now() - t0;
    const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0';
    const invoke = async (op: string, input: Record<string, unknown>) => {
      const routes: Record<string, [string, (i: any) => string]> = { // eslint-disable-line @typescript-eslint/no-explicit-any
        CreateRestApi: ['POST', () => '/restapis'],
        GetResources: ['GET', (i) => `/restapis/${i.restApiId}/resources`],
        CreateResource: ['POST', (i) => `/restapis/${i.restApiId}/resources/${i.parentId}`],
        PutMethod: ['PUT', (i) => `/restapis/${i.restApiId}/resources/${i.resourceId}/methods/${i.httpMethod}`],
        PutIntegration: ['PUT', (i) => `/restapis/${i.restApiId}/resources/${i.resourceId}/methods/${i.httpMethod}/integration`],
        PutMethodResponse: ['PUT', (i) => `/restapis/${i.restApiId}/resources/${i.resourceId}/methods/${i.httpMethod}/responses/${i.statusCode}`],
        PutIntegrationResponse: ['PUT', (i) => `/restapis/${i.restApiId}/resources/${i.resourceId}/methods/${i.httpMethod}/integration/responses/${i.statusCode}`],
        CreateDeployment: ['POST', (i) => `/restapis/${i.restApiId}/deployments`],
      };
      const [method, path] = routes[op]!;
      const body = { ...input, ...(op === 'PutIntegration' && input.integrationHttpMethod ? { httpMethod: input.integrationHttpMethod } : {}) };
      const res = await pool.request({ method: method as 'GET', path: path(input), headers: { authorization: AUTH, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : JSON.stringify(body) });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${op}: ${res.statusCode} ${text}`);
      const json = JSON.parse(text);
      return json.item !== undefined ? { ...json, items: json.item } : json;
    };
    const apiId = await buildApi(invoke, 'http://127.0.0.1:9');
    const path = `/restapis/${apiId}/bench/_user_request_/mock?petType=cat`;
    const first = await pool.request({ path, method: 'GET' });
    await first.body.text();
    const firstOk = performance.now() - t0;
    if (first.statusCode !== 200) throw new Error(`first request: ${first.statusCode}`);
    for (let i = 0; i < 20_000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => (await pool.request({ path, method: 'GET' })).body.text()));
    }
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    await pool.close();
    return { health, firstOk, rssMiB: rss };
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the API under test, built through the management operations

async function buildApi(invoke: (op: string, input: Record<string, unknown>) => Promise<any>, backend: string): Promise<string> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const api = await invoke('CreateRestApi', { name: 'bench' });
  const root = (await invoke('GetResources', { restApiId: api.id })).items.find((r: { path: string }) => r.path === '/').id;
  const method = async (pathPart: string, integration: Record<string, unknown>, responseTemplates?: Record<string, string>) => {
    const r = await invoke('CreateResource', { restApiId: api.id, parentId: root, pathPart });
    const base = { restApiId: api.id, resourceId: r.id, httpMethod: 'GET' };
    await invoke('PutMethod', { ...base, authorizationType: 'NONE' });
    await invoke('PutIntegration', { ...base, ...integration });
    await invoke('PutMethodResponse', { ...base, statusCode: '200' });
    await invoke('PutIntegrationResponse', { ...base, statusCode: '200', responseTemplates });
  };
  await method(
    'mock',
    { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    { 'application/json': '{"id": 1, "name": "Kitty", "type": "$input.params(\'petType\')", "price": 124.99}' },
  );
  await method('http', { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend}/pets/1` });
  await invoke('CreateDeployment', { restApiId: api.id, stageName: 'bench' });
  return api.id;
}

function row(name: string, r: Result, base?: Result): string {
  const ratio = base === undefined ? '' : `${((r.rps / base.rps) * 100).toFixed(0)}% of baseline`;
  return `${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  errors ${r.errors}  ${ratio}`;
}

async function main(): Promise<void> {
  const backend = await startBackendWorker();
  const t0 = performance.now();
  // No account-level limit: the load is far above AWS's default 10,000 requests a second.
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0 }));
  const listening = performance.now() - t0;
  const apiId = await buildApi((op, input) => gh.control.invoke(op as never, input), backend.url);
  const deployed = performance.now() - t0;
  const pool = new Pool(gh.url);
  const mockPath = `/restapis/${apiId}/bench/_user_request_/mock?petType=cat`;
  const first = await pool.request({ path: mockPath, method: 'GET' });
  const firstBody = await first.body.text();
  const firstOk = performance.now() - t0;
  if (first.statusCode !== 200) throw new Error(`first request: ${first.statusCode} ${firstBody}`);
  if (JSON.stringify(JSON.parse(firstBody)) !== BODY) throw new Error(`MOCK body differs from the baseline's: ${firstBody}`);
  await pool.close();

  const bare = await bareServer();
  const proxy = await bareProxy(backend.url);

  console.log(`execute-api benchmark — node ${process.version}, ${SECONDS}s per round after 1s warm-up, ${ROUNDS} alternating rounds (median shown), ${CONNECTIONS} connections, load: ${useWrk ? 'wrk' : 'node loop (undici Pool) in a child process; wrk not on PATH'}`);
  console.log(`start-up: listening ${listening.toFixed(0)} ms; API built and deployed ${deployed.toFixed(0)} ms; first 200 from the stage ${firstOk.toFixed(0)} ms`);
  // Baseline and subject alternate, ROUNDS times each, so drift in machine load hits both alike;
  // each line shows the median round.
  const pair = async (base: () => Promise<Result>, subject: () => Promise<Result>): Promise<[Result, Result]> => {
    const b: Result[] = [];
    const g: Result[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      b.push(await base());
      g.push(await subject());
    }
    const median = (rs: Result[]): Result => [...rs].sort((x, y) => x.rps - y.rps)[Math.floor(rs.length / 2)]!;
    return [median(b), median(g)];
  };
  const [bareA, mock] = await pair(() => load(bare.url, '/'), () => load(gh.url, mockPath));
  console.log(row('(a) baseline: bare node:http', bareA));
  console.log(row('(a) Gatehouse MOCK + request/response templates', mock, bareA));
  const [bareB, http] = await pair(() => load(proxy.url, '/pets/1'), () => load(gh.url, `/restapis/${apiId}/bench/_user_request_/http`));
  console.log(row('(b) baseline: bare undici Pool reverse proxy', bareB));
  console.log(row('(b) Gatehouse HTTP integration', http, bareB));
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
  console.log(`RSS after warm-up: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (gateway, baselines and the back end's worker thread share this process)`);
  const own = await ownProcess();
  if (own === null) console.log('own process: skipped (run `npm run build` first: it measures the compiled CLI, as users start it)');
  else console.log(`own process (bin/gatehouse.js serve, embedded SQLite): health 200 after ${own.health.toFixed(0)} ms, first 200 from a deployed MOCK stage after ${own.firstOk.toFixed(0)} ms; RSS after 20,000 requests: ${own.rssMiB.toFixed(0)} MiB`);

  bare.close();
  proxy.close();
  await gh.close();
  await backend.worker.terminate();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
