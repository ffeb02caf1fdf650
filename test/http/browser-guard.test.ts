// Issue #20.2: a web page at http://evil.example drove a gateway on localhost (created and
// invoked a Lambda function, wiped a server started with --allow-reset) through text/plain
// bodies, cross-site requests and DNS rebinding. With no authentication configured, each of
// those shapes is refused and changes nothing; AWS clients and same-origin pages still work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, GetRestApisCommand, ImportRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse, useGatehouse } from '../helpers/server.ts';
import { rawRequest } from './raw.ts';

const EVIL = 'http://evil.example';
const FUNCTION = JSON.stringify({ FunctionName: 'pwn', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' } });

describe('what a web page can send is refused, and changes nothing', () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let host: string;
  useGatehouse((g, c) => {
    gh = g;
    client = c;
    host = new URL(g.url).host;
  });

  async function apiNames(): Promise<string[]> {
    return ((await client.send(new GetRestApisCommand({}))).items ?? []).map((a) => a.name!);
  }

  for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    it(`a ${type.split(';')[0]} POST to /restapis: 415, no API created`, async () => {
      const r = await rawRequest(gh.url, 'POST /restapis', { host, 'content-type': type }, '{"name":"pwned"}');
      assert.equal(r.status, 415, r.body);
      assert.equal(r.header('x-amzn-ErrorType'), 'UnsupportedMediaTypeException');
      assert.match(r.json().message, /application\/json/);
      assert.deepEqual(await apiNames(), []);
    });
  }

  it('a text/plain POST to the Lambda API: 415 in Lambda\'s shape, no function created', async () => {
    const r = await rawRequest(gh.url, 'POST /2015-03-31/functions', { host, 'content-type': 'text/plain' }, FUNCTION);
    assert.equal(r.status, 415, r.body);
    assert.equal(r.header('x-amzn-ErrorType'), 'UnsupportedMediaTypeException');
    assert.equal(r.json().Type, 'User');
    const list = await fetch(`${gh.url}/2015-03-31/functions`);
    assert.deepEqual((await list.json()).Functions, []);
  });

  it('a cross-site request with a JSON body (Origin http://evil.example): 403, no API created', async () => {
    const r = await rawRequest(gh.url, 'POST /restapis', { host, origin: EVIL, 'content-type': 'application/json' }, '{"name":"pwned"}');
    assert.equal(r.status, 403, r.body);
    assert.equal(r.header('x-amzn-ErrorType'), 'AccessDeniedException');
    assert.match(r.json().message, /--allow-origin http:\/\/evil\.example/);
    assert.equal(r.header('access-control-allow-origin'), undefined);
    assert.deepEqual(await apiNames(), []);
  });

  it('a cross-site Invoke with no Content-Type at all (a Blob body): 403 in Lambda\'s shape', async () => {
    const r = await rawRequest(gh.url, 'POST /2015-03-31/functions/pwn/invocations', { host, origin: EVIL }, '{}');
    assert.equal(r.status, 403);
    assert.equal(r.header('x-amzn-ErrorType'), 'AccessDeniedException');
    assert.equal(typeof r.json().Message, 'string');
  });

  it('a cross-site reset: 403, nothing wiped', async () => {
    await client.send(new CreateRestApiCommand({ name: 'keep-me' }));
    const r = await rawRequest(gh.url, 'POST /_gatehouse/reset', { host, origin: EVIL });
    assert.equal(r.status, 403);
    const nullOrigin = await rawRequest(gh.url, 'POST /_gatehouse/reset', { host, origin: 'null' });
    assert.equal(nullOrigin.status, 403);
    assert.deepEqual(await apiNames(), ['keep-me']);
  });

  it('DNS rebinding (Host evil.example, "same-origin" to the page): 403 on every plane', async () => {
    const port = new URL(gh.url).port;
    for (const line of ['POST /restapis', 'POST /2015-03-31/functions', 'POST /_gatehouse/reset', 'GET /restapis/abc/test/_user_request_/x']) {
      const r = await rawRequest(gh.url, line, { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' }, '{"name":"pwned"}');
      assert.equal(r.status, 403, `${line}: ${r.body}`);
      assert.equal(r.header('x-amzn-ErrorType'), 'AccessDeniedException');
      assert.match(r.body, /--allow-host evil\.example/);
    }
    assert.deepEqual(await apiNames(), ['keep-me']);
  });

  it('execute-api hosts reach deployed APIs whatever the Origin (deployed APIs are public)', async () => {
    const r = await rawRequest(gh.url, 'GET /test/pets', { host: `abc123.execute-api.evil.example`, origin: EVIL, 'content-type': 'text/plain' });
    // No such API: the execution plane's own answer, not a front-door refusal.
    assert.equal(r.status, 403);
    assert.equal(r.header('x-amzn-ErrorType'), 'ForbiddenException');
    assert.deepEqual(r.json(), { message: 'Forbidden' });
  });

  it('same-origin pages (the console) and every loopback name are accepted', async () => {
    const port = new URL(gh.url).port;
    for (const h of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const r = await rawRequest(gh.url, 'POST /restapis', { host: h, origin: `http://${h}`, 'content-type': 'application/json' }, `{"name":"from ${h}"}`);
      assert.equal(r.status, 201, `${h}: ${r.body}`);
    }
  });

  it('AWS SDK blob payloads (application/octet-stream) and CLI-style bodies without Content-Type are accepted', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ swagger: '2.0', info: { title: 'imported', version: '1' }, paths: {} }));
    const imported = await client.send(new ImportRestApiCommand({ body }));
    assert.equal(imported.name, 'imported');
    const r = await rawRequest(gh.url, 'POST /restapis?mode=import', { host }, JSON.stringify({ swagger: '2.0', info: { title: 'bare', version: '1' }, paths: {} }));
    assert.equal(r.status, 201, r.body);
  });
});

describe('operator allowances: --allow-origin, --allow-host', () => {
  let gh: Gatehouse;
  before(async () => {
    gh = await startTestGatehouse({ allowOrigin: 'http://console.example,http://tools.example/', allowHost: 'gatehouse.test' });
  });
  after(() => gh.close());

  it('an allowed origin gets through, with CORS headers and a preflight answer', async () => {
    const host = new URL(gh.url).host;
    const pre = await rawRequest(gh.url, 'OPTIONS /restapis', { host, origin: 'http://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' });
    assert.equal(pre.status, 204);
    assert.equal(pre.header('access-control-allow-origin'), 'http://console.example');
    assert.equal(pre.header('access-control-allow-headers'), 'content-type,authorization');
    const r = await rawRequest(gh.url, 'POST /restapis', { host, origin: 'http://tools.example', 'content-type': 'application/json' }, '{"name":"from tools"}');
    assert.equal(r.status, 201, r.body);
    assert.equal(r.header('access-control-allow-origin'), 'http://tools.example');
    assert.match(r.header('access-control-expose-headers') ?? '', /x-amzn-ErrorType/);
  });

  it('an allowed host name is served; others are still refused', async () => {
    const port = new URL(gh.url).port;
    const ok = await rawRequest(gh.url, 'GET /restapis', { host: `gatehouse.test:${port}` });
    assert.equal(ok.status, 200, ok.body);
    const refused = await rawRequest(gh.url, 'GET /restapis', { host: `other.test:${port}` });
    assert.equal(refused.status, 403);
  });
});

describe('real AWS clients are unaffected', () => {
  it('the AWS SDK v3 works against a gateway with every check on', async () => {
    const gh = await startTestGatehouse();
    const client = apiGatewayClient(gh.url);
    try {
      const api = await client.send(new CreateRestApiCommand({ name: 'sdk' }));
      assert.equal(api.name, 'sdk');
    } finally {
      client.destroy();
      await gh.close();
    }
  });
});
