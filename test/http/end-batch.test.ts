// Responses of one event-loop turn are written together (src/http/end-batch.ts): each is still
// answered, in order on its connection, and one that cannot be written does not stop the others.
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { endSoon } from '../../src/http/end-batch.ts';

describe('endSoon', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((req, res) => {
      const body = `answer to ${req.url}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      endSoon(res, req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers many connections at once, each with its own body', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`http://127.0.0.1:${port}/r${i}`).then((r) => r.text())));
    assert.deepEqual(answers, Array.from({ length: 40 }, (_, i) => `answer to /r${i}`));
  });

  it('answers pipelined requests in order, and HEAD without a body', async () => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ended;
    assert.equal(text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 3);
    assert.ok(text.indexOf('answer to /a') < text.indexOf('answer to /c'));
    assert.ok(text.endsWith('answer to /c'));
    assert.ok(!text.includes('answer to /b'), 'HEAD has no body');
  });

  it('the turn\'s first response is ended at once, the others after the turn; one that cannot be written is closed, the rest still written', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const ended: string[] = [];
    const destroyed: string[] = [];
    const fake = (name: string, fails: boolean) => ({
      end(body?: string) {
        if (fails) throw new Error('write after end');
        ended.push(`${name}:${body}`);
      },
      destroy() {
        destroyed.push(name);
      },
    }) as unknown as ServerResponse;
    endSoon(fake('one', false), 'x');
    endSoon(fake('two', true), 'y');
    endSoon(fake('three', false), undefined);
    assert.deepEqual(ended, ['one:x'], 'only the first is written in the turn that answered');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ended, ['one:x', 'three:undefined']);
    assert.deepEqual(destroyed, ['two']);
    // The next turn starts afresh: its first response goes at once again.
    endSoon(fake('four', false), 'z');
    assert.deepEqual(ended, ['one:x', 'three:undefined', 'four:z']);
    await new Promise((resolve) => setImmediate(resolve));
  });
});
