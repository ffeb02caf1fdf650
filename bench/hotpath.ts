// The hot path against bare Node servers, each in a process of its own, measured by CPU time per
// request (/proc/PID/stat, bench/lib/cpu.ts) besides requests per second, in alternating rounds:
//   MOCK        a deployed MOCK method with a request and a response template
//               vs a bare node:http server answering the same body, and vs the same server
//               ending each event-loop turn's responses together as Gatehouse does
//   HTTP        an HTTP integration to a local back end vs a bare undici reverse proxy to it
//   HTTP_PROXY  the same back end through HTTP_PROXY vs the same bare proxy
//   AWS_PROXY   a Lambda function (POST, proxy event) vs a bare node:http server running the same
//               handler in worker processes of its own (BARE_LAMBDA); CPU of each with its workers;
//               and vs the same server sending the event in API Gateway's format (what the format
//               costs, apart from the gateway)
// The goals of #19: MOCK at or above 0.65x the bare server's requests/s and at most 1.5x its CPU
// per request; HTTP at or above 1.0x the bare proxy; HTTP_PROXY and AWS_PROXY at or above 0.9x.
// Gatehouse runs as users run it (`node bin/gatehouse.js serve`, built by `npm ci`, a file store
// in a temporary folder, no account limit). The back end runs in its own process too.
// Where taskset and 2+ cores are there, the MOCK and health rounds run each server alone on the
// last core and wrk on the others, which keeps CPU per request steady under other load
// (bench/lib/cpu.ts, pinning()); BENCH_PIN=0 turns that off.
// Run: npx tsx bench/hotpath.ts [seconds=4] [connections=50] [rounds=3]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bareWorkerLoop, PROXY_HANDLER } from './lambda-common.ts';
import { alternate, measure, pin, pinning, type Pair } from './lib/cpu.ts';
import { BARE_SERVER, BODY, deployHotpathApi, expectLambdaAnswer, LAMBDA_BODY, startGatehouse, startNode as node, type Proc } from './lib/hotpath-api.ts';

const SECONDS = Number(process.argv[2] ?? 4);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);

// The same server ending each event-loop turn's responses together (the first at once, the others
// from setImmediate), as Gatehouse's execution plane does (src/http/end-batch.ts): a second
// baseline, so the ratios show how much of Gatehouse's lead is that technique, not its pipeline.
const BARE_BATCHED = `
const body = ${JSON.stringify(BODY)};
let queue = [];
let turn = false;
const endAll = () => { turn = false; const q = queue; queue = []; for (const res of q) res.end(body); };
const s = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    if (turn) queue.push(res);
    else { turn = true; setImmediate(endAll); res.end(body); }
  });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

const BARE_PROXY = (backend: string, undici: string) => `
const { Pool } = require(${JSON.stringify(undici)});
const pool = new Pool(${JSON.stringify(backend)}, { connections: 256 });
const s = require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    pool.request({ path: req.url, method: req.method, headers: { accept: 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(async (up) => {
      const b = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, { 'content-type': 'application/json', 'content-length': b.length });
      res.end(b);
    }, () => { res.writeHead(502); res.end(); });
  });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

// AWS_PROXY: a function answering the proxy event, run by Gatehouse in its function workers and by
// the baseline below in as many worker processes of its own.
const LAMBDA_WORKERS = 10; // Gatehouse's default concurrency per function (--lambda-concurrency)

// The bare Lambda servers' events (source text): the four fields a handler of the plain baseline
// reads, or API Gateway's proxy event with the same fields and headers as Gatehouse's.
const SIMPLE_EVENT = `const toEvent = (req, body) => ({ httpMethod: req.method, path: req.url, headers: req.headers, body });`;
const AWS_EVENT = `
const { randomUUID } = require('node:crypto');
let n = 0;
const toEvent = (req, body) => {
  const now = Date.now();
  const port = String(req.socket.localPort);
  const headers = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
  headers['X-Amzn-Trace-Id'] = 'Root=1-' + Math.floor(now / 1000).toString(16) + '-' + randomUUID().replaceAll('-', '').slice(0, 24);
  headers['X-Forwarded-For'] = req.socket.remoteAddress;
  headers['X-Forwarded-Port'] = port;
  headers['X-Forwarded-Proto'] = 'http';
  const multiValueHeaders = {};
  for (const k in headers) multiValueHeaders[k] = [headers[k]];
  return {
    resource: '/lambda', path: req.url, httpMethod: req.method, headers, multiValueHeaders,
    queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, stageVariables: null,
    requestContext: {
      accountId: '000000000000', apiId: 'bare000000', domainName: '127.0.0.1', domainPrefix: '127',
      extendedRequestId: 'bare' + String(++n).padStart(12, '0'), httpMethod: req.method,
      identity: { accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: req.socket.remoteAddress, user: null, userAgent: req.headers['user-agent'] ?? null, userArn: null },
      path: '/bench' + req.url, protocol: 'HTTP/1.1', requestId: randomUUID(), requestTime: new Date(now).toUTCString(), requestTimeEpoch: now,
      resourceId: 'bare000000', resourcePath: '/lambda', stage: 'bench',
    },
    body, isBase64Encoded: false,
  };
};
`;

// The fair baseline of a Lambda proxy integration: a bare node:http server handing each request's
// event to one of LAMBDA_WORKERS node processes over a pipe (a JSON line each way), as Gatehouse
// runs functions out of its own process (the sandbox that bounds their time, memory and reach),
// with none of Lambda's logs, limits or event fields. With `awsEvent`, the event is API Gateway's
// proxy event (format 1.0: the same fields and headers as Gatehouse's, built with no checks and no
// lookups): a second baseline, which shows what the event's format costs apart from the gateway.
const BARE_LAMBDA = (handlerFile: string, awsEvent = false) => `
const { spawn } = require('node:child_process');
const WORKER = ${JSON.stringify(bareWorkerLoop(handlerFile))};
const idle = [];
const queue = [];
const run = (w, event, res) => { w.res = res; w.ch.write(JSON.stringify(event) + '\\n'); };
for (let i = 0; i < ${LAMBDA_WORKERS}; i++) {
  const child = spawn(process.execPath, ['-e', WORKER], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  const w = { ch: child.stdio[3], buf: '', res: null };
  w.ch.on('data', (d) => {
    w.buf += d;
    let nl;
    while ((nl = w.buf.indexOf('\\n')) !== -1) {
      const r = JSON.parse(w.buf.slice(0, nl));
      w.buf = w.buf.slice(nl + 1);
      const res = w.res;
      const next = queue.shift();
      if (next !== undefined) run(w, next[0], next[1]); else idle.push(w);
      res.writeHead(r.statusCode, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
      res.end(r.body);
    }
  });
  idle.push(w);
}
${awsEvent ? AWS_EVENT : SIMPLE_EVENT}
const s = require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const event = toEvent(req, Buffer.concat(chunks).toString());
    const w = idle.pop();
    if (w !== undefined) run(w, event, res); else queue.push([event, res]);
  });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

function row(name: string, p: Pair): string {
  const alloc = p.alloc === undefined ? '| | |' : `| ${(p.alloc.baseline / 1024).toFixed(1)} | ${(p.alloc.subject / 1024).toFixed(1)} |`;
  return `| ${name} | ${p.baseline.rps.toFixed(0)} | ${p.subject.rps.toFixed(0)} | ${p.rpsRatio.toFixed(2)}x | ${p.baseline.cpu.toFixed(1)} | ${p.subject.cpu.toFixed(1)} | ${p.cpuRatio.toFixed(2)}x ${alloc}`;
}

async function main(): Promise<void> {
  if (!existsSync('dist/cli/index.js')) throw new Error('build first (npm ci or npm run build): the bench runs bin/gatehouse.js');
  const dir = mkdtempSync(join(tmpdir(), 'gh-hotpath-'));
  const handlerDir = mkdtempSync(join(tmpdir(), 'gh-hotpath-fn-'));
  const procs: Proc[] = [];
  try {
    const backend = await node(BARE_SERVER);
    procs.push(backend);
    const bare = await node(BARE_SERVER);
    procs.push(bare);
    const batched = await node(BARE_BATCHED);
    procs.push(batched);
    const proxy = await node(BARE_PROXY(backend.url, createRequire(import.meta.url).resolve('undici')));
    procs.push(proxy);
    writeFileSync(join(handlerDir, 'index.cjs'), PROXY_HANDLER);
    const bareLambda = await node(BARE_LAMBDA(join(handlerDir, 'index.cjs')));
    procs.push(bareLambda);
    const bareLambdaAws = await node(BARE_LAMBDA(join(handlerDir, 'index.cjs'), true));
    procs.push(bareLambdaAws);
    const gh = await startGatehouse('.', dir);
    procs.push(gh);
    const stage = await deployHotpathApi(gh.url, backend.url);
    await expectLambdaAnswer(`${bareLambda.url}/lambda`);
    await expectLambdaAnswer(`${bareLambdaAws.url}/lambda`);

    // MOCK and health: the measured servers on the last core, wrk on the others (bench/lib/cpu.ts).
    // The proxy cases run unpinned: on 2 cores the back end would share wrk's core and slow down,
    // and a proxy waiting on a slow back end spends more CPU per request (measured: the bare
    // proxy's doubled from one case to the next).
    const cores = pinning();
    const all = `0-${cpus().length - 1}`;
    const pinned = (on: boolean): void => {
      if (cores !== null) for (const p of [bare, batched, gh]) pin(p.pid, on ? cores.server : all);
    };
    const load = { seconds: SECONDS, connections: CONNECTIONS };
    const pinnedLoad = cores === null ? load : { ...load, wrkCpus: cores.others };
    console.log(`hot path — node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} at start; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s rounds, ${ROUNDS} alternating rounds after a warm-up (medians); CPU = user + system time of the server process per request; ${cores === null ? 'unpinned' : `MOCK and health: servers pinned to core ${cores.server}, wrk to ${cores.others} (BENCH_PIN=0: unpinned); HTTP cases unpinned`}\n`);
    console.log('| case | baseline req/s | Gatehouse req/s | req/s ratio | baseline CPU µs/req | Gatehouse CPU µs/req | CPU ratio | baseline heap KB/req | Gatehouse heap KB/req |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    // CASES=mock (or http, proxy, comma-separated) runs only those cases: for measuring one change.
    // `floor` (not in the default set): GET /_gatehouse/health, a request that no stage serves, against the same
    // bare server: what Gatehouse's server costs before any API does (its front door; health is not logged).
    const cases = new Set((process.env.CASES ?? 'mock,http,proxy,lambda').split(','));
    pinned(true);
    if (cases.has('floor')) console.log(row('health (no API) vs bare node:http', await alternate(() => measure(`${bare.url}/`, bare.pid, pinnedLoad, bare.gc), () => measure(`${gh.url}/_gatehouse/health`, gh.pid, pinnedLoad, gh.gc), ROUNDS)));
    if (cases.has('mock')) console.log(row('MOCK + templates vs bare node:http', await alternate(() => measure(`${bare.url}/`, bare.pid, pinnedLoad, bare.gc), () => measure(`${stage}/mock?petType=cat`, gh.pid, pinnedLoad, gh.gc), ROUNDS)));
    if (cases.has('mock')) console.log(row('MOCK + templates vs bare node:http, responses ended per turn', await alternate(() => measure(`${batched.url}/`, batched.pid, pinnedLoad, batched.gc), () => measure(`${stage}/mock?petType=cat`, gh.pid, pinnedLoad, gh.gc), ROUNDS)));
    pinned(false);
    if (cases.has('http')) console.log(row('HTTP vs bare undici proxy', await alternate(() => measure(`${proxy.url}/pets/1`, proxy.pid, load, proxy.gc), () => measure(`${stage}/http`, gh.pid, load, gh.gc), ROUNDS)));
    if (cases.has('proxy')) console.log(row('HTTP_PROXY vs bare undici proxy', await alternate(() => measure(`${proxy.url}/pets/1`, proxy.pid, load, proxy.gc), () => measure(`${stage}/proxy`, gh.pid, load, gh.gc), ROUNDS)));
    // AWS_PROXY: CPU of each server with its function workers; the heap figures are the servers' own.
    const lambdaLoad = { ...load, postJson: LAMBDA_BODY, tree: true };
    // Three warm-up rounds: each of the ten function workers sees a tenth of the load, and after one
    // round Gatehouse's were still being optimised (its first measured round was always its worst).
    if (cases.has('lambda')) console.log(row(`AWS_PROXY (Lambda) vs bare node:http with ${LAMBDA_WORKERS} worker processes`, await alternate(() => measure(`${bareLambda.url}/lambda`, bareLambda.pid, lambdaLoad, bareLambda.gc), () => measure(`${stage}/lambda`, gh.pid, lambdaLoad, gh.gc), ROUNDS, 3)));
    if (cases.has('lambda')) console.log(row(`AWS_PROXY (Lambda) vs the same, the event in API Gateway's format`, await alternate(() => measure(`${bareLambdaAws.url}/lambda`, bareLambdaAws.pid, lambdaLoad, bareLambdaAws.gc), () => measure(`${stage}/lambda`, gh.pid, lambdaLoad, gh.gc), ROUNDS, 3)));
    // The bound of the first AWS_PROXY row: the bare server that builds API Gateway's event and
    // does nothing else, in Gatehouse's column (what a gateway costing nothing of its own would score).
    if (cases.has('lambda')) console.log(row(`bare node:http sending API Gateway's event (in Gatehouse's columns) vs bare node:http`, await alternate(() => measure(`${bareLambda.url}/lambda`, bareLambda.pid, lambdaLoad, bareLambda.gc), () => measure(`${bareLambdaAws.url}/lambda`, bareLambdaAws.pid, lambdaLoad, bareLambdaAws.gc), ROUNDS, 3)));
    console.log(`\nload average at the end: ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(handlerDir, { recursive: true, force: true });
  }
}

await main();
