// Issue #20.10 (connections): 20,000 clients trickling bodies used up the process's file handles,
// so other clients were reset, and each held its socket for up to 300 s. Now a request must
// arrive whole within --request-timeout-seconds, and past --max-connections new connections are
// refused while the ones already open keep working.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';
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
  before(async () => {
    gh = await startTestGatehouse({ maxConnections: 3 });
    host = new URL(gh.url).host;
  });
  after(() => gh.close());

  /** Waits until the server has let go of every connection of the previous test. */
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

  it('refuses connections past the limit while the open ones finish their requests', { timeout: 60_000 }, async () => {
    await drained();
    const body = '{"name":"in-flight"}';
    const busy = await Promise.all([established(), established(), established()]);
    // Each of the three is now mid-request: headers sent, body not yet.
    for (const s of busy) s.write(head(host, 'POST /restapis', { 'content-type': 'application/json', 'content-length': String(body.length) }));

    assert.equal(await served(), false, 'a fourth connection is refused');

    for (const s of busy) {
      const answer = nextResponse(s);
      s.write(body);
      assert.equal((await answer).status, 201);
    }
    for (const s of busy) s.destroy();
  });

  it('a refused connection frees the idle keep-alive ones, so a retrying client gets in', { timeout: 60_000 }, async () => {
    await drained();
    const idle = await Promise.all([established(), established(), established()]);
    const closed = idle.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    assert.equal(await served(), false);
    await Promise.all(closed);
    // The server counts a socket as gone a moment after the client sees it close: retry a few times.
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) ok = await served();
    assert.ok(ok, 'a new connection is served once the idle ones are closed');
  });
});
