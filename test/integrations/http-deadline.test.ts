// The HTTP integration on its own, against real back ends on ephemeral ports: timeoutInMillis is
// a deadline for the whole call (waiting for a slot, connecting, TLS, headers, body), and one
// integration's hanging calls do not hold up another's. Every check is an ordering of events
// (answered while something else is still pending), never a measured duration.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../src/execute/errors.ts';
import { createHttpIntegration, type HttpIntegration } from '../../src/integrations/http.ts';
import type { EndpointResponse, IntegrationCall, IntegrationRequest } from '../../src/integrations/index.ts';

/** Stands for one compiled integration: the HTTP integration keys its slots by this object. */
const integrationKey = (): IntegrationCall => ({ method: { integration: {} } }) as unknown as IntegrationCall;

const get = (uri: string, timeoutMs: number): IntegrationRequest => ({ httpMethod: 'GET', uri, headers: {}, body: Buffer.alloc(0), timeoutMs });

/** Settles with the outcome, never rejects: the tests look at which error it was. */
async function outcome(p: Promise<EndpointResponse>): Promise<EndpointResponse | GatewayError> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
}

function settledFlag(p: Promise<unknown>): { settled: boolean } {
  const flag = { settled: false };
  p.then(() => (flag.settled = true), () => (flag.settled = true));
  return flag;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

// One back end for every test: /hang holds its answer until released, /trickle sends its body a
// byte at a time for much longer than any deadline here, /ok answers at once.
const hanging: ServerResponse[] = [];
let arrivedHang = 0;
const hangArrivals = new Set<(n: number) => void>();
let trickleEnded = false;
let trickleClosed: Promise<unknown> = Promise.resolve();
const backend = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/hang') {
    hanging.push(res);
    arrivedHang++;
    for (const f of hangArrivals) f(arrivedHang);
    return;
  }
  if (req.url === '/trickle') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    trickleClosed = once(res, 'close');
    let n = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      if (++n < 600) res.write('x');
      else {
        clearInterval(tick);
        trickleEnded = true;
        res.end('x');
      }
    }, 50);
    return;
  }
  if (req.url === '/999') {
    res.writeHead(999, { 'content-type': 'text/plain' });
    return void res.end('odd');
  }
  if (req.url === '/cookies') {
    res.setHeader('Set-Cookie', ['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
    res.setHeader('x-single', 'one');
    return void res.end('{}');
  }
  if (req.url === '/odd-names') {
    res.writeHead(200, ['__proto__', 'p', 'constructor', 'c', 'X-Mixed-Case', 'm', 'x-mixed-case', 'n']);
    return void res.end('{}');
  }
  res.end('ok');
});
let base = '';
const silentSockets: Socket[] = [];
// Accepts connections and never says a word: a TLS handshake with it can only time out.
const silent = createTcpServer((s) => silentSockets.push(s));
let silentPort = 0;

function waitForHangs(n: number): Promise<void> {
  if (arrivedHang >= n) return Promise.resolve();
  return new Promise((resolve) => {
    const f = (count: number): void => {
      if (count < n) return;
      hangArrivals.delete(f);
      resolve();
    };
    hangArrivals.add(f);
  });
}

function releaseHangs(): void {
  for (const res of hanging.splice(0)) if (!res.destroyed) res.end('released');
}

let http: HttpIntegration;

before(async () => {
  base = `http://127.0.0.1:${await listen(backend as unknown as Server)}`;
  silentPort = await listen(silent);
  http = createHttpIntegration({ callsPerIntegration: 2 });
});

after(async () => {
  releaseHangs();
  await http.close();
  for (const s of silentSockets) s.destroy();
  silent.close();
  backend.closeAllConnections();
  backend.close();
});

describe('timeoutInMillis is a deadline for the whole call', () => {
  test('a call waiting for a slot behind hanging calls answers 504 at its deadline, while they still hang', { timeout: 60_000 }, async () => {
    const key = integrationKey();
    const already = arrivedHang;
    const hangs = [http.invoke(get(`${base}/hang`, 29_000), key), http.invoke(get(`${base}/hang`, 29_000), key)];
    const flags = hangs.map(settledFlag);
    await waitForHangs(already + 2);
    // Both slots are held; this one waits, and its deadline runs while it waits.
    const queued = await outcome(http.invoke(get(`${base}/hang`, 300), key));
    assert.ok(queued instanceof GatewayError, 'answered with a gateway error');
    assert.equal(queued.status, 504);
    assert.equal(queued.message, 'Endpoint request timed out');
    assert.deepEqual(flags.map((f) => f.settled), [false, false], 'the calls ahead of it are still hanging');
    assert.equal(arrivedHang, already + 2, 'the call that timed out while waiting was never sent');
    releaseHangs();
    for (const r of await Promise.all(hangs.map(outcome))) assert.equal((r as EndpointResponse).statusCode, 200);
  });

  test("one integration's hanging calls do not hold up another integration on the same back end", { timeout: 60_000 }, async () => {
    const stuck = integrationKey();
    const already = arrivedHang;
    // More hanging calls than the integration's slots: two reach the back end, the rest wait.
    const hangs = Array.from({ length: 5 }, () => http.invoke(get(`${base}/hang`, 29_000), stuck));
    const flags = hangs.map(settledFlag);
    await waitForHangs(already + 2);
    const ok = await outcome(http.invoke(get(`${base}/ok`, 29_000), integrationKey()));
    assert.equal((ok as EndpointResponse).statusCode, 200);
    assert.equal(flags.filter((f) => f.settled).length, 0, 'answered while all the hanging calls were pending');
    releaseHangs();
    // The waiting ones go out as slots free up; release them as they arrive.
    const drain = setInterval(releaseHangs, 20);
    try {
      for (const r of await Promise.all(hangs.map(outcome))) assert.equal((r as EndpointResponse).statusCode, 200);
    } finally {
      clearInterval(drain);
    }
  });

  test('a body trickling in past the deadline answers 504 before the trickle ends, and the call is cut', { timeout: 60_000 }, async () => {
    const r = await outcome(http.invoke(get(`${base}/trickle`, 400), integrationKey()));
    assert.ok(r instanceof GatewayError);
    assert.equal(r.status, 504);
    assert.equal(r.message, 'Endpoint request timed out');
    assert.equal(trickleEnded, false, 'answered while the back end was still sending');
    await trickleClosed; // the gateway closed the connection instead of reading on
    assert.equal(trickleEnded, false);
  });

  test('https:// to a plain-HTTP port is a configuration error (500)', { timeout: 60_000 }, async () => {
    const r = await outcome(http.invoke(get(`${base.replace('http:', 'https:')}/ok`, 29_000), integrationKey()));
    assert.ok(r instanceof GatewayError);
    assert.equal(r.status, 500);
    assert.equal(r.message, 'Internal server error');
    assert.match(r.logMessage, /^Execution failed due to configuration error: /);
  });

  test('a TLS handshake that never completes answers 504 at the deadline, not at the connect timeout', { timeout: 60_000 }, async () => {
    const already = silentSockets.length;
    const r = await outcome(http.invoke(get(`https://127.0.0.1:${silentPort}/x`, 300), integrationKey()));
    assert.ok(r instanceof GatewayError);
    assert.equal(r.status, 504);
    assert.equal(silentSockets.length, already + 1, 'the connection was made');
  });
});

describe('what the back end answered', () => {
  test('a status outside 100-599 is an invalid endpoint response: 502', async () => {
    const r = await outcome(http.invoke(get(`${base}/999`, 29_000), integrationKey()));
    assert.ok(r instanceof GatewayError);
    assert.equal(r.status, 502);
    assert.equal(r.message, 'Internal server error');
    assert.match(r.logMessage, /999/);
  });

  test('repeated headers are joined for mappings and kept apart for the client', async () => {
    const r = (await http.invoke(get(`${base}/cookies`, 29_000), integrationKey())) as EndpointResponse;
    assert.equal(r.headers['set-cookie'], 'a=1; Path=/; HttpOnly,b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT');
    assert.deepEqual({ ...r.multiValueHeaders }, { 'set-cookie': ['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT'] });
    assert.equal(r.headers['x-single'], 'one');
  });

  test('headers named __proto__ or constructor are headers like any other; a repeated name keeps its first spelling', async () => {
    const r = (await http.invoke(get(`${base}/odd-names`, 29_000), integrationKey())) as EndpointResponse;
    assert.ok(Object.hasOwn(r.headers, '__proto__'));
    assert.equal(r.headers['__proto__'], 'p');
    assert.ok(Object.hasOwn(r.headers, 'constructor'));
    assert.equal(r.headers['constructor'], 'c');
    assert.equal(r.headers['x-mixed-case'], 'm,n');
    assert.deepEqual({ ...r.multiValueHeaders }, { 'x-mixed-case': ['m', 'n'] });
  });
});
