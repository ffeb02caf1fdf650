// Issue #20.10 (connections): 20,000 clients trickling bodies used up the process's file handles,
// so other clients were reset, and each held its socket for up to 300 s. Now a request must
// arrive whole within --request-timeout-seconds, and past --max-connections a new connection
// takes the slot of an idle or still-sending one, or is refused when every slot is at work.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Gatehouse } from '../../src/server.ts';
import { createApi, deploy, putMethod, resourcePath, startBackend, type Backend } from '../execute/helpers.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { nextResponse, open, parseResponse, readAll } from './raw.ts';

function head(host: string, line: string, headers: Record<string, string> = {}): string {
  return `${line} HTTP/1.1\r\nhost: ${host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

describe('request read timeout', () => {
  let gh: Gatehouse;
  before(async () => {
    // Small enough for a quick test, large enough that a loaded machine answers the other client first.
    gh = await startTestGatehouse({ requestTimeoutSeconds: 3 });
  });
  after(() => gh.close());

  it('clients trickling a body are cut with 408 and their sockets closed; others are served meanwhile', { timeout: 60_000 }, async () => {
    const host = new URL(gh.url).host;
    const slow = await Promise.all(Array.from({ length: 5 }, () => open(gh.url)));
    let slowFinished = 0;
    const outcomes = slow.map((s) => {
      s.write(head(host, 'POST /restapis', { 'content-type': 'application/json', 'content-length': '1000' }) + '{"name":');
      return readAll(s).then((text) => {
        slowFinished++;
        return text;
      });
    });
    const other = await fetch(`${gh.url}/restapis`);
    assert.equal(other.status, 200);
    assert.equal(slowFinished, 0, 'the other client was answered while the slow ones were still sending');
    for (const text of await Promise.all(outcomes)) {
      const r = parseResponse(text);
      assert.equal(r.status, 408);
      assert.equal(r.header('x-amzn-ErrorType'), 'RequestTimeoutException');
      assert.equal(r.header('connection'), 'close');
    }
    const apis = await (await fetch(`${gh.url}/restapis`)).json() as { item: unknown[] };
    assert.deepEqual(apis.item, [], 'no half-sent request was acted on');
  });
});

describe('connection limit', () => {
  let gh: Gatehouse;
  let host: string;
  let backend: Backend;
  let apiId: string;
  const held: ServerResponse[] = [];
  let heldThree: () => void = () => undefined;

  before(async () => {
    gh = await startTestGatehouse({ maxConnections: 3 });
    host = new URL(gh.url).host;
    // A back end that answers only when the test says so: requests received whole and in progress.
    backend = await startBackend((_req, _body, res) => {
      held.push(res);
      if (held.length === 3) heldThree();
    });
    const client = apiGatewayClient(gh.url);
    const api = await createApi(client, 'held');
    apiId = api.id;
    const hold = await resourcePath(client, apiId, '/hold');
    await putMethod(client, apiId, hold, { httpMethod: 'GET', integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/hold` } });
    await deploy(client, apiId, 'test');
    client.destroy();
  });
  after(async () => {
    await gh.close();
    await backend.close();
  });

  /** Waits until the server has let go of every connection of the previous step. */
  async function drained(): Promise<void> {
    const count = (): Promise<number> => new Promise((resolve, reject) => gh.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    while ((await count()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** A connection the server has accepted (it answered one request) and that stays open. */
  async function established(): Promise<Socket> {
    const s = await open(gh.url);
    const answer = nextResponse(s);
    s.write(head(host, 'GET /_gatehouse/health'));
    assert.equal((await answer).status, 200);
    return s;
  }

  /** Whether a new connection is served: true with the answer, false when closed unanswered. */
  async function served(): Promise<boolean> {
    const s = await open(gh.url);
    const text = readAll(s);
    s.write(head(host, 'GET /_gatehouse/health', { connection: 'close' }));
    const got = await text;
    if (got === '') return false;
    assert.equal(parseResponse(got).status, 200);
    return true;
  }

  const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

  it('past the limit, a new client takes the slot of the oldest one still sending its request', { timeout: 60_000 }, async () => {
    await drained();
    const body = '{"name":"slow"}';
    const slow: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await established();
      // Headers sent, body not yet: a slow sender.
      s.write(head(host, 'POST /restapis', { 'content-type': 'application/json', 'content-length': String(body.length) }));
      slow.push(s);
    }
    assert.equal(await served(), true, 'the new client is served');
    await closed(slow[0]!);
    for (const s of slow.slice(1)) {
      const answer = nextResponse(s);
      s.write(body);
      assert.equal((await answer).status, 201, 'the other slow senders keep their connections');
      s.destroy();
    }
  });

  it('idle keep-alive connections give their slots to new clients', { timeout: 60_000 }, async () => {
    await drained();
    const idle = [await established(), await established(), await established()];
    assert.equal(await served(), true);
    await closed(idle[0]!);
    const still = nextResponse(idle[2]!);
    idle[2]!.write(head(host, 'GET /_gatehouse/health'));
    assert.equal((await still).status, 200);
    for (const s of idle) s.destroy();
  });

  it('when every slot is answering a request, new connections are refused and the requests finish', { timeout: 60_000 }, async () => {
    await drained();
    const three = new Promise<void>((resolve) => (heldThree = resolve));
    const working = await Promise.all([open(gh.url), open(gh.url), open(gh.url)]);
    const answers = working.map((s) => {
      const a = nextResponse(s);
      s.write(head(host, `GET /restapis/${apiId}/test/_user_request_/hold`));
      return a;
    });
    await three;
    assert.equal(await served(), false, 'a fourth connection is refused');
    for (const res of held) res.end('done');
    for (const a of answers) {
      const r = await a;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'done');
    }
    for (const s of working) s.destroy();
  });
});
