// Full-size code uploads: a 48 MB archive (64 MB of JSON) is read, decoded and unpacked while
// other clients are answered, and uploads held at once stay within a memory budget (the next
// one is throttled as Lambda throttles, not buffered).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { strToU8, zipSync } from 'fflate';
import { ROLE, startLambda, until, type TestLambda } from './helpers.ts';

function post(url: string, path: string, body: Buffer, onFlushed: () => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.byteLength } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body, onFlushed);
  });
}

describe('full-size code uploads', () => {
  let t: TestLambda;
  before(async () => { t = await startLambda(); });
  after(() => t.close());

  it('a 48 MB archive is created while another client is answered', async () => {
    const zip = Buffer.from(zipSync({
      'index.js': strToU8('exports.handler = async () => require("node:fs").statSync(__dirname + "/blob.bin").size;'),
      'blob.bin': [randomBytes(48 << 20), { level: 0 }],
    }));
    const body = Buffer.from(JSON.stringify({ FunctionName: 'big', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip.toString('base64') } }));
    assert.ok(body.byteLength > 60 << 20 && body.byteLength < 69_905_067);
    let uploadAnswered = false;
    let flushed = false;
    const upload = post(t.url, '/2015-03-31/functions', body, () => { flushed = true; })
      .finally(() => { uploadAnswered = true; });
    await until(() => flushed, 'the upload to be sent', 60_000);
    const other = await t.call('GET', '/2015-03-31/functions');
    assert.equal(other.status, 200);
    assert.equal(uploadAnswered, false, 'the other client was answered only after the upload');
    const r = await upload;
    assert.equal(r.status, 201, r.body.slice(0, 300));
    assert.equal(JSON.parse(r.body).CodeSize, zip.byteLength);
    const inv = await t.invoke('big', {});
    assert.equal(inv.json, 48 << 20);
  });

  it('uploads beyond the budget held at once are throttled with TooManyRequestsException, and pass once it frees', async () => {
    const { hostname, port } = new URL(t.url);
    // Two uploads announce bodies of the largest size allowed (Lambda's limit is exclusive:
    // 'must be smaller than 69905067 bytes') and send nothing more: they hold the budget.
    const holders = new Set<Socket>();
    const hold = async (): Promise<void> => {
      const s = connect(Number(port), hostname);
      s.on('error', () => {});
      // A holder that arrives while a small upload holds a few bytes of the budget is itself
      // refused (it gets an answer): it is replaced, so that in the end both hold the budget.
      s.once('data', () => {
        holders.delete(s);
        s.destroy();
        if (!released) void hold();
      });
      await new Promise<void>((resolve) => s.on('connect', () => resolve()));
      s.write('POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 69905066\r\n\r\n{"FunctionName":');
      holders.add(s);
    };
    let released = false;
    for (let i = 0; i < 2; i++) await hold();
    const small = { FunctionName: 'small', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zipSync({ 'index.js': strToU8('exports.handler = async () => 1;') })).toString('base64') } };
    // The holders' headers may still be on their way: wait until the third upload is refused.
    let refused: Awaited<ReturnType<TestLambda['call']>> | undefined;
    await until(async () => {
      const r = await t.call('POST', '/2015-03-31/functions', small);
      if (r.status === 201) await t.call('DELETE', '/2015-03-31/functions/small');
      if (r.status === 429) refused = r;
      return refused !== undefined;
    }, 'the budget to be full', 60_000);
    assert.equal(refused!.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.deepEqual(refused!.json, { Type: 'User', Message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' });
    released = true;
    for (const s of holders) s.destroy();
    await until(async () => (await t.call('POST', '/2015-03-31/functions', small)).status === 201, 'the budget to free', 60_000);
  });
});
