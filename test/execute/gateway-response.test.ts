// Gateway responses configured on the API shape the errors of its deployed stages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PutGatewayResponseCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
});

after(async () => {
  client.destroy();
  await gh.close();
});

test('a customised MISSING_AUTHENTICATION_TOKEN and DEFAULT_5XX', async () => {
  const { id } = await createApi(client, 'gateway-responses');
  const r = await resourcePath(client, id, '/m');
  await putMethod(client, id, r, { httpMethod: 'GET', integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 503}' } }, responses: [{ statusCode: '200', selectionPattern: '200' }] });
  await client.send(new PutGatewayResponseCommand({
    restApiId: id, responseType: 'MISSING_AUTHENTICATION_TOKEN', statusCode: '404',
    responseParameters: { 'gatewayresponse.header.X-Why': "'no such route'" },
    responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType", "path": "$context.path"}' },
  }));
  await client.send(new PutGatewayResponseCommand({ restApiId: id, responseType: 'DEFAULT_5XX', responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } }));
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
