// Binary passthrough of a 1 MB body: requests/s and CPU time per request of Gatehouse against a
// bare undici reverse proxy to the same back end, in one run, alternating the two (A B A B A B)
// and reporting the medians and their ratios.
//   HTTP_PROXY  GET of a 1 MB application/octet-stream object (one of the API's binary media types)
//   HTTP        the same through a non-proxy HTTP integration, contentHandling unset, Accept binary
//   upload      POST of a 1 MB body through HTTP_PROXY to a back end that answers 204
// The back end runs in a worker thread; the gateway and the bare proxy in this process (each
// measured alone, by process.cpuUsage around its rounds); wrk drives the load (a Lua script posts
// the body). Run: npx tsx bench/binary.ts [seconds=5] [connections=10] [rounds=3]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { startGatehouse } from '../src/server.ts';
import { deploy, putMethod, resourcePath } from '../test/execute/helpers.ts';
import { apiGatewayClient } from '../test/helpers/server.ts';

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const ROUNDS = Number(process.argv[4] ?? 3);
const SIZE = 1024 * 1024;

const BACKEND = `
const { createServer } = require('node:http');
const { randomBytes } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const blob = randomBytes(${SIZE});
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST') { res.writeHead(204); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(blob);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

interface Run { rps: number; cpuUsPerRequest: number }

function wrk(url: string, script: string | null): Promise<Run> {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-H', 'Accept: application/octet-stream', ...(script === null ? [] : ['-s', script]), url];
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8' }, (err, out) => {
      const used = process.cpuUsage(cpu);
      if (err !== null) return reject(err);
      const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (bad !== null) return reject(new Error(`wrk saw ${bad[1]} failed responses on ${url}:\n${out}`));
      const total = Number(/(\d+) requests in/.exec(out)![1]);
      resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), cpuUsPerRequest: (used.user + used.system) / total });
    });
  });
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): void }> {
  const server = createServer(handler);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })));
}

/** A bare reverse proxy: the request's body to the back end, the back end's body and type back. */
function bareProxy(backend: string) {
  const pool = new Pool(backend, { connections: 64 });
  return listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pool.request({ path: req.url!, method: req.method as 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' }, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(
        async (up) => {
          const body = Buffer.from(await up.body.arrayBuffer());
          const headers: Record<string, string | number> = { 'content-length': body.length };
          const type = up.headers['content-type'];
          if (typeof type === 'string') headers['content-type'] = type;
          res.writeHead(up.statusCode, headers);
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const worker = new Worker(BACKEND, { eval: true });
  const backendPort = await new Promise<number>((r) => worker.once('message', r));
  const backend = `http://127.0.0.1:${backendPort}`;
  const gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', accountRate: 0 }));
  const client = apiGatewayClient(gh.url);
  const api = await client.send(new CreateRestApiCommand({ name: 'bench-binary', binaryMediaTypes: ['application/octet-stream'] }));
  const id = api.id!;
  await putMethod(client, id, await resourcePath(client, id, '/proxy/{p+}'), {
    httpMethod: 'ANY', integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backend}/{p}`, requestParameters: { 'integration.request.path.p': 'method.request.path.p' } },
    requestParameters: { 'method.request.path.p': true },
  });
  await putMethod(client, id, await resourcePath(client, id, '/http'), {
    httpMethod: 'GET', integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend}/blob` },
    responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' } }],
  });
  await deploy(client, id, 'bench');
  client.destroy();
  const proxy = await bareProxy(backend);
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-binary-'));
  const bodyFile = join(dir, 'body.bin');
  writeFileSync(bodyFile, randomBytes(SIZE));
  const script = join(dir, 'post.lua');
  writeFileSync(script, `local f = io.open("${bodyFile}", "rb")\nwrk.method = "POST"\nwrk.body = f:read("*all")\nf:close()\nwrk.headers["Content-Type"] = "application/octet-stream"\n`);
  const stage = `${gh.url}/restapis/${id}/bench/_user_request_`;
  const cases = [
    { name: 'HTTP_PROXY GET 1 MB', gatehouse: `${stage}/proxy/blob`, bare: `${proxy.url}/blob`, script: null },
    { name: 'HTTP GET 1 MB', gatehouse: `${stage}/http`, bare: `${proxy.url}/blob`, script: null },
    { name: 'HTTP_PROXY POST 1 MB', gatehouse: `${stage}/proxy/upload`, bare: `${proxy.url}/upload`, script },
  ];
  try {
    for (const c of cases) {
      const check = await fetch(c.gatehouse, { headers: { accept: 'application/octet-stream' } });
      const bytes = Buffer.from(await check.arrayBuffer());
      if (check.status !== 200 || bytes.length !== SIZE) throw new Error(`${c.name}: ${check.status}, ${bytes.length} bytes`);
      if (c.script !== null) break;
    }
    console.log(`binary passthrough, ${SIZE} bytes — node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; wrk -t2 -c${CONNECTIONS}, ${SECONDS} s x ${ROUNDS} alternating rounds (median)\n`);
    console.log('| case | bare req/s | Gatehouse req/s | ratio | bare CPU µs/req | Gatehouse CPU µs/req | CPU ratio |');
    console.log('|---|---|---|---|---|---|---|');
    for (const c of cases) {
      const bare: Run[] = [];
      const ours: Run[] = [];
      await wrk(c.bare, c.script);
      await wrk(c.gatehouse, c.script);
      for (let i = 0; i < ROUNDS; i++) {
        bare.push(await wrk(c.bare, c.script));
        ours.push(await wrk(c.gatehouse, c.script));
      }
      const b = { rps: median(bare.map((r) => r.rps)), cpu: median(bare.map((r) => r.cpuUsPerRequest)) };
      const g = { rps: median(ours.map((r) => r.rps)), cpu: median(ours.map((r) => r.cpuUsPerRequest)) };
      console.log(`| ${c.name} | ${b.rps.toFixed(0)} | ${g.rps.toFixed(0)} | ${(g.rps / b.rps).toFixed(2)}x | ${b.cpu.toFixed(0)} | ${g.cpu.toFixed(0)} | ${(g.cpu / b.cpu).toFixed(2)}x |`);
    }
  } finally {
    proxy.close();
    await gh.close();
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
