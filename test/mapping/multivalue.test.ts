// Multi-value parameter mappings end to end: method.request.multivaluequerystring.* and
// method.request.multivalueheader.* sources into single- and multi-value integration request
// targets of an HTTP back end that echoes what it got, an HTTP_PROXY whose query string a
// multi-value mapping replaces, integration.response.multivalueheader.*, $input.params() with
// repeated keys, required multi-value parameters, and TestInvokeMethod's multiValueHeaders.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { PutMethodCommand, PutMethodResponseCommand, TestInvokeMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { createApi, deploy, json, putMethod, resourcePath, startBackend, type Answer, type Backend } from '../execute/helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Backend;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  backend = await startBackend((req, _body, res) =>
    json(res, 200, { url: req.url, headers: req.headers }, { 'x-back': 'one', 'x-list': 'a,b', 'x-rep': ['r1', 'r2'] as unknown as string }));
});

after(async () => {
  await backend.close();
  client.destroy();
  await gh.close();
});

/** A GET with header lines as given (repeated names stay separate lines). */
function get(restApiId: string, path: string, headerLines: [string, string][]): Promise<Answer> {
  const u = new URL(gh.url);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of headerLines) (headers[k] ??= []).push(v);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path: `/restapis/${restApiId}/test/_user_request_${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('multi-value mappings', () => {
  let id: string;
  let httpResource: string;
  before(async () => {
    ({ id } = await createApi(client, 'multivalue'));
    httpResource = await resourcePath(client, id, '/http');
    await putMethod(client, id, httpResource, {
      httpMethod: 'GET',
      requestParameters: {
        'method.request.multivaluequerystring.tag': false, 'method.request.querystring.tag': false, 'method.request.multivaluequerystring.nothing': false,
        'method.request.multivalueheader.x-a': false, 'method.request.header.x-a': false,
      },
      integration: {
        type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend.url}/echo`,
        requestParameters: {
          'integration.request.multivaluequerystring.tags': 'method.request.multivaluequerystring.tag',
          'integration.request.querystring.joined': 'method.request.multivaluequerystring.tag',
          'integration.request.querystring.last': 'method.request.querystring.tag',
          'integration.request.multivaluequerystring.one': 'method.request.querystring.tag',
          'integration.request.multivaluequerystring.fixed': "'s'",
          'integration.request.multivalueheader.x-all': 'method.request.multivalueheader.x-a',
          'integration.request.header.x-single': 'method.request.header.x-a',
          'integration.request.querystring.absent': 'method.request.multivaluequerystring.nothing',
        },
      },
      responses: [{
        statusCode: '200',
        responseParameters: {
          'method.response.header.x-back-all': 'integration.response.multivalueheader.x-back',
          'method.response.header.x-list-all': 'integration.response.multivalueheader.X-List',
          'method.response.header.x-rep-all': 'integration.response.multivalueheader.x-rep',
        },
      }],
    });
    await putMethod(client, id, await resourcePath(client, id, '/proxy'), {
      httpMethod: 'GET',
      requestParameters: { 'method.request.multivaluequerystring.t': false },
      integration: {
        type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/proxied`,
        requestParameters: { 'integration.request.multivaluequerystring.tag': 'method.request.multivaluequerystring.t' },
      },
    });
    await putMethod(client, id, await resourcePath(client, id, '/params'), {
      httpMethod: 'GET',
      integration: {
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
      },
      responses: [{
        statusCode: '200',
        responseTemplates: {
          'application/json': '{"all": "$input.params()", "qs": "$input.params().querystring", "tag": "$input.params(\'tag\')", "xa": "$input.params(\'X-A\')"}',
        },
      }],
    });
    await deploy(client, id, 'test');
  });

  test('multi-value query strings and headers into single- and multi-value targets of an HTTP back end', async () => {
    const r = await get(id, '/http?tag=a&tag=b%20c&tag=d&other=1', [['X-A', '1'], ['X-A', '2'], ['X-A', '3, 4']]);
    assert.equal(r.status, 200, r.body);
    const got = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    const q = new URL(got.url, 'http://x').searchParams;
    assert.deepEqual(q.getAll('tags'), ['a', 'b c', 'd']);
    assert.deepEqual(q.getAll('joined'), ['a,b c,d']);
    assert.deepEqual(q.getAll('last'), ['d']);
    assert.deepEqual(q.getAll('one'), ['d']);
    assert.deepEqual(q.getAll('fixed'), ['s']);
    assert.equal(q.has('absent'), false);
    assert.equal(q.has('other'), false, 'a non-proxy integration sends only mapped query strings');
    assert.equal(got.headers['x-all'], '1,2,3, 4');
    assert.equal(got.headers['x-single'], '1,2,3, 4');
    // integration.response.multivalueheader.* into method response headers: one field stays one value.
    assert.equal(r.headers['x-back-all'], 'one');
    assert.equal(r.headers['x-list-all'], 'a,b');
    // A header the back end sent twice goes out as two lines (node's client joins lines with ', ').
    assert.equal(r.headers['x-rep-all'], 'r1, r2');
  });

  test('a multi-value mapping replaces that name in an HTTP_PROXY\'s query string, other names pass', async () => {
    const r = await get(id, '/proxy?t=1&t=2&tag=old&keep=x&keep=y', []);
    assert.equal(r.status, 200, r.body);
    const q = new URL((JSON.parse(r.body) as { url: string }).url, 'http://x').searchParams;
    assert.deepEqual(q.getAll('tag'), ['1', '2']);
    assert.deepEqual(q.getAll('keep'), ['x', 'y']);
    assert.deepEqual(q.getAll('t'), ['1', '2']);
  });

  test('$input.params() with repeated keys: the last query value, a header\'s values joined', async () => {
    const r = await get(id, '/params?tag=a&tag=b', [['X-A', '1'], ['X-A', '2']]);
    assert.equal(r.status, 200, r.body);
    const out = JSON.parse(r.body) as Record<string, string>;
    assert.equal(out.qs, '{tag=b}');
    assert.equal(out.tag, 'b');
    assert.equal(out.xa, '1,2');
    assert.match(out.all!, /^\{path=\{\}, querystring=\{tag=b\}, header=\{.*X-A=1,2.*\}\}$/);
  });

  test('TestInvokeMethod\'s multiValueHeaders and repeated query keys reach multi-value mappings', async () => {
    const out = await client.send(new TestInvokeMethodCommand({
      restApiId: id, resourceId: httpResource, httpMethod: 'GET', pathWithQueryString: '/http?tag=x&tag=y',
      multiValueHeaders: { 'X-A': ['p', 'q'] },
    }));
    assert.equal(out.status, 200, out.log);
    const got = JSON.parse(out.body!) as { url: string; headers: Record<string, string> };
    assert.deepEqual(new URL(got.url, 'http://x').searchParams.getAll('tags'), ['x', 'y']);
    assert.equal(got.headers['x-all'], 'p,q');
  });
});

describe('required multi-value parameters', () => {
  test('a validator counts method.request.multivaluequerystring/multivalueheader as query strings and headers', async () => {
    const { CreateRequestValidatorCommand, PutIntegrationCommand, PutIntegrationResponseCommand } = await import('@aws-sdk/client-api-gateway');
    const { id: restApiId } = await createApi(client, 'multivalue-required');
    const resourceId = await resourcePath(client, restApiId, '/r');
    const v = await client.send(new CreateRequestValidatorCommand({ restApiId, name: 'p', validateRequestParameters: true }));
    await client.send(new PutMethodCommand({
      restApiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE', requestValidatorId: v.id,
      requestParameters: { 'method.request.multivaluequerystring.ids': true, 'method.request.multivalueheader.X-Ids': true },
    }));
    await client.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
    await client.send(new PutIntegrationResponseCommand({ restApiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
    await deploy(client, restApiId, 'test');
    const missing = await get(restApiId, '/r', []);
    assert.equal(missing.status, 400);
    assert.deepEqual(JSON.parse(missing.body), { message: 'Missing required request parameters: [X-Ids, ids]' });
    assert.equal((await get(restApiId, '/r?ids=1&ids=2', [['X-Ids', 'a'], ['X-Ids', 'b']])).status, 200);
  });
});
