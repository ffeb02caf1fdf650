// MOCK integrations end to end: the guide's "Configure Mock Integration for a Method" example,
// routing errors, ANY and HEAD, request ids.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;

// The guide's mock example: the request template picks the status from ?petType.
const REQUEST_TEMPLATE = `{
  #if( $input.params('petType') == "cat" )
    "statusCode": 200
  #elseif( $input.params('petType') == "dog" )
    "statusCode": 400
  #else
    "statusCode": 500
  #end
}`;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  const api = await createApi(client, 'mock-pets');
  apiId = api.id;
  const pets = await resourcePath(client, apiId, '/pets');
  await putMethod(client, apiId, pets, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.querystring.petType': false },
    integration: { type: 'MOCK', requestTemplates: { 'application/json': REQUEST_TEMPLATE } },
    responses: [
      { statusCode: '200', responseTemplates: { 'application/json': '## a comment\n{"id": 1, "name": "Kitty", "type": "$input.params(\'petType\')"}' } },
      { statusCode: '400', selectionPattern: '400', responseTemplates: { 'application/json': '{"Message": "Error: petType not valid."}' } },
      { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"Message": "Error: petType not valid or not specified."}' } },
    ],
  });
  const any = await resourcePath(client, apiId, '/any/{item}');
  await putMethod(client, apiId, any, {
    httpMethod: 'ANY',
    integration: { type: 'MOCK' },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"method": "$context.httpMethod", "item": "$input.params(\'item\')", "requestId": "$context.requestId", "resourcePath": "$context.resourcePath", "stage": "$context.stage", "path": "$context.path"}' } }],
  });
  const echo = await resourcePath(client, apiId, '/echo');
  await putMethod(client, apiId, echo, {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"c": "$input.params(\'constructor\')", "p": "$input.params(\'__proto__\')", "h": "$input.params().header.get(\'constructor\')", "n": $input.params().querystring.size()}' } }],
  });
  await deploy(client, apiId, 'test');
});

after(async () => {
  client.destroy();
  await gh.close();
});

describe('MOCK integration', () => {
  test('parameters named like Object.prototype members (__proto__, constructor) are parameters like any other', async () => {
    // They once reached plain objects: ?__proto__=x answered 500, a constructor header read as Object's function.
    const headers = JSON.parse('{"constructor": "h", "__proto__": "p"}') as Record<string, string>;
    const answer = await callStage(gh.url, apiId, 'test', '/pets?__proto__=x&constructor=y&petType=cat&toString=z', { headers });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { id: 1, name: 'Kitty', type: 'cat' });
    const echo = await callStage(gh.url, apiId, 'test', '/echo?__proto__=x&constructor=y', { headers });
    assert.equal(echo.status, 200);
    assert.deepEqual(JSON.parse(echo.body), { c: 'y', p: 'x', h: 'h', n: 2 });
    const dog = await callStage(gh.url, apiId, 'test', '/pets?constructor=1&petType=dog&hasOwnProperty=2');
    assert.equal(dog.status, 400);
  });

  test('the request template chooses the status code and the integration response renders the body', async () => {
    const cat = await callStage(gh.url, apiId, 'test', '/pets?petType=cat');
    assert.equal(cat.status, 200);
    assert.deepEqual(JSON.parse(cat.body), { id: 1, name: 'Kitty', type: 'cat' });
    assert.equal(cat.headers['content-type'], 'application/json');
    const dog = await callStage(gh.url, apiId, 'test', '/pets?petType=dog');
    assert.equal(dog.status, 400);
    assert.deepEqual(JSON.parse(dog.body), { Message: 'Error: petType not valid.' });
    const none = await callStage(gh.url, apiId, 'test', '/pets');
    assert.equal(none.status, 500);
    assert.deepEqual(JSON.parse(none.body), { Message: 'Error: petType not valid or not specified.' });
  });

  test('the execute-api Host header serves the same stage', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/pets?petType=cat', { host: `${apiId}.execute-api.localhost:4567` });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).name, 'Kitty');
  });

  test('ANY answers every verb; $context matches x-amzn-RequestId', async () => {
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
      const r = await callStage(gh.url, apiId, 'test', '/any/thing', { method });
      assert.equal(r.status, 200);
      const body = JSON.parse(r.body);
      assert.equal(body.method, method);
      assert.equal(body.item, 'thing');
      assert.equal(body.resourcePath, '/any/{item}');
      assert.equal(body.stage, 'test');
      assert.equal(body.path, '/test/any/thing');
      assert.equal(body.requestId, r.headers['x-amzn-requestid']);
    }
    const head = await callStage(gh.url, apiId, 'test', '/any/thing', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('no route or no method: 403 Missing Authentication Token', async () => {
    for (const [method, path] of [['GET', '/nowhere'], ['POST', '/pets'], ['GET', '/any']]) {
      const r = await callStage(gh.url, apiId, 'test', path!, { method });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.deepEqual(JSON.parse(r.body), { message: 'Missing Authentication Token' });
      assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      assert.match(String(r.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    }
  });

  test('unknown stage or API: 403 Forbidden', async () => {
    for (const [api, stage] of [[apiId, 'nostage'], ['nosuchapi1', 'test']]) {
      const r = await callStage(gh.url, api!, stage!, '/pets');
      assert.equal(r.status, 403);
      assert.deepEqual(JSON.parse(r.body), { message: 'Forbidden' });
      assert.equal(r.headers['x-amzn-errortype'], 'ForbiddenException');
    }
  });
});
