// HTTP integrations through a whole Gatehouse, against a real back end: a route whose back end
// hangs does not stop another route on the same back end; a trickling body and a TLS mistake
// answer as API Gateway does, in time; Set-Cookie headers stay separate; a status outside
// 100-599 answers 502. Checks are orderings of events, never measured durations.
import assert from 'node:assert/strict';
import { Agent, createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { PutGatewayResponseCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DEFAULT_CALLS_PER_INTEGRATION } from '../../src/integrations/http.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, type Answer } from '../execute/helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;
let backendUrl = '';

const hanging: ServerResponse[] = [];
let hangArrived = 0;
let onHang: (() => void) | null = null;
let trickleEnded = false;

const backend = createServer((req, res) => {
  const path = req.url!.split('?')[0];
  if (path === '/hang') {
    hanging.push(res);
    hangArrived++;
    onHang?.();
    return;
  }
  if (path === '/trickle') {
    res.writeHead(200, { 'content-type': 'application/json' });
    let n = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      if (++n < 600) res.write(' ');
      else {
        clearInterval(tick);
        trickleEnded = true;
        res.end('{}');
      }
    }, 50);
    return;
  }
  if (path === '/cookies') {
    res.setHeader('Set-Cookie', ['session=abc; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
    res.setHeader('content-type', 'application/json');
    return void res.end('{"cookies": 2}');
  }
  if (path === '/999') {
    res.writeHead(999, { 'content-type': 'application/json' });
    return void res.end('{}');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok": true}');
});

function releaseHangs(): void {
  for (const r of hanging.splice(0)) if (!r.destroyed) r.end('{"released": true}');
}

before(async () => {
  backend.listen(0, '127.0.0.1');
  await new Promise((r) => backend.once('listening', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  const api = await createApi(client, 'http-isolation');
  apiId = api.id;
  const http = (path: string, uri: string, extra: Record<string, unknown> = {}, responses?: Parameters<typeof putMethod>[3]['responses']) =>
    resourcePath(client, apiId, path).then((id) =>
      putMethod(client, apiId, id, {
        httpMethod: 'GET',
        integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri, ...extra },
        responses: responses ?? [{ statusCode: '200' }],
      }),
    );
  await http('/hang', `${backendUrl}/hang`);
  await http('/ok', `${backendUrl}/ok`);
  await http('/trickle', `${backendUrl}/trickle`, { timeoutInMillis: 500 });
  await http('/tls-mismatch', `${backendUrl.replace('http:', 'https:')}/ok`);
  await http('/status999', `${backendUrl}/999`);
  await http('/cookies', `${backendUrl}/cookies`, {}, [
    { statusCode: '200', responseParameters: { 'method.response.header.Set-Cookie': 'integration.response.header.Set-Cookie' } },
  ]);
  const proxy = await resourcePath(client, apiId, '/proxy/{proxy+}');
  await putMethod(client, apiId, proxy, {
    httpMethod: 'ANY',
    requestParameters: { 'method.request.path.proxy': true },
    integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backendUrl}/{proxy}`, requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
  });
  // The integration timeout's own gateway response answers the timeout.
  await client.send(new PutGatewayResponseCommand({
    restApiId: apiId, responseType: 'INTEGRATION_TIMEOUT', responseTemplates: { 'application/json': '{"message": $context.error.messageString, "type": "$context.error.responseType"}' },
  }));
  await deploy(client, apiId, 'test');
});

after(async () => {
  releaseHangs();
  client.destroy();
  await gh.close();
  backend.closeAllConnections();
  backend.close();
});

/** GET on the stage over a connection of its own (many may be open at once). */
function getOwn(agent: Agent, path: string): Promise<Answer> {
  const u = new URL(gh.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, agent, path: `/restapis/${apiId}/test/_user_request_${path}` }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('one route cannot starve another on the same back end', () => {
  test('300 requests hanging on /hang: /ok still answers while they are all pending', { timeout: 120_000 }, async () => {
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const inFlight = Math.min(300, DEFAULT_CALLS_PER_INTEGRATION);
    const arrived = new Promise<void>((resolve) => {
      onHang = () => {
        if (hangArrived >= inFlight) resolve();
      };
    });
    const hangs = Array.from({ length: 300 }, () => getOwn(agent, '/hang'));
    let settled = 0;
    for (const h of hangs) h.then(() => settled++, () => settled++);
    await arrived;
    const ok = await callStage(gh.url, apiId, 'test', '/ok');
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { ok: true });
    assert.equal(settled, 0, '/ok answered while every /hang request was pending');
    // Let them all finish: the ones waiting for a slot go out as slots free up.
    onHang = releaseHangs;
    releaseHangs();
    const answers = await Promise.all(hangs);
    onHang = null;
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    agent.destroy();
  });
});

describe('timeouts and unreachable back ends', () => {
  test('a body trickling in past timeoutInMillis: the integration timeout response, before the trickle ends', { timeout: 60_000 }, async () => {
    const r = await callStage(gh.url, apiId, 'test', '/trickle');
    assert.equal(r.status, 504);
    assert.deepEqual(JSON.parse(r.body), { message: 'Endpoint request timed out', type: 'INTEGRATION_TIMEOUT' });
    assert.equal(trickleEnded, false, 'answered while the back end was still sending');
  });

  test('https:// to a plain-HTTP port: 500 Internal server error', { timeout: 60_000 }, async () => {
    const r = await callStage(gh.url, apiId, 'test', '/tls-mismatch');
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
    assert.equal(r.headers['x-amzn-errortype'], 'InternalServerErrorException');
  });
});

describe('what the back end answered', () => {
  const cookies = ['session=abc; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT'];

  test('HTTP_PROXY passes each Set-Cookie header through as its own header', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/proxy/cookies');
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers['set-cookie'], cookies);
  });

  test('a mapped integration.response.header.Set-Cookie keeps each cookie its own header', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/cookies');
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers['set-cookie'], cookies);
  });

  test('status 999 from the back end: 502 Internal server error (HTTP_PROXY and HTTP)', async () => {
    for (const path of ['/proxy/999', '/status999']) {
      const r = await callStage(gh.url, apiId, 'test', path);
      assert.equal(r.status, 502, path);
      assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
    }
  });
});
