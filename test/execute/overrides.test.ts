// $context.requestOverride and $context.responseOverride (AWS developer guide, "Override your
// API's request and response parameters and status codes"): a request template's overrides win
// over the parameter mappings; a response template's override the status and headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, json, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Backend;
let apiId: string;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  backend = await startBackend((req, body, res) => {
    if (req.url!.startsWith('/pets/-1')) return json(res, 200, { errors: [{ key: 'GetPetRequest.petId', message: 'The value is out of range.' }] });
    json(res, 200, { url: req.url, headers: req.headers, body });
  });
  ({ id: apiId } = await createApi(client, 'Overrides'));

  // The guide's example 1: the integration succeeds with an error body; the template turns it into a 400.
  const pet = await resourcePath(client, apiId, '/pets/{petId}');
  await putMethod(client, apiId, pet, {
    httpMethod: 'GET',
    requestParameters: { 'method.request.path.petId': true },
    integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend.url}/pets/{id}`, requestParameters: { 'integration.request.path.id': 'method.request.path.petId' } },
    responses: [{
      statusCode: '200',
      responseParameters: { 'method.response.header.X-Source': "'mapping'" },
      responseTemplates: {
        'application/json': `#set($inputRoot = $input.path('$'))
$input.json("$")
#if($inputRoot.toString().contains("error"))
#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.X-Source = "override")
#set($context.responseOverride.header.X-Error = "true")
#end`,
      },
    }],
  });

  // Request overrides: a header, a query string and a path parameter built in the template.
  const echo = await resourcePath(client, apiId, '/echo/{name}');
  await putMethod(client, apiId, echo, {
    httpMethod: 'POST',
    requestParameters: { 'method.request.path.name': true },
    integration: {
      type: 'HTTP', integrationHttpMethod: 'POST', uri: `${backend.url}/echo/{name}`,
      requestParameters: { 'integration.request.path.name': 'method.request.path.name', 'integration.request.header.x-mapped': "'from-mapping'" },
      requestTemplates: {
        'application/json': `#set($context.requestOverride.header.x-mapped = "from-template")
#set($context.requestOverride.header.x-combined = "$input.params('name')-$input.path('$.n')")
#set($context.requestOverride.querystring.q = $input.path('$.n'))
#set($context.requestOverride.path.name = "renamed")
{"n": $input.json('$.n')}`,
      },
    },
    responses: [{ statusCode: '200' }],
  });
  await deploy(client, apiId, 'test');
});

after(async () => {
  client.destroy();
  await backend.close();
  await gh.close();
});

describe('responseOverride', () => {
  test('a response template overrides the status code and headers', async () => {
    const bad = await callStage(gh.url, apiId, 'test', '/pets/-1');
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-source'], 'override');
    assert.equal(bad.headers['x-error'], 'true');
    assert.equal(JSON.parse(bad.body).errors[0].message, 'The value is out of range.');
    const ok = await callStage(gh.url, apiId, 'test', '/pets/1');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-source'], 'mapping');
    assert.equal(ok.headers['x-error'], undefined);
  });
});

describe('requestOverride', () => {
  test('a request template overrides headers, query strings and path parameters after the mappings', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/echo/cat', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 7 }),
    });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body);
    assert.equal(seen.url, '/echo/renamed?q=7');
    assert.equal(seen.headers['x-mapped'], 'from-template');
    assert.equal(seen.headers['x-combined'], 'cat-7');
    assert.deepEqual(JSON.parse(seen.body), { n: 7 });
  });
});
