// Binary payloads end to end (src/deploy/binary.ts, docs/binary.md): AWS's content type conversion
// tables as a matrix — for each row, what the back end receives and what the client receives —
// through HTTP integrations to a local back end that records raw bytes, MOCK, HTTP_PROXY and a
// Lambda proxy function run by the built-in Lambda service; a PNG and random bytes round-trip byte
// for byte. APIs are built with the AWS SDK and called over HTTP with raw bodies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateRestApiCommand, GetResourcesCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand,
  type APIGatewayClient, type ContentHandlingStrategy, type IntegrationType,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { deploy, resourcePath } from '../execute/helpers.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { call, png } from './binary-fixtures.ts';

const PNG = png();
const PNG_B64 = PNG.toString('base64');


interface Received { path: string; contentType: string | undefined; body: Buffer }

describe('binary payloads (binaryMediaTypes, contentHandling, isBase64Encoded)', { timeout: 120_000 }, () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let lambda: LambdaClient;
  let backend: Server;
  let backendUrl: string;
  const received: Received[] = [];
  let apiId: string;
  let plainApiId: string;

  before(async () => {
    backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        received.push({ path: req.url!, contentType: req.headers['content-type'], body });
        if (req.url!.startsWith('/png')) {
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(PNG);
        } else if (req.url!.startsWith('/b64')) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(PNG_B64);
        } else {
          res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
          res.end(body);
        }
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'binary-echo', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
      Code: {
        ZipFile: zip({
          'index.js': `exports.handler = async (e) => {
            const h = e.headers || {};
            const bytes = e.body === null ? Buffer.alloc(0) : e.isBase64Encoded ? Buffer.from(e.body, 'base64') : Buffer.from(e.body);
            return { statusCode: 200, headers: { 'content-type': h['content-type'] || h['Content-Type'] || 'application/octet-stream', 'x-was-base64': String(e.isBase64Encoded) },
              body: bytes.toString('base64'), isBase64Encoded: true };
          };`,
        }),
      },
    }));

    const api = await client.send(new CreateRestApiCommand({ name: 'binary', binaryMediaTypes: ['image/png', 'application/octet-stream', 'application/vnd.*'] }));
    apiId = api.id!;
    const plain = await client.send(new CreateRestApiCommand({ name: 'no-binary-types' }));
    plainApiId = plain.id!;
    const lambdaUri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:000000000000:function:binary-echo/invocations`;

    const method = async (restApiId: string, path: string, verb: string, type: IntegrationType, uri: string, options: {
      contentHandling?: ContentHandlingStrategy; requestTemplates?: Record<string, string>;
      responseContentHandling?: ContentHandlingStrategy; responseTemplates?: Record<string, string>;
    } = {}) => {
      const resourceId = await resourcePath(client, restApiId, path);
      const key = { restApiId, resourceId, httpMethod: verb };
      await client.send(new PutMethodCommand({ ...key, authorizationType: 'NONE' }));
      await client.send(new PutIntegrationCommand({
        ...key, type, uri, integrationHttpMethod: type === 'MOCK' ? undefined : verb === 'GET' && type === 'HTTP' ? 'GET' : 'POST',
        contentHandling: options.contentHandling, requestTemplates: options.requestTemplates,
      }));
      if (type === 'HTTP' || type === 'MOCK') {
        await client.send(new PutMethodResponseCommand({ ...key, statusCode: '200', responseParameters: { 'method.response.header.Content-Type': false } }));
        await client.send(new PutIntegrationResponseCommand({
          ...key, statusCode: '200', contentHandling: options.responseContentHandling, responseTemplates: options.responseTemplates,
          responseParameters: type === 'HTTP' ? { 'method.response.header.Content-Type': 'integration.response.header.Content-Type' } : undefined,
        }));
      }
    };
    // Request side: POST to the echoing back end.
    await method(apiId, '/req/none', 'POST', 'HTTP', `${backendUrl}/echo`);
    await method(apiId, '/req/text', 'POST', 'HTTP', `${backendUrl}/echo`, { contentHandling: 'CONVERT_TO_TEXT' });
    await method(apiId, '/req/binary', 'POST', 'HTTP', `${backendUrl}/echo`, { contentHandling: 'CONVERT_TO_BINARY' });
    await method(apiId, '/req/template-text', 'POST', 'HTTP', `${backendUrl}/echo`, {
      contentHandling: 'CONVERT_TO_TEXT', requestTemplates: { 'image/png': '{"image":"$input.body"}' },
    });
    await method(apiId, '/req/template', 'POST', 'HTTP', `${backendUrl}/echo`, { requestTemplates: { 'image/png': '{"image":"$input.body"}' } });
    // Response side: GET from the PNG or the base64 text.
    await method(apiId, '/resp/none/png', 'GET', 'HTTP', `${backendUrl}/png`);
    await method(apiId, '/resp/none/b64', 'GET', 'HTTP', `${backendUrl}/b64`);
    await method(apiId, '/resp/text/png', 'GET', 'HTTP', `${backendUrl}/png`, { responseContentHandling: 'CONVERT_TO_TEXT' });
    await method(apiId, '/resp/binary/b64', 'GET', 'HTTP', `${backendUrl}/b64`, { responseContentHandling: 'CONVERT_TO_BINARY' });
    await method(apiId, '/resp/binary/png', 'GET', 'HTTP', `${backendUrl}/png`, { responseContentHandling: 'CONVERT_TO_BINARY' });
    await method(apiId, '/resp/text-template/png', 'GET', 'HTTP', `${backendUrl}/png`, {
      responseContentHandling: 'CONVERT_TO_TEXT', responseTemplates: { 'application/json': '{"length":$input.body.length()}' },
    });
    await method(apiId, '/mock', 'GET', 'MOCK', '', {
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responseContentHandling: 'CONVERT_TO_BINARY', responseTemplates: { 'application/json': PNG_B64 },
    });
    await method(apiId, '/proxy/{p+}', 'POST', 'HTTP_PROXY', `${backendUrl}/{p}`);
    await method(apiId, '/fn', 'POST', 'AWS_PROXY', lambdaUri);
    await method(plainApiId, '/fn', 'POST', 'AWS_PROXY', lambdaUri);
    await method(plainApiId, '/echo', 'POST', 'HTTP', `${backendUrl}/echo`);
    await deploy(client, apiId, 'test');
    await deploy(client, plainApiId, 'test');
  });

  after(async () => {
    client?.destroy();
    lambda?.destroy();
    await gh?.close();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
  });

  const at = (path: string, restApiId = apiId) => `/restapis/${restApiId}/test/_user_request_${path}`;
  const lastReceived = () => received[received.length - 1]!;

  describe('request payloads (the integration request table)', () => {
    it('binary data, contentHandling unset: the bytes reach the back end as they came', async () => {
      const r = await call(gh.url, at('/req/none'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.equal(r.status, 200);
      assert.ok(lastReceived().body.equals(PNG));
    });

    it('binary data, CONVERT_TO_TEXT: the back end gets the base64 text', async () => {
      await call(gh.url, at('/req/text'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.equal(lastReceived().body.toString(), PNG_B64);
    });

    it('binary data, CONVERT_TO_BINARY: the bytes, unchanged', async () => {
      await call(gh.url, at('/req/binary'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.ok(lastReceived().body.equals(PNG));
    });

    it('text data, CONVERT_TO_BINARY: the base64 text is decoded to its bytes', async () => {
      await call(gh.url, at('/req/binary'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: PNG_B64 });
      assert.ok(lastReceived().body.equals(PNG));
    });

    it('text data, CONVERT_TO_TEXT or unset: the text, unchanged', async () => {
      await call(gh.url, at('/req/text'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' });
      assert.equal(lastReceived().body.toString(), '{"a":"é"}');
      await call(gh.url, at('/req/none'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' });
      assert.equal(lastReceived().body.toString(), '{"a":"é"}');
    });

    it('a binary media type matched by wildcard (application/vnd.*) is binary too', async () => {
      const bytes = randomBytes(4096);
      await call(gh.url, at('/req/text'), { method: 'POST', headers: { 'content-type': 'application/vnd.ms-excel' }, body: bytes });
      assert.equal(lastReceived().body.toString(), bytes.toString('base64'));
    });

    it('CONVERT_TO_TEXT with a template: $input.body is the base64 text', async () => {
      await call(gh.url, at('/req/template-text'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.deepEqual(JSON.parse(lastReceived().body.toString()), { image: PNG_B64 });
    });

    it('binary data with a template and no conversion: no template sees it, the bytes pass', async () => {
      await call(gh.url, at('/req/template'), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.ok(lastReceived().body.equals(PNG));
    });

    it('an API without binary media types treats every payload as UTF-8 text, as AWS does: invalid bytes become U+FFFD', async () => {
      // AWS's recording of a 67-byte gzip PNG put to S3 through such an API: 99 bytes arrived.
      await call(gh.url, at('/echo', plainApiId), { method: 'POST', headers: { 'content-type': 'image/png' }, body: PNG });
      assert.ok(lastReceived().body.equals(Buffer.from(PNG.toString('utf8'))));
      assert.ok(!lastReceived().body.equals(PNG));
      const text = Buffer.from('{"name":"Zoë","emoji":"🐱"}');
      await call(gh.url, at('/echo', plainApiId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      assert.ok(lastReceived().body.equals(text), 'valid UTF-8 passes untouched');
    });

    it('a text payload of an API with binary types is UTF-8 text too; HTTP_PROXY likewise', async () => {
      await call(gh.url, at('/req/none'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: PNG });
      assert.ok(lastReceived().body.equals(Buffer.from(PNG.toString('utf8'))));
      const r = await call(gh.url, at('/proxy/echo'), { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'text/plain' }, body: PNG });
      assert.ok(lastReceived().body.equals(Buffer.from(PNG.toString('utf8'))));
      assert.ok(r.body.equals(Buffer.from(PNG.toString('utf8'))));
    });
  });

  describe('response payloads (the method response table)', () => {
    it('binary data to a binary Accept, contentHandling unset: the bytes', async () => {
      const r = await call(gh.url, at('/resp/none/png'), { headers: { accept: 'image/png' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'image/png');
      assert.ok(r.body.equals(PNG));
    });

    it('binary data to a text Accept, unset: base64 text', async () => {
      const r = await call(gh.url, at('/resp/none/png'), { headers: { accept: 'application/json' } });
      assert.equal(r.body.toString(), PNG_B64);
    });

    it('only the first Accept type counts', async () => {
      const r = await call(gh.url, at('/resp/none/png'), { headers: { accept: 'text/html, image/png' } });
      assert.equal(r.body.toString(), PNG_B64);
    });

    it('text data to a binary Accept, unset: base64-decoded to bytes', async () => {
      const r = await call(gh.url, at('/resp/none/b64'), { headers: { accept: 'image/png' } });
      assert.ok(r.body.equals(PNG));
    });

    it('text data to a text Accept, unset: the text', async () => {
      const r = await call(gh.url, at('/resp/none/b64'), { headers: { accept: 'text/plain' } });
      assert.equal(r.body.toString(), PNG_B64);
    });

    it('CONVERT_TO_TEXT: binary data becomes base64 text, whatever the Accept', async () => {
      const r = await call(gh.url, at('/resp/text/png'), { headers: { accept: 'image/png' } });
      assert.equal(r.body.toString(), PNG_B64);
    });

    it('CONVERT_TO_TEXT with a template: the template sees the base64 text', async () => {
      const r = await call(gh.url, at('/resp/text-template/png'), { headers: { accept: 'application/json' } });
      assert.deepEqual(JSON.parse(r.body.toString()), { length: PNG_B64.length });
    });

    it('CONVERT_TO_BINARY: text data is decoded, binary data passes, whatever the Accept', async () => {
      assert.ok((await call(gh.url, at('/resp/binary/b64'), { headers: { accept: 'application/json' } })).body.equals(PNG));
      assert.ok((await call(gh.url, at('/resp/binary/png'), { headers: { accept: 'application/json' } })).body.equals(PNG));
    });

    it('MOCK: a response template of base64 text with CONVERT_TO_BINARY answers the bytes', async () => {
      const r = await call(gh.url, at('/mock'));
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(PNG));
    });
  });

  describe('proxy integrations', () => {
    it('HTTP_PROXY: a megabyte of random bytes goes and comes back byte for byte', async () => {
      const bytes = randomBytes(1024 * 1024);
      const r = await call(gh.url, at('/proxy/echo'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
      assert.equal(r.status, 200);
      assert.ok(lastReceived().body.equals(bytes));
      assert.ok(r.body.equals(bytes));
    });

    it('Lambda proxy: a binary request arrives base64 with isBase64Encoded, and a base64 result leaves as bytes', async () => {
      const r = await call(gh.url, at('/fn'), { method: 'POST', headers: { 'content-type': 'image/png', accept: 'image/png' }, body: PNG });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-was-base64'], 'true');
      assert.ok(r.body.equals(PNG));
    });

    it('Lambda proxy: a zip archive goes to the function and comes back byte for byte', async () => {
      const archive = zip({ 'a.txt': 'hello', 'b/c.json': JSON.stringify({ n: 1 }), 'd.bin': randomBytes(5000).toString('latin1') });
      const r = await call(gh.url, at('/fn'), { method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/octet-stream' }, body: archive });
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(archive));
    });

    it('Lambda proxy: a text request arrives as text; the base64 result is decoded when its Content-Type is binary', async () => {
      const r = await call(gh.url, at('/fn'), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"x":1}' });
      assert.equal(r.headers['x-was-base64'], 'false');
      // The result's Content-Type is application/json (not binary) and so is the Accept: the base64 text leaves.
      assert.equal(r.body.toString(), Buffer.from('{"x":1}').toString('base64'));
      const z = randomBytes(3000);
      const r2 = await call(gh.url, at('/fn'), { method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' }, body: z });
      assert.ok(r2.body.equals(z), 'the result is application/octet-stream, a binary type');
    });

    it('Lambda proxy on an API without binary media types: the body arrives as text and the base64 result leaves as text', async () => {
      const r = await call(gh.url, at('/fn', plainApiId), { method: 'POST', headers: { 'content-type': 'image/png', accept: 'image/png' }, body: 'not really a png' });
      assert.equal(r.headers['x-was-base64'], 'false');
      assert.equal(r.body.toString(), Buffer.from('not really a png').toString('base64'));
    });
  });
});
