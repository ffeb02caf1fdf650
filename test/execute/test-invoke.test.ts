// TestInvokeMethod through the AWS SDK: the undeployed API, with stage variables, and the
// execution log in API Gateway's format.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PutIntegrationResponseCommand, TestInvokeMethodCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { createApi, json, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Backend;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  backend = await startBackend((req, body, res) => json(res, 200, { url: req.url, body }, { 'x-powered-by': 'Express' }));
});

after(async () => {
  client.destroy();
  await gh.close();
  await backend.close();
});

test('TestInvokeMethod runs the current, undeployed method and returns status, body, headers and the log', async () => {
  const { id } = await createApi(client, 'test-invoke');
  const r = await resourcePath(client, id, '/pets/{petId}');
  await putMethod(client, id, r, {
    httpMethod: 'POST',
    requestParameters: { 'method.request.path.petId': true },
    integration: {
      type: 'HTTP', integrationHttpMethod: 'POST', uri: '${stageVariables.url}/petstore/pets/{id}',
      requestParameters: { 'integration.request.path.id': 'method.request.path.petId' },
    },
    responses: [{ statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }],
  });
  const out = await client.send(new TestInvokeMethodCommand({
    restApiId: id, resourceId: r, httpMethod: 'POST', pathWithQueryString: '/pets/42?x=1',
    body: '{"type": "dog", "price": 249.99}', headers: { 'Content-Type': 'application/json' }, stageVariables: { url: backend.url },
  }));
  assert.equal(out.status, 200);
  assert.deepEqual(JSON.parse(out.body!), { url: '/petstore/pets/42', body: '{"type": "dog", "price": 249.99}' });
  // The answer carries the integration call's trace, as a deployed stage's does (recorded by AWS).
  const { 'X-Amzn-Trace-Id': trace, ...headers } = out.headers ?? {};
  assert.match(trace ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$/);
  assert.deepEqual(headers, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
  assert.deepEqual(out.multiValueHeaders, { 'Access-Control-Allow-Origin': ['*'], 'Content-Type': ['application/json'], 'X-Amzn-Trace-Id': [trace] });
  assert.equal(typeof out.latency, 'number');
  const log = out.log!;
  assert.match(log, /^Execution log for request [0-9a-f-]{36}\n/);
  const line = (text: string) => new RegExp(`^\\w{3} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4} : ${text}$`, 'm');
  assert.match(log, line('Starting execution for request: [0-9a-f-]{36}'));
  assert.match(log, line('HTTP Method: POST, Resource Path: /pets/42'));
  assert.match(log, line('Method request path: \\{petId=42\\}'));
  assert.match(log, line('Method request query string: \\{x=1\\}'));
  assert.match(log, line('Method request body before transformations: \\{"type": "dog", "price": 249.99\\}'));
  assert.match(log, line(`Endpoint request URI: ${backend.url}/petstore/pets/42`));
  assert.match(log, line(`Endpoint request headers: \\{x-amzn-apigateway-api-id=${id}, Accept=application/json, User-Agent=AmazonAPIGateway_${id}, .*Content-Type=application/json\\}`));
  assert.match(log, line('Received response. Status: 200, Integration latency: \\d+ ms'));
  assert.match(log, line('Method response headers: \\{Access-Control-Allow-Origin=\\*, Content-Type=application/json\\}'));
  assert.match(log, line('Successfully completed execution'));
  assert.match(log, line('Method completed with status: 200'));

  // A change is visible to the next test invocation without a deployment.
  await client.send(new PutIntegrationResponseCommand({ restApiId: id, resourceId: r, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{"changed": true}' } }));
  const again = await client.send(new TestInvokeMethodCommand({ restApiId: id, resourceId: r, httpMethod: 'POST', pathWithQueryString: '/pets/1', stageVariables: { url: backend.url } }));
  assert.equal(again.body, '{"changed": true}');
});

test('errors are reported with the log of where execution failed', async () => {
  const { id } = await createApi(client, 'test-invoke-errors');
  const r = await resourcePath(client, id, '/m');
  await putMethod(client, id, r, {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 404}' } },
    responses: [{ statusCode: '200', selectionPattern: '2\\d{2}' }],
  });
  const out = await client.send(new TestInvokeMethodCommand({ restApiId: id, resourceId: r, httpMethod: 'GET' }));
  assert.equal(out.status, 500);
  assert.deepEqual(JSON.parse(out.body!), { message: 'Internal server error' });
  assert.match(out.log!, /Execution failed due to configuration error: No match for output mapping and no default output mapping specified/);
  assert.match(out.log!, /Method completed with status: 500/);
});
