// Shared set-up for the Lambda tests: a Lambda service behind a real HTTP server on an
// ephemeral port, and helpers to zip code and call the wire API.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8, zipSync } from 'fflate';
import { parseConfig, type GatehouseConfig } from '../../src/config.ts';
import { createLambdaService, type LambdaService } from '../../src/lambda/index.ts';
import { openSqliteStore, type Store } from '../../src/store/index.ts';
import type { ChangeFeed } from '../../src/feed/index.ts';

export const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
export const PARTITION = '000000000000/us-east-1';

export function zip(files: Record<string, string>): Buffer {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  return Buffer.from(zipSync(entries));
}

export interface TestLambda {
  readonly lambda: LambdaService;
  readonly store: Store;
  readonly url: string;
  readonly server: Server;
  /** CreateFunction through the wire API; returns the FunctionConfiguration. */
  create(name: string, files: Record<string, string>, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Invoke through the wire API. */
  invoke(name: string, payload: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: string; json: any }>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: string; json: any }>;
  close(): Promise<void>;
}

/** `store`: one of several opened on the same database (closed with the rest); a new in-memory one by default.
 *  `feed`: the store's change feed, which lets invocations keep function records (none by default). */
export async function startLambda(overrides: Partial<GatehouseConfig> = {}, idleTimeoutMs?: number, store: Store = openSqliteStore(':memory:'), feed?: ChangeFeed): Promise<TestLambda> {
  const config = parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', ...overrides });
  const lambda = createLambdaService({ store, config, ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }), ...(feed === undefined ? {} : { feed }) });
  const server = createServer((req, res) => lambda.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body as string : JSON.stringify(body);
    const res = await fetch(url + path, init);
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, body: text, json: json as any };
  }

  return {
    lambda,
    store,
    url,
    server,
    call,
    async create(name, files, extra = {}) {
      const r = await call('POST', '/2015-03-31/functions', {
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: zip(files).toString('base64') },
        ...extra,
      });
      if (r.status !== 201) throw new Error(`CreateFunction ${name}: ${r.status} ${r.body}`);
      return r.json;
    },
    invoke(name, payload, headers = {}) {
      return call('POST', `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, typeof payload === 'string' ? payload : JSON.stringify(payload), headers);
    },
    async close() {
      await lambda.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** Polls until `check` holds (never a timing assertion: it fails only after a generous limit). */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An HTTP endpoint that holds every request until released: invocations block on it. */
export class Barrier {
  readonly held: ServerResponse[] = [];
  server!: Server;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => { req.resume(); this.held.push(res); });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  release(): void {
    for (const res of this.held.splice(0)) res.end('ok');
  }
  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A handler that waits on a Barrier when the event names one, then answers its pid. */
export const BLOCKING = 'exports.handler = async (e) => { if (e.barrier) await (await fetch(e.barrier)).text(); return process.pid; };';

/**
 * A function that writes `message` (JavaScript source of a string expression; the event is `e`)
 * on the runtime's own channel, file descriptor 3, then waits: a forgery the gateway must stop.
 */
export function channelForger(message: string): string {
  return `const fs = require('node:fs');
exports.handler = async (e) => {
  fs.writeSync(3, ${message});
  await new Promise((r) => setTimeout(r, 60000));
};`;
}
