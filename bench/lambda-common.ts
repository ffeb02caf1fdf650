// What the Lambda benchmarks share: the baseline (the handler in-process behind a bare
// node:http server), deploying the same handler to Gatehouse's Lambda service, and a closed-loop
// POST load: CONNECTIONS callers, each sending the next of REQUESTS JSON bodies {name: 'bench', n}
// as soon as its previous answer is in, after a warm-up that starts every connection and worker.
// Also the AWS_PROXY handler and the bare worker loop of bench/hotpath.ts and bench/lambda-runtime.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { Agent, request } from 'undici';

/** An AWS_PROXY handler: reads {name, n} from the event's body, answers {hello: name, n: n * 2}. */
export const PROXY_HANDLER = `exports.handler = async (event) => {
  const input = JSON.parse(event.body);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: input.name, n: input.n * 2 }) };
};
`;

/**
 * The source of a bare function worker (run with `node -e`): it reads events from file descriptor
 * 3, one JSON line each, calls the handler exported by `handlerFile` and writes each result back
 * as a JSON line. The baselines' counterpart of Gatehouse's runtime, with none of its bookkeeping.
 */
export function bareWorkerLoop(handlerFile: string): string {
  return `
const handler = require(${JSON.stringify(handlerFile)}).handler;
const ch = new (require('node:net').Socket)({ fd: 3, readable: true, writable: true });
let buf = '';
ch.on('data', (c) => {
  buf += c;
  let nl;
  while ((nl = buf.indexOf('\\n')) !== -1) {
    const event = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    Promise.resolve(handler(event)).then((r) => ch.write(JSON.stringify(r) + '\\n'));
  }
});
`;
}

/** The handler source loaded in-process behind a bare node:http server (JSON in, JSON out). */
export async function startInProcessBaseline(handlerSource: string): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  writeFileSync(join(dir, 'index.cjs'), handlerSource);
  const mod = (await import(pathToFileURL(join(dir, 'index.cjs')).href)) as { default: { handler: (e: unknown) => Promise<unknown> } };
  const handler = mod.default.handler;
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const out = JSON.stringify(await handler(JSON.parse(Buffer.concat(chunks).toString())));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
    async close() {
      await new Promise<void>((r) => bare.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deploys the handler as function 'bench' through Gatehouse's Lambda API. */
export async function deployBenchFunction(gatehouseUrl: string, handlerSource: string): Promise<void> {
  const zip = Buffer.from(zipSync({ 'index.js': strToU8(handlerSource) }));
  const created = await fetch(`${gatehouseUrl}/2015-03-31/functions`, {
    method: 'POST',
    // The browser guard refuses fetch's default text/plain on the management planes (src/http/guard.ts).
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ FunctionName: 'bench', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/bench', Handler: 'index.handler', Code: { ZipFile: zip.toString('base64') } }),
  });
  if (created.status !== 201) throw new Error(await created.text());
}

export interface LoadResult {
  name: string;
  opsPerSec: number;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  requests: number;
  connections: number;
  headers?: Record<string, string>;
  /** Checks one answer's body; a load that gets a wrong answer fails. */
  expect: (text: string) => boolean;
}

export async function postLoad(name: string, url: string, o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ connections: o.connections, pipelining: 1 });
  const headers = o.headers ?? { 'content-type': 'application/json' };
  const latencies: number[] = [];
  let next = 0;
  async function one(i: number): Promise<void> {
    const body = JSON.stringify({ name: 'bench', n: i });
    const t0 = performance.now();
    const res = await request(url, { method: 'POST', body, headers, dispatcher: agent });
    const text = await res.body.text();
    latencies.push(performance.now() - t0);
    if (res.statusCode !== 200 || !o.expect(text)) throw new Error(`${name}: ${res.statusCode} ${text}`);
  }
  await Promise.all(Array.from({ length: o.connections * 20 }, (_, i) => one(i))); // warm-up
  latencies.length = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: o.connections }, async () => {
    while (next < o.requests) await one(next++);
  }));
  const seconds = (performance.now() - start) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, opsPerSec: o.requests / seconds, p50: at(0.5), p99: at(0.99) };
}
