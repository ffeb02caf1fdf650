// The errors API Gateway makes itself (no route, a body too large, an unsupported media type, an
// integration that timed out, failed or is misconfigured) answered through the deployed API's
// effective gateway responses: its own customization of the type, else its DEFAULT_4XX/5XX one,
// else AWS's default. A real Gatehouse, APIs built with the AWS SDK, calls over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutGatewayResponseCommand, type APIGatewayClient, type PutGatewayResponseCommandInput } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let silent: Backend;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'Fails', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
    Code: { ZipFile: zip({ 'index.js': `exports.handler = async () => { throw new Error('boom'); };` }) },
  }));
  // A back end that never answers: the integration times out.
  silent = await startBackend(() => {});
});

after(async () => {
  await silent.close();
  lambda.destroy();
  client.destroy();
  await gh.close();
});

const put = (restApiId: string, input: Omit<PutGatewayResponseCommandInput, 'restApiId'>) => client.send(new PutGatewayResponseCommand({ restApiId, ...input }));

/** An API with GET /pets (MOCK 200) and POST /strict (MOCK, application/json only). */
async function mockApi(name: string): Promise<string> {
  const { id } = await createApi(client, name);
  await putMethod(client, id, await resourcePath(client, id, '/pets'), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"pets": []}' } }],
  });
  await putMethod(client, id, await resourcePath(client, id, '/strict'), {
    httpMethod: 'POST',
    integration: { type: 'MOCK', passthroughBehavior: 'NEVER', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200' }],
  });
  return id;
}

describe('4xx made by the gateway', () => {
  test('a DEFAULT_4XX customization shows on a 403 for an unknown path once deployed, with its headers and template', async () => {
    const id = await mockApi('gr-default-4xx');
    await deploy(client, id, 'test');
    const before = await callStage(gh.url, id, 'test', '/nowhere', { headers: { Origin: 'https://app.example' } });
    assert.equal(before.status, 403);
    assert.equal(before.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.equal(before.headers['access-control-allow-origin'], undefined);
    assert.deepEqual(JSON.parse(before.body), { message: 'Missing Authentication Token' });

    await put(id, {
      responseType: 'DEFAULT_4XX',
      responseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.x-static': "'yes'",
        'gatewayresponse.header.x-query': 'method.request.querystring.q',
        'gatewayresponse.header.x-stage': 'context.stage',
      },
      responseTemplates: {
        'application/json': '{"error": $context.error.messageString, "raw": "$context.error.message", "type": "$context.error.responseType", "v": "$stageVariables.v"}',
      },
    });
    // The stage serves its deployment: the customization waits for the next one.
    const undeployed = await callStage(gh.url, id, 'test', '/nowhere', { headers: { Origin: 'https://app.example' } });
    assert.equal(undeployed.headers['access-control-allow-origin'], undefined);

    await deploy(client, id, 'test', { v: 'one' });
    for (const [method, path] of [['GET', '/nowhere?q=7'], ['POST', '/pets?q=7'], ['GET', '/?q=7']] as const) {
      const r = await callStage(gh.url, id, 'test', path, { method, headers: { Origin: 'https://app.example' } });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(r.headers['x-static'], 'yes');
      assert.equal(r.headers['x-query'], '7');
      assert.equal(r.headers['x-stage'], 'test');
      assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(r.body), { error: 'Missing Authentication Token', raw: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN', v: 'one' });
    }
    // A header whose source is absent is left out.
    const noOrigin = await callStage(gh.url, id, 'test', '/nowhere');
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
    assert.equal(noOrigin.headers['x-static'], 'yes');
    // A request that succeeds is untouched.
    const ok = await callStage(gh.url, id, 'test', '/pets', { headers: { Origin: 'https://app.example' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-static'], undefined);
  });

  test('a custom status: the type’s own, else DEFAULT_4XX’s for every untouched 4xx type; a customized type keeps its own', async () => {
    const id = await mockApi('gr-status');
    await put(id, { responseType: 'DEFAULT_4XX', statusCode: '404', responseTemplates: { 'application/json': '{"type": "$context.error.responseType"}' } });
    await deploy(client, id, 'test');
    const missing = await callStage(gh.url, id, 'test', '/nowhere');
    assert.deepEqual([missing.status, JSON.parse(missing.body)], [404, { type: 'MISSING_AUTHENTICATION_TOKEN' }]);
    const media = await callStage(gh.url, id, 'test', '/strict', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.deepEqual([media.status, JSON.parse(media.body)], [404, { type: 'UNSUPPORTED_MEDIA_TYPE' }]);
    assert.equal(media.headers['x-amzn-errortype'], 'UnsupportedMediaTypeException');

    // Customized without a status of its own: its own status, not DEFAULT_4XX's (as GetGatewayResponse shows it).
    await put(id, { responseType: 'MISSING_AUTHENTICATION_TOKEN', responseTemplates: { 'application/json': '{"own": true}' } });
    await put(id, { responseType: 'UNSUPPORTED_MEDIA_TYPE', statusCode: '406' });
    await deploy(client, id, 'test');
    const own = await callStage(gh.url, id, 'test', '/nowhere');
    assert.deepEqual([own.status, JSON.parse(own.body)], [403, { own: true }]);
    const media406 = await callStage(gh.url, id, 'test', '/strict', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.deepEqual([media406.status, JSON.parse(media406.body)], [406, { message: 'Unsupported Media Type' }]);
  });

  test('413 REQUEST_TOO_LARGE answers through the API’s response, with the request’s headers', async () => {
    const id = await mockApi('gr-413');
    await put(id, {
      responseType: 'REQUEST_TOO_LARGE',
      responseParameters: { 'gatewayresponse.header.x-origin': 'method.request.header.Origin' },
      responseTemplates: { 'application/json': '{"tooBig": $context.error.messageString}' },
    });
    await deploy(client, id, 'test');
    const r = await callStage(gh.url, id, 'test', '/pets', { method: 'POST', headers: { Origin: 'o.example' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a') });
    assert.equal(r.status, 413);
    assert.equal(r.headers['x-origin'], 'o.example');
    assert.deepEqual(JSON.parse(r.body), { tooBig: 'Request Too Long' });
  });

  test('templates are chosen by Accept and are not Velocity', async () => {
    const id = await mockApi('gr-accept');
    await put(id, {
      responseType: 'DEFAULT_4XX',
      responseTemplates: {
        'application/json': '{"json": true}',
        'application/xml': '#set($x = 1)<error type="$context.error.responseType">$context.error.message</error>',
      },
    });
    await deploy(client, id, 'test');
    const xml = await callStage(gh.url, id, 'test', '/nowhere', { headers: { Accept: 'text/html, application/xml;q=0.9' } });
    assert.equal(xml.headers['content-type'], 'application/xml');
    assert.equal(xml.body, '#set($x = 1)<error type="MISSING_AUTHENTICATION_TOKEN">Missing Authentication Token</error>');
    const json = await callStage(gh.url, id, 'test', '/nowhere', { headers: { Accept: 'text/html' } });
    assert.deepEqual([json.headers['content-type'], json.body], ['application/json', '{"json": true}']);
  });
});

describe('5xx made by the gateway', () => {
  /** GET /timeout (HTTP, never answered), GET /unreachable (HTTP, nothing listening), GET /lambda (AWS_PROXY, a function that throws). */
  async function failingApi(name: string): Promise<string> {
    const { id } = await createApi(client, name);
    await putMethod(client, id, await resourcePath(client, id, '/timeout'), {
      httpMethod: 'GET',
      integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${silent.url}/slow`, timeoutInMillis: 100 },
    });
    await putMethod(client, id, await resourcePath(client, id, '/unreachable'), {
      httpMethod: 'GET',
      integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'http://127.0.0.1:1/' },
    });
    await putMethod(client, id, await resourcePath(client, id, '/lambda'), {
      httpMethod: 'GET',
      integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/Fails/invocations` },
    });
    return id;
  }

  test('504 INTEGRATION_TIMEOUT, 500 API_CONFIGURATION_ERROR and 502 INTEGRATION_FAILURE through DEFAULT_5XX, then their own', { timeout: 60_000 }, async () => {
    const id = await failingApi('gr-5xx');
    await put(id, {
      responseType: 'DEFAULT_5XX',
      responseParameters: { 'gatewayresponse.header.x-five': "'yes'" },
      responseTemplates: { 'application/json': '{"type": "$context.error.responseType", "message": $context.error.messageString}' },
    });
    await deploy(client, id, 'test');
    const expected = {
      '/timeout': [504, 'INTEGRATION_TIMEOUT', 'Endpoint request timed out'],
      '/unreachable': [500, 'API_CONFIGURATION_ERROR', 'Internal server error'],
      '/lambda': [502, 'INTEGRATION_FAILURE', 'Internal server error'],
    } as const;
    for (const [path, [status, type, message]] of Object.entries(expected)) {
      const r = await callStage(gh.url, id, 'test', path);
      assert.equal(r.status, status, `${path}: ${r.body}`);
      assert.equal(r.headers['x-five'], 'yes', path);
      assert.equal(r.headers['x-amzn-errortype'], 'InternalServerErrorException', path);
      assert.deepEqual(JSON.parse(r.body), { type, message }, path);
    }

    // Their own customizations: a status of its own wins; without one the failure keeps its own
    // status (502 for the function, not INTEGRATION_FAILURE's listed 504); neither takes DEFAULT_5XX's headers.
    await put(id, { responseType: 'INTEGRATION_FAILURE', responseTemplates: { 'application/json': '{"failed": "$context.error.responseType"}' } });
    await put(id, { responseType: 'API_CONFIGURATION_ERROR', statusCode: '503' });
    await deploy(client, id, 'test');
    const failed = await callStage(gh.url, id, 'test', '/lambda');
    assert.deepEqual([failed.status, failed.headers['x-five'], JSON.parse(failed.body)], [502, undefined, { failed: 'INTEGRATION_FAILURE' }]);
    const misconfigured = await callStage(gh.url, id, 'test', '/unreachable');
    assert.deepEqual([misconfigured.status, misconfigured.headers['x-five'], JSON.parse(misconfigured.body)], [503, undefined, { message: 'Internal server error' }]);
    const timedOut = await callStage(gh.url, id, 'test', '/timeout');
    assert.deepEqual([timedOut.status, timedOut.headers['x-five']], [504, 'yes']);
  });

  test('a customised MISSING_AUTHENTICATION_TOKEN and DEFAULT_5XX on one API', async () => {
    const { id } = await createApi(client, 'gateway-responses');
    const r = await resourcePath(client, id, '/m');
    // MOCK answers 503, which no integration response selects: a configuration error.
    await putMethod(client, id, r, { httpMethod: 'GET', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 503}' } }, responses: [{ statusCode: '200', selectionPattern: '200' }] });
    await put(id, {
      responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '404',
      responseParameters: { 'gatewayresponse.header.X-Why': "'no such route'" },
      responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType", "path": "$context.path"}' },
    });
    await put(id, { responseType: 'DEFAULT_5XX', responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } });
    await deploy(client, id, 'test');
    const missing = await callStage(gh.url, id, 'test', '/nowhere');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-why'], 'no such route');
    assert.deepEqual(JSON.parse(missing.body), { error: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN', path: '/test/nowhere' });
    const failed = await callStage(gh.url, id, 'test', '/m');
    assert.equal(failed.status, 500);
    assert.equal(failed.headers['access-control-allow-origin'], '*');
    assert.deepEqual(JSON.parse(failed.body), { message: 'Internal server error' });
  });
});
