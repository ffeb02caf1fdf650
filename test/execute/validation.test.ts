// Request validators applied by deployed APIs: required parameters (header, query string, path)
// and JSON bodies against the method's model (draft-04, $ref between models), each validator
// combination, AWS's 400 bodies through BAD_REQUEST_PARAMETERS and BAD_REQUEST_BODY (and a
// customised one reading $context.error.validationErrorString), the content-type choice
// ($default), and TestInvokeMethod's validation lines. A real Gatehouse, APIs built with the AWS
// SDK, MOCK and HTTP back ends, calls over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateModelCommand, CreateRequestValidatorCommand, PutGatewayResponseCommand, PutIntegrationCommand, PutIntegrationResponseCommand,
  PutMethodCommand, PutMethodResponseCommand, TestInvokeMethodCommand, type APIGatewayClient, type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, json, resourcePath, startBackend, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let backend: Backend;

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  backend = await startBackend((req, body, res) => json(res, 200, { got: body, url: req.url }));
});

after(async () => {
  await backend.close();
  client.destroy();
  await gh.close();
});

const MOCK: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'> = {
  type: 'MOCK',
  requestTemplates: { 'application/json': '{"statusCode": 200}', 'text/plain': '{"statusCode": 200}' },
};

interface Spec {
  httpMethod: string;
  path: string;
  apiKeyRequired?: boolean;
  validatorId?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  integration?: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>;
}

async function method(restApiId: string, s: Spec): Promise<string> {
  const resourceId = await resourcePath(client, restApiId, s.path);
  const { httpMethod } = s;
  await client.send(new PutMethodCommand({
    restApiId, resourceId, httpMethod, authorizationType: 'NONE', apiKeyRequired: s.apiKeyRequired,
    requestValidatorId: s.validatorId, requestParameters: s.requestParameters, requestModels: s.requestModels,
  }));
  await client.send(new PutIntegrationCommand({ restApiId, resourceId, httpMethod, ...(s.integration ?? MOCK) }));
  await client.send(new PutMethodResponseCommand({ restApiId, resourceId, httpMethod, statusCode: '200' }));
  await client.send(new PutIntegrationResponseCommand({
    restApiId, resourceId, httpMethod, statusCode: '200',
    responseTemplates: s.integration === undefined ? { 'application/json': '{"ok": true}' } : undefined,
  }));
  return resourceId;
}

const PET = JSON.stringify({
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'Pet',
  type: 'object',
  required: ['name', 'price', 'owner'],
  properties: {
    name: { type: 'string', minLength: 2 },
    type: { type: 'string', enum: ['dog', 'cat'] },
    price: { type: 'number', minimum: 1, maximum: 500 },
    owner: { $ref: 'https://apigateway.amazonaws.com/restapis/API/models/Owner' },
  },
});
const OWNER = JSON.stringify({
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'Owner',
  type: 'object',
  required: ['email'],
  properties: { email: { type: 'string' } },
});

interface Validators {
  all: string;
  params: string;
  body: string;
  none: string;
}

async function apiWithValidators(name: string): Promise<{ id: string; v: Validators }> {
  const { id } = await createApi(client, name);
  await client.send(new CreateModelCommand({ restApiId: id, name: 'Owner', contentType: 'application/json', schema: OWNER }));
  await client.send(new CreateModelCommand({ restApiId: id, name: 'Pet', contentType: 'application/json', schema: PET.replace('/API/', `/${id}/`) }));
  const make = async (n: string, body: boolean, params: boolean) =>
    (await client.send(new CreateRequestValidatorCommand({ restApiId: id, name: n, validateRequestBody: body, validateRequestParameters: params }))).id!;
  const v = { all: await make('all', true, true), params: await make('params', false, true), body: await make('body', true, false), none: await make('none', false, false) };
  return { id, v };
}

const REQUIRED = {
  'method.request.header.X-Tenant': true,
  'method.request.querystring.q': true,
  'method.request.querystring.optional': false,
  'method.request.querystring.page': true,
};
const GOOD = JSON.stringify({ name: 'Rex', type: 'dog', price: 25, owner: { email: 'a@b.c' } });

describe('request validators on a deployed API', () => {
  let id: string;
  before(async () => {
    const api = await apiWithValidators('validation');
    id = api.id;
    const { v } = api;
    for (const [path, validatorId] of [['/all', v.all], ['/params', v.params], ['/body', v.body], ['/none', v.none], ['/unset', undefined]] as const) {
      await method(id, { httpMethod: 'POST', path, validatorId, requestParameters: REQUIRED, requestModels: { 'application/json': 'Pet' } });
    }
    await method(id, { httpMethod: 'GET', path: '/items/{itemId}', validatorId: v.params, requestParameters: { 'method.request.path.itemId': true } });
    await method(id, { httpMethod: 'POST', path: '/anytype', validatorId: v.body, requestModels: { $default: 'Pet' } });
    await method(id, { httpMethod: 'POST', path: '/keyed', validatorId: v.all, apiKeyRequired: true, requestParameters: REQUIRED, requestModels: { 'application/json': 'Pet' } });
    await method(id, {
      httpMethod: 'POST', path: '/http', validatorId: v.all, requestParameters: { 'method.request.header.X-Tenant': true }, requestModels: { 'application/json': 'Pet' },
      integration: { type: 'HTTP', integrationHttpMethod: 'POST', uri: `${backend.url}/echo` },
    });
    await deploy(client, id, 'test');
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    callStage(gh.url, id, 'test', path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  test('missing required query strings and header: 400 with the names in the order of their expressions, sorted', async () => {
    const r = await post('/all', GOOD);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { message: 'Missing required request parameters: [X-Tenant, page, q]' });
    assert.equal(r.headers['x-amzn-errortype'], 'BadRequestException');
    const one = await post('/all?q=1&page=', GOOD, { 'X-Tenant': 't' });
    assert.equal(one.status, 400, 'a blank value is missing');
    assert.deepEqual(JSON.parse(one.body), { message: 'Missing required request parameters: [page]' });
    const ok = await post('/all?q=1&page=2', GOOD, { 'x-tenant': 't' });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { ok: true });
  });

  test('parameters are checked before the body', async () => {
    const r = await post('/all', '{"name": 1}');
    assert.deepEqual(JSON.parse(r.body), { message: 'Missing required request parameters: [X-Tenant, page, q]' });
  });

  test('an invalid body: 400 Invalid request body; missing $ref-ed fields count', async () => {
    const h = { 'X-Tenant': 't' };
    for (const bad of [
      '{"name": "Rex", "price": 25}',
      '{"name": "Rex", "price": 25, "owner": {}}',
      '{"name": "R", "price": 0, "owner": {"email": "x"}}',
      '{"name": "Rex", "price": 25, "owner": {"email": 5}}',
      '{"name": "Rex", "type": "fish", "price": 25, "owner": {"email": "x"}}',
      'not json',
      '[]',
    ]) {
      const r = await post('/all?q=1&page=1', bad, h);
      assert.equal(r.status, 400, bad);
      assert.deepEqual(JSON.parse(r.body), { message: 'Invalid request body' }, bad);
    }
  });

  test('each validator checks only what it names', async () => {
    // params only: a bad body passes, missing parameters do not.
    assert.equal((await post('/params?q=1&page=1', '{}', { 'X-Tenant': 't' })).status, 200);
    assert.equal((await post('/params', GOOD)).status, 400);
    // body only: missing parameters pass, a bad body does not.
    assert.equal((await post('/body', GOOD)).status, 200);
    assert.deepEqual(JSON.parse((await post('/body', '{}')).body), { message: 'Invalid request body' });
    // a validator checking neither, and no validator at all.
    assert.equal((await post('/none', '{}')).status, 200);
    assert.equal((await post('/unset', '{}')).status, 200);
  });

  test('a required path parameter that is blank is missing', async () => {
    assert.equal((await callStage(gh.url, id, 'test', '/items/42')).status, 200);
    const r = await callStage(gh.url, id, 'test', '/items/%20');
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { message: 'Missing required request parameters: [itemId]' });
  });

  test('the model is chosen by content type; none for the type means no validation; $default applies to all types', async () => {
    // No model for text/plain: not validated.
    assert.equal((await post('/body', '{}', { 'content-type': 'text/plain' })).status, 200);
    // No Content-Type is application/json.
    const noType = await callStage(gh.url, id, 'test', '/body', { method: 'POST', body: '{}' });
    assert.equal(noType.status, 400);
    // Content-Type parameters do not matter.
    assert.equal((await post('/body', '{}', { 'content-type': 'application/json; charset=utf-8' })).status, 400);
    // $default: every content type.
    assert.equal((await post('/anytype', '{}', { 'content-type': 'text/plain' })).status, 400);
    assert.equal((await post('/anytype', GOOD, { 'content-type': 'text/plain' })).status, 200);
  });

  test('access control comes first: a method needing an API key refuses a keyless invalid request with 403, not 400', async () => {
    const r = await post('/keyed', '{}');
    assert.equal(r.status, 403);
    assert.deepEqual(JSON.parse(r.body), { message: 'Forbidden' });
  });

  test('an HTTP back end is not called when validation fails, and gets the body when it passes', async () => {
    const before = backend.requests.length;
    assert.equal((await post('/http', GOOD)).status, 400);
    assert.equal((await post('/http', '{}', { 'X-Tenant': 't' })).status, 400);
    assert.equal(backend.requests.length, before);
    const ok = await post('/http', GOOD, { 'X-Tenant': 't' });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).got, GOOD);
    assert.equal(backend.requests.length, before + 1);
  });
});

describe('customised validation responses', () => {
  test('BAD_REQUEST_BODY and BAD_REQUEST_PARAMETERS templates read $context.error.validationErrorString', async () => {
    const { id, v } = await apiWithValidators('validation-custom');
    await method(id, { httpMethod: 'POST', path: '/pets', validatorId: v.all, requestParameters: { 'method.request.querystring.q': true }, requestModels: { 'application/json': 'Pet' } });
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'BAD_REQUEST_BODY', statusCode: '422',
      // Gateway response templates substitute variables only (no $util): the detail is raw text.
      responseTemplates: { 'application/json': 'type=$context.error.responseType detail=$context.error.validationErrorString' },
    }));
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'BAD_REQUEST_PARAMETERS',
      responseTemplates: { 'application/json': '{"params": "$context.error.validationErrorString", "m": $context.error.messageString}' },
    }));
    await deploy(client, id, 'test');
    const body = await callStage(gh.url, id, 'test', '/pets?q=1', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "R", "price": 0, "type": "fish"}',
    });
    assert.equal(body.status, 422);
    assert.equal(
      body.body,
      'type=BAD_REQUEST_BODY detail=[object has missing required properties (["owner"]), string "R" is too short (length: 1, required minimum: 2), '
        + 'instance value ("fish") not found in enum (possible values: ["dog","cat"]), '
        + 'numeric instance is lower than the required minimum (minimum: 1, found: 0)]',
    );
    const params = await callStage(gh.url, id, 'test', '/pets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: GOOD });
    assert.equal(params.status, 400);
    assert.deepEqual(JSON.parse(params.body), {
      params: 'Missing required request parameters: [q]',
      m: 'Missing required request parameters: [q]',
    });
  });
});

describe('TestInvokeMethod', () => {
  test('the execution log shows the validation result', async () => {
    const { id, v } = await apiWithValidators('validation-test-invoke');
    const resourceId = await method(id, {
      httpMethod: 'POST', path: '/pets', validatorId: v.all, requestParameters: { 'method.request.querystring.q': true }, requestModels: { 'application/json': 'Pet' },
    });
    const missing = await client.send(new TestInvokeMethodCommand({ restApiId: id, resourceId, httpMethod: 'POST', pathWithQueryString: '/pets', body: GOOD }));
    assert.equal(missing.status, 400);
    assert.deepEqual(JSON.parse(missing.body!), { message: 'Missing required request parameters: [q]' });
    assert.match(missing.log!, / : Request validation failed for: Missing required request parameters: \[q\]\n.* : Method completed with status: 400\n/);

    const bad = await client.send(new TestInvokeMethodCommand({
      restApiId: id, resourceId, httpMethod: 'POST', pathWithQueryString: '/pets?q=1', body: '{"name": "Rex", "price": 900, "owner": {"email": "x"}}',
      headers: { 'Content-Type': 'application/json' },
    }));
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body!), { message: 'Invalid request body' });
    assert.match(
      bad.log!,
      / : Request body does not match model schema for content type application\/json: \[numeric instance is greater than the required maximum \(maximum: 500, found: 900\)\]\n/,
    );
    assert.doesNotMatch(bad.log!, /Endpoint request body after transformations/);

    const ok = await client.send(new TestInvokeMethodCommand({ restApiId: id, resourceId, httpMethod: 'POST', pathWithQueryString: '/pets?q=1', body: GOOD }));
    assert.equal(ok.status, 200);
    assert.doesNotMatch(ok.log!, /Request validation failed|does not match model schema/);
  });
});
