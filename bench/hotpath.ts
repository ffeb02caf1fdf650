// The hot path against bare Node servers, each in a process of its own, measured by CPU time per
// request (/proc/PID/stat, bench/lib/cpu.ts) besides requests per second, in alternating rounds:
//   MOCK        a deployed MOCK method with a request and a response template
//               vs a bare node:http server answering the same body, and vs the same server
//               ending each event-loop turn's responses together as Gatehouse does
//   HTTP        an HTTP integration to a local back end vs a bare undici reverse proxy to it
//   HTTP_PROXY  the same back end through HTTP_PROXY vs the same bare proxy
//   AWS_PROXY   a Lambda function (POST, proxy event) vs a bare node:http server running the same
//               handler in worker processes of its own (BARE_LAMBDA); CPU of each with its workers
// The goals of #19: MOCK at or above 0.65x the bare server's requests/s and at most 1.5x its CPU
// per request; HTTP at or above 1.0x the bare proxy; HTTP_PROXY and AWS_PROXY at or above 0.9x.
// Gatehouse runs as users run it (`node bin/gatehouse.js serve`, built by `npm ci`, a file store
// in a temporary folder, no account limit). The back end runs in its own process too.
// Where taskset and 2+ cores are there, the MOCK and health rounds run each server alone on the
// last core and wrk on the others, which keeps CPU per request steady under other load
// (bench/lib/cpu.ts, pinning()); BENCH_PIN=0 turns that off.
// Run: npx tsx bench/hotpath.ts [seconds=4] [connections=50] [rounds=3]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';
import { bareWorkerLoop, deployBenchFunction, PROXY_HANDLER } from './lambda-common.ts';
import { alternate, GcTrace, measure, pin, pinning, type Pair } from './lib/cpu.ts';

const SECONDS = Number(process.argv[2] ?? 4);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 3);
const BODY = JSON.stringify({ id: 1, name: 'Kitty', type: 'cat', price: 124.99 });

const BARE_SERVER = `
const body = ${JSON.stringify(BODY)};
const s = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

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
const LAMBDA_BODY = JSON.stringify({ name: 'bench', n: 21 });

// The fair baseline of a Lambda proxy integration: a bare node:http server handing each request's
// event to one of LAMBDA_WORKERS node processes over a pipe (a JSON line each way), as Gatehouse
// runs functions out of its own process (the sandbox that bounds their time, memory and reach),
// with none of Lambda's logs, limits or event fields.
const BARE_LAMBDA = (handlerFile: string) => `
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
const s = require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const event = { httpMethod: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
    const w = idle.pop();
    if (w !== undefined) run(w, event, res); else queue.push([event, res]);
  });
});
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));
`;

interface Proc { readonly url: string; readonly pid: number; readonly child: ChildProcess; readonly gc: GcTrace }

// Every server runs with --trace-gc: its collections, printed on its stdout, give the bytes it
// allocates per request (bench/lib/cpu.ts, GcTrace), a figure the machine's load does not move.
// V8 prints them through C's stdio, which holds a pipe's output in 4 KB blocks: stdbuf (coreutils),
// where there is one, makes it write each line at once, so each round counts its own collections.
const STDBUF = (() => {
  try {
    execFileSync('stdbuf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function start(args: string[], pattern: RegExp, toUrl: (m: RegExpExecArray) => string): Promise<Proc> {
  const argv = ['--trace-gc', ...args];
  // stdbuf execs node in its own process: the pid measured is node's.
  const child = STDBUF ? spawn('stdbuf', ['-oL', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const gc = new GcTrace();
  child.stdout!.on('data', (c: Buffer) => gc.feed(c));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c;
      const m = pattern.exec(out);
      if (m === null) return;
      child.stdout!.off('data', onData);
      resolve({ url: toUrl(m), pid: child.pid!, child, gc });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

const node = (script: string) => start(['-e', script], /listening (\d+)/, (m) => `http://127.0.0.1:${m[1]}`);

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
    const gh = await start(['bin/gatehouse.js', 'serve', '--port', '0', '--data-dir', dir, '--account-rate', '0'], /serving (http:\/\/\S+)/, (m) => m[1]!);
    procs.push(gh);

    const client = apiGatewayClient(gh.url);
    const id = (await client.send(new CreateRestApiCommand({ name: 'hotpath' }))).id!;
    await putMethod(client, id, await resourcePath(client, id, '/mock'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "Kitty", "type": "$input.params(\'petType\')", "price": 124.99}' } }],
    });
    await putMethod(client, id, await resourcePath(client, id, '/http'), {
      httpMethod: 'GET', integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend.url}/pets/1` }, responses: [{ statusCode: '200' }],
    });
    await putMethod(client, id, await resourcePath(client, id, '/proxy'), {
      httpMethod: 'GET', integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/pets/1` },
    });
    await deployBenchFunction(gh.url, PROXY_HANDLER);
    await putMethod(client, id, await resourcePath(client, id, '/lambda'), {
      httpMethod: 'POST',
      integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench/invocations' },
    });
    await deploy(client, id, 'bench');
    client.destroy();
    const stage = `${gh.url}/restapis/${id}/bench/_user_request_`;
    const mock = await fetch(`${stage}/mock?petType=cat`);
    const mockBody = await mock.text();
    if (mock.status !== 200 || JSON.stringify(JSON.parse(mockBody)) !== BODY) throw new Error(`MOCK answered ${mock.status} ${mockBody}`);
    for (const url of [`${stage}/lambda`, `${bareLambda.url}/lambda`]) {
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LAMBDA_BODY });
      const text = await answer.text();
      if (answer.status !== 200 || text !== '{"hello":"bench","n":42}') throw new Error(`${url} answered ${answer.status} ${text}`);
    }

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
    console.log(`\nload average at the end: ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(handlerDir, { recursive: true, force: true });
  }
}

await main();
