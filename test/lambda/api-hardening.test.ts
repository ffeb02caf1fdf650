// Bad input on Lambda's wire API ends in a 4xx answer, never a 500, a crash or a hang:
// undecodable paths, regions that are not regions, bodies over Lambda's request limits (refused
// before they are read), clients that go away mid-body, and archives gone from disk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startLambda, type TestLambda } from './helpers.ts';

/** Sends raw bytes on a new connection; resolves with the head of the first response. */
function rawRequest(url: string, head: string, writeBody?: (socket: import('node:net').Socket, answered: () => boolean) => void): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', (err) => { if (!got.includes('\r\n\r\n')) reject(err); });
    socket.on('connect', () => {
      socket.write(head);
      writeBody?.(socket, () => got.length > 0);
    });
  });
}

function statusOf(head: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
}

function errorTypeOf(head: string): string | undefined {
  return /\r\nx-amzn-errortype: ([^\r]+)/i.exec(head)?.[1];
}

describe('Lambda API hardening', () => {
  let t: TestLambda;
  before(async () => {
    t = await startLambda();
    await t.create('ok', { 'index.js': 'exports.handler = async (e) => e;' });
  });
  after(() => t.close());

  it('a malformed percent-escape in the path is a 400 ValidationException, not a 500', async () => {
    for (const [method, path] of [
      ['POST', '/2015-03-31/functions/%E0%A4%A/invocations'],
      ['GET', '/2015-03-31/functions/%E0%A4%A'],
      ['GET', '/2015-03-31/functions/%ZZ/configuration'],
      ['DELETE', '/2015-03-31/functions/%/policy/sid'],
    ] as const) {
      const r = await t.call(method, path, method === 'POST' ? '{}' : undefined);
      assert.equal(r.status, 400, `${method} ${path}: ${r.body}`);
      assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
      assert.match(r.json.Message, /at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    }
    const r = await t.call('DELETE', '/2015-03-31/functions/ok/policy/%E0%A4%A');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.equal((await t.invoke('ok', { still: 'up' })).json.still, 'up');
  });

  it('a credential scope whose region is not a region is refused before it names a folder', async () => {
    for (const region of ['..', '.', 'not_a_region']) {
      const r = await t.call('POST', '/2015-03-31/functions', {
        FunctionName: 'scoped', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/r', Handler: 'index.handler', Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
      }, { authorization: `AWS4-HMAC-SHA256 Credential=AKID/20240101/${region}/lambda/aws4_request, SignedHeaders=host, Signature=x` });
      assert.equal(r.status, 403, region);
      assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
      assert.equal(r.json.Message, `Credential should be scoped to a valid region, not '${region}'. `);
    }
    assert.equal(existsSync(join(t.lambda.root, 'code', '000000000000')) && readdirSync(join(t.lambda.root, 'code', '000000000000')).includes('..'), false);
  });

  it('a Content-Length over the CreateFunction limit is answered 413 before the body is sent', async () => {
    const head = await rawRequest(t.url, 'POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 69905068\r\n\r\n{"Fun');
    assert.equal(statusOf(head), 413);
    assert.equal(errorTypeOf(head), 'RequestEntityTooLargeException');
  });

  it('an Invoke payload over 6 MB is answered 413 RequestTooLargeException, by Content-Length or once the chunks pass it', async () => {
    const declared = await rawRequest(t.url, 'POST /2015-03-31/functions/ok/invocations HTTP/1.1\r\nHost: x\r\ncontent-length: 6291457\r\n\r\n{');
    assert.equal(statusOf(declared), 413);
    assert.equal(errorTypeOf(declared), 'RequestTooLargeException');
    // Chunked: the body never ends; the answer comes once the limit is passed.
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const streamed = await rawRequest(t.url, 'POST /2015-03-31/functions/ok/invocations HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n', (socket, answered) => {
      let sent = 0;
      const more = () => {
        if (answered() || socket.destroyed || sent >= 64) return;
        sent++;
        socket.write(`${chunk.byteLength.toString(16)}\r\n`);
        socket.write(chunk);
        if (socket.write('\r\n')) setImmediate(more);
        else socket.once('drain', more);
      };
      more();
    });
    assert.equal(statusOf(streamed), 413);
    assert.equal(errorTypeOf(streamed), 'RequestTooLargeException');
    assert.equal((await t.invoke('ok', { after: 'limit' })).json.after, 'limit');
  });

  it('a client that goes away mid-body leaves the server answering others', async () => {
    await new Promise<void>((resolve, reject) => {
      const { hostname, port } = new URL(t.url);
      const socket = connect(Number(port), hostname, () => {
        socket.write('POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\ncontent-length: 1000\r\n\r\n{"FunctionName":');
        socket.end(() => { socket.destroy(); resolve(); });
      });
      socket.on('error', reject);
    });
    assert.equal((await t.invoke('ok', { alive: true })).json.alive, true);
  });

  it('GetFunction\'s archive gone from the store is a 404, not a crash', async () => {
    const created = await t.create('gone', { 'index.js': 'exports.handler = async () => 1;' });
    await t.store.deleteBlob(Buffer.from(created.CodeSha256 as string, 'base64').toString('hex'));
    const r = await t.call('GET', '/2015-03-31/functions/gone/code.zip');
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.equal((await t.invoke('ok', { alive: 2 })).json.alive, 2);
  });
});
