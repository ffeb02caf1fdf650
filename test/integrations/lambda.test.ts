// Lambda integrations end to end: real functions deployed with @aws-sdk/client-lambda into
// Gatehouse's Lambda service, APIs built with @aws-sdk/client-api-gateway, deployed stages called
// over HTTP. The guide's "Call Lambda Functions Synchronously" and "Create an API as a Lambda
// Proxy" (Calc) walkthroughs, the Lambda proxy integration (AWS_PROXY), error selection by
// errorMessage, function and integration timeouts, and stage variables in the function name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { ROLE, zip } from '../lambda/helpers.ts';

const ACCOUNT = '000000000000';
let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;

const uriOf = (fn: string): string => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn}/invocations`;
const arnOf = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

async function createFunction(name: string, code: string, extra: { Timeout?: number } = {}): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip({ 'index.js': code }) }, ...extra,
  }));
}

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  // The guide's walkthrough functions, verbatim in behaviour.
  await createFunction('GetHelloWorld', `exports.handler = function(event, context) {
  console.log('value1 =', event.key1);
  context.succeed({"Hello":"World"});
};`);
  await createFunction('GetHelloWithName', `exports.handler = function(event, context) {
  var name = (event.name === undefined ? 'No-Name' : event.name);
  context.done(null, {"Hello":name});
};`);
  await createFunction('Calc', `exports.handler = function(event, context) {
  var res = {};
  res.a = event.a;
  res.b = event.b;
  res.op = event.op;
  switch(event.op) {
    case "+": res.c = Number(event.a) + Number(event.b); break;
    case "-": res.c = Number(event.a) - Number(event.b); break;
    case "*": res.c = Number(event.a) * Number(event.b); break;
    case "/": res.c = Number(event.b)===0 ? NaN : Number(event.a) / Number(event.b); break;
    default: res.c = "Invalid op";
  }
  context.succeed(res);
};`);
});

after(async () => {
  lambda.destroy();
  client.destroy();
  await gh.close();
});

describe('Call Lambda Functions Synchronously (guide walkthrough)', () => {
  let apiId: string;
  before(async () => {
    const api = await createApi(client, 'LambdaSync');
    apiId = api.id;
    const res = await resourcePath(client, apiId, '/mydemoresource');
    await putMethod(client, apiId, res, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('GetHelloWorld')) },
      responses: [{ statusCode: '200' }],
    });
    await putMethod(client, apiId, res, {
      httpMethod: 'POST',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('GetHelloWithName')) },
      responses: [{ statusCode: '200' }],
    });
    // A GET on the name function with no template: API Gateway sends {} as the event.
    const named = await resourcePath(client, apiId, '/named');
    for (const httpMethod of ['GET', 'HEAD']) {
      await putMethod(client, apiId, named, {
        httpMethod,
        integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf('GetHelloWithName') },
        responses: [{ statusCode: '200' }],
      });
    }
    await deploy(client, apiId, 'test');
  });

  test('GET → GetHelloWorld → {"Hello":"World"}', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/mydemoresource');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { Hello: 'World' });
    assert.match(String(r.headers['content-type']), /application\/json/);
  });

  test('POST {"name":"User"} → {"Hello":"User"}; POST {} → {"Hello":"No-Name"}', async () => {
    const user = await callStage(gh.url, apiId, 'test', '/mydemoresource', { method: 'POST', body: '{"name":"User"}', headers: { 'content-type': 'application/json' } });
    assert.equal(user.status, 200);
    assert.deepEqual(JSON.parse(user.body), { Hello: 'User' });
    const none = await callStage(gh.url, apiId, 'test', '/mydemoresource', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.deepEqual(JSON.parse(none.body), { Hello: 'No-Name' });
  });

  test('GET and HEAD without a template send {} (function name without ARN, API partition)', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/named');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { Hello: 'No-Name' });
    const h = await callStage(gh.url, apiId, 'test', '/named', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    assert.equal(h.headers['content-length'], String(Buffer.byteLength('{"Hello":"No-Name"}')));
  });
});

describe('Create an API as a Lambda Proxy (guide: Calc through the Lambda service)', () => {
  let apiId: string;
  before(async () => {
    const api = await createApi(client, 'LambdaGate');
    apiId = api.id;
    // The guide's URI, with its double slash after path/.
    const uri = `arn:aws:apigateway:${REGION}:lambda:path//2015-03-31/functions/${arnOf('Calc')}/invocations`;
    const calc = await resourcePath(client, apiId, '/calc');
    await putMethod(client, apiId, calc, {
      httpMethod: 'GET',
      requestParameters: { 'method.request.querystring.operand1': false, 'method.request.querystring.operand2': false, 'method.request.querystring.operator': false },
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri,
        requestTemplates: { 'application/json': `{\n  "a": "$input.params('operand1')",\n  "b": "$input.params('operand2')",\n  "op": "$input.params('operator')"\n}` },
      },
      responses: [{ statusCode: '200' }],
    });
    await putMethod(client, apiId, calc, {
      httpMethod: 'POST',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri },
      responses: [{ statusCode: '200' }],
    });
    const byPath = await resourcePath(client, apiId, '/calc/{operand1}/{operand2}/{operator}');
    await putMethod(client, apiId, byPath, {
      httpMethod: 'GET',
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri,
        requestTemplates: {
          'application/json': `{\n  "a": "$input.params('operand1')",\n  "b": "$input.params('operand2')",\n  "op": #if($input.params('operator')=='%2F')"/"#{else}"$input.params('operator')"#end\n}`,
        },
      },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': `#set($res = $input.path('$'))\n$res.a $res.op $res.b = $res.c` } }],
    });
    await deploy(client, apiId, 'test');
  });

  test('GET /calc with query strings', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/calc?operand1=1&operand2=2&operator=%2B');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { a: '1', b: '2', op: '+', c: 3 });
    const bad = await callStage(gh.url, apiId, 'test', '/calc?operand1=1&operand2=2&operator=x');
    assert.equal(JSON.parse(bad.body).c, 'Invalid op');
  });

  test('POST /calc with a JSON payload passed through', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/calc', { method: 'POST', body: JSON.stringify({ a: 6, b: 7, op: '*' }), headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { a: 6, b: 7, op: '*', c: 42 });
    const div0 = await callStage(gh.url, apiId, 'test', '/calc', { method: 'POST', body: JSON.stringify({ a: 1, b: 0, op: '/' }), headers: { 'content-type': 'application/json' } });
    assert.deepEqual(JSON.parse(div0.body), { a: 1, b: 0, op: '/', c: null });
  });

  test('GET /calc/{operand1}/{operand2}/{operator} with path parameters and a response template', async () => {
    const r = await callStage(gh.url, apiId, 'test', '/calc/1/2/%2F');
    assert.equal(r.status, 200);
    assert.equal(r.body, '1 / 2 = 0.5');
    const minus = await callStage(gh.url, apiId, 'test', '/calc/5/3/-');
    assert.equal(minus.body, '5 - 3 = 2');
  });
});

describe('Lambda proxy integration (AWS_PROXY)', () => {
  let apiId: string;
  before(async () => {
    await createFunction('ProxyEcho', `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json', 'X-Custom': 'one' },
  multiValueHeaders: { 'X-Multi': ['a', 'b'] },
  body: JSON.stringify(event),
});`);
    await createFunction('ProxyCalc', `exports.handler = async (event) => {
  const input = event.httpMethod === 'POST' ? JSON.parse(event.body) : { ...(event.queryStringParameters || {}), ...(event.pathParameters || {}) };
  const a = Number(input.a), b = Number(input.b);
  const ops = { add: a + b, sub: a - b, mul: a * b, div: a / b };
  if (!(input.op in ops)) return { statusCode: 400, body: JSON.stringify({ message: 'Invalid op ' + input.op }) };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a, b, op: input.op, c: ops[input.op] }) };
};`);
    await createFunction('ProxyMalformed', `exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  if (q.kind === 'object-body') return { statusCode: 200, body: { not: 'a string' } };
  if (q.kind === 'extra') return { statusCode: 200, body: 'x', extra: true };
  if (q.kind === 'no-status') return { body: 'x' };
  if (q.kind === 'text') return 'hello';
  if (q.kind === 'throw') throw new Error('boom');
  return { statusCode: 204 };
};`);
    const api = await createApi(client, 'ProxyApi');
    apiId = api.id;
    const proxy = (fn: string) => ({ type: 'AWS_PROXY' as const, integrationHttpMethod: 'POST', uri: uriOf(arnOf(fn)) });
    const echo = await resourcePath(client, apiId, '/echo/{proxy+}');
    await putMethod(client, apiId, echo, { httpMethod: 'ANY', integration: proxy('ProxyEcho') });
    const calc = await resourcePath(client, apiId, '/calc');
    await putMethod(client, apiId, calc, { httpMethod: 'GET', integration: proxy('ProxyCalc') });
    await putMethod(client, apiId, calc, { httpMethod: 'POST', integration: proxy('ProxyCalc') });
    const calcPath = await resourcePath(client, apiId, '/calc/{a}/{b}/{op}');
    await putMethod(client, apiId, calcPath, { httpMethod: 'GET', integration: proxy('ProxyCalc') });
    const bad = await resourcePath(client, apiId, '/malformed');
    await putMethod(client, apiId, bad, { httpMethod: 'GET', integration: proxy('ProxyMalformed') });
    const missing = await resourcePath(client, apiId, '/missing');
    await putMethod(client, apiId, missing, { httpMethod: 'GET', integration: proxy('NoSuchFunction') });
    await deploy(client, apiId, 'prod', { color: 'blue' });
  });

  test('the event: names like __proto__ and constructor are ordinary headers and query parameters', async () => {
    const headers = JSON.parse('{"__proto__": "p", "constructor": "h"}') as Record<string, string>;
    const r = await callStage(gh.url, apiId, 'prod', '/echo/a?__proto__=x&constructor=y', { headers });
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body);
    assert.equal(e.headers.__proto__, 'p');
    assert.equal(e.headers.constructor, 'h');
    assert.deepEqual(e.multiValueHeaders.__proto__, ['p']);
    assert.deepEqual(JSON.parse(JSON.stringify(e.queryStringParameters)), JSON.parse('{"__proto__": "x", "constructor": "y"}'));
    assert.deepEqual(e.multiValueQueryStringParameters.constructor, ['y']);
  });

  test('the event: resource, path, method, headers, query strings, path parameters, stage variables, context, body', async () => {
    const r = await callStage(gh.url, apiId, 'prod', '/echo/a/b?x=1&x=2&y=3', {
      method: 'POST', body: '{"k":"v"}', headers: { 'content-type': 'application/json', 'X-Client': 'c1' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-custom'], 'one');
    // Two header lines, as API Gateway sends multiValueHeaders (Node's client joins them with ', ').
    assert.equal(r.headers['x-multi'], 'a, b');
    const e = JSON.parse(r.body);
    assert.equal(e.resource, '/echo/{proxy+}');
    assert.equal(e.path, '/echo/a/b');
    assert.equal(e.httpMethod, 'POST');
    assert.equal(e.headers['X-Client'], 'c1');
    assert.deepEqual(e.multiValueHeaders['X-Client'], ['c1']);
    assert.ok(e.headers['X-Amzn-Trace-Id'].startsWith('Root=1-'));
    assert.deepEqual(e.queryStringParameters, { x: '2', y: '3' });
    assert.deepEqual(e.multiValueQueryStringParameters, { x: ['1', '2'], y: ['3'] });
    assert.deepEqual(e.pathParameters, { proxy: 'a/b' });
    assert.deepEqual(e.stageVariables, { color: 'blue' });
    assert.equal(e.body, '{"k":"v"}');
    assert.equal(e.isBase64Encoded, false);
    const c = e.requestContext;
    assert.equal(c.accountId, ACCOUNT);
    assert.equal(c.apiId, apiId);
    assert.equal(c.stage, 'prod');
    assert.equal(c.resourcePath, '/echo/{proxy+}');
    assert.equal(c.httpMethod, 'POST');
    assert.equal(c.path, '/prod/echo/a/b');
    assert.equal(typeof c.requestId, 'string');
    assert.equal(typeof c.requestTimeEpoch, 'number');
    assert.equal(c.identity.sourceIp, '127.0.0.1');
    assert.equal(c.error, undefined);
  });

  test('a GET without query string or body: nulls where AWS sends null', async () => {
    const e = JSON.parse((await callStage(gh.url, apiId, 'prod', '/echo/z')).body);
    assert.equal(e.httpMethod, 'GET');
    assert.equal(e.queryStringParameters, null);
    assert.equal(e.multiValueQueryStringParameters, null);
    assert.equal(e.body, null);
  });

  test('Calc by proxy: GET with query strings, POST with JSON, path parameters, the function choosing 400', async () => {
    const q = await callStage(gh.url, apiId, 'prod', '/calc?a=2&b=3&op=add');
    assert.equal(q.status, 200);
    assert.deepEqual(JSON.parse(q.body), { a: 2, b: 3, op: 'add', c: 5 });
    const p = await callStage(gh.url, apiId, 'prod', '/calc', { method: 'POST', body: '{"a":6,"b":7,"op":"mul"}', headers: { 'content-type': 'application/json' } });
    assert.deepEqual(JSON.parse(p.body), { a: 6, b: 7, op: 'mul', c: 42 });
    const path = await callStage(gh.url, apiId, 'prod', '/calc/9/3/div');
    assert.deepEqual(JSON.parse(path.body), { a: 9, b: 3, op: 'div', c: 3 });
    const invalid = await callStage(gh.url, apiId, 'prod', '/calc?a=1&b=2&op=pow');
    assert.equal(invalid.status, 400);
    assert.deepEqual(JSON.parse(invalid.body), { message: 'Invalid op pow' });
    assert.match(String(invalid.headers['content-type']), /application\/json/);
  });

  test('malformed results and function errors → 502 {"message": "Internal server error"}', async () => {
    for (const kind of ['object-body', 'extra', 'text', 'throw']) {
      const r = await callStage(gh.url, apiId, 'prod', `/malformed?kind=${kind}`);
      assert.equal(r.status, 502, kind);
      assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' }, kind);
    }
    // No statusCode is 200, as AWS's recording of a result with headers only shows.
    const noStatus = await callStage(gh.url, apiId, 'prod', '/malformed?kind=no-status');
    assert.equal(noStatus.status, 200);
    assert.equal(noStatus.body, 'x');
    const ok = await callStage(gh.url, apiId, 'prod', '/malformed');
    assert.equal(ok.status, 204);
  });

  test('a function that does not exist → 500 {"message": "Internal server error"}', async () => {
    const r = await callStage(gh.url, apiId, 'prod', '/missing');
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
  });
});

describe('Lambda custom integration errors, timeouts and stage variables', () => {
  let apiId: string;
  before(async () => {
    await createFunction('FindItem', `exports.handler = function(event, context) {
  if (event.id === 'bad') return context.fail('Bad Request: id');
  if (event.id !== '1') return context.fail('Not Found: ' + event.id);
  context.succeed({ id: event.id, name: 'one' });
};`);
    await createFunction('Sleeper', `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { slept: event.ms }; };`, { Timeout: 1 });
    await createFunction('ProxySlow', `exports.handler = async () => { await new Promise((r) => setTimeout(r, 3000)); return { statusCode: 200 }; };`, { Timeout: 1 });
    await createFunction('SleeperLong', `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return { slept: event.ms }; };`, { Timeout: 10 });
    await createFunction('StageBlue', `exports.handler = async () => ({ color: 'blue' });`);
    await createFunction('StageGreen', `exports.handler = async () => ({ color: 'green' });`);
    const api = await createApi(client, 'LambdaErrors');
    apiId = api.id;
    const item = await resourcePath(client, apiId, '/items/{id}');
    await putMethod(client, apiId, item, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('FindItem')), requestTemplates: { 'application/json': `{"id": "$input.params('id')"}` } },
      responses: [
        { statusCode: '200' },
        { statusCode: '404', selectionPattern: 'Not Found.*', responseTemplates: { 'application/json': `{"error": "$input.path('$.errorMessage')"}` } },
      ],
    });
    const errors = await resourcePath(client, apiId, '/errors/{id}');
    await putMethod(client, apiId, errors, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('FindItem')), requestTemplates: { 'application/json': `{"id": "$input.params('id')"}` } },
      responses: [{ statusCode: '200' }, { statusCode: '400', selectionPattern: '.+' }],
    });
    const sleep = await resourcePath(client, apiId, '/sleep/{ms}');
    await putMethod(client, apiId, sleep, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('Sleeper')), requestTemplates: { 'application/json': `{"ms": $input.params('ms')}` } },
      responses: [{ statusCode: '200' }, { statusCode: '500', selectionPattern: '.*Task timed out.*' }],
    });
    const sleepProxy = await resourcePath(client, apiId, '/sleepproxy');
    await putMethod(client, apiId, sleepProxy, { httpMethod: 'GET', integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: uriOf(arnOf('ProxySlow')) } });
    const slow = await resourcePath(client, apiId, '/slow/{ms}');
    await putMethod(client, apiId, slow, {
      httpMethod: 'GET',
      integration: {
        type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(arnOf('SleeperLong')), timeoutInMillis: 500,
        requestTemplates: { 'application/json': `{"ms": $input.params('ms')}` },
      },
      responses: [{ statusCode: '200' }],
    });
    const color = await resourcePath(client, apiId, '/color');
    await putMethod(client, apiId, color, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:\${stageVariables.fn}`) },
      responses: [{ statusCode: '200' }],
    });
    const missing = await resourcePath(client, apiId, '/missing');
    await putMethod(client, apiId, missing, {
      httpMethod: 'GET',
      integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf('NoSuchFunction') },
      responses: [{ statusCode: '200' }],
    });
    await deploy(client, apiId, 'blue', { fn: 'StageBlue' });
    await deploy(client, apiId, 'green', { fn: 'StageGreen' });
  });

  test("context.fail('Not Found: x') is selected by 'Not Found.*' into the 404 method response", async () => {
    const r = await callStage(gh.url, apiId, 'blue', '/items/x');
    assert.equal(r.status, 404);
    assert.deepEqual(JSON.parse(r.body), { error: 'Not Found: x' });
    const ok = await callStage(gh.url, apiId, 'blue', '/items/1');
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { id: '1', name: 'one' });
  });

  test('an error no pattern matches answers with the default response and the error as body', async () => {
    const r = await callStage(gh.url, apiId, 'blue', '/items/bad');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body);
    assert.equal(body.errorMessage, 'Bad Request: id');
  });

  test("'.+' catches errors only: a successful result is matched as the empty string", async () => {
    assert.equal((await callStage(gh.url, apiId, 'blue', '/errors/1')).status, 200);
    assert.equal((await callStage(gh.url, apiId, 'blue', '/errors/2')).status, 400);
  });

  test('function timeout: a function error the selection pattern can catch (custom), 502 (proxy)', async () => {
    const r = await callStage(gh.url, apiId, 'blue', '/sleep/3000');
    assert.equal(r.status, 500);
    assert.match(JSON.parse(r.body).errorMessage, /Task timed out after 1\.00 seconds/);
    const ok = await callStage(gh.url, apiId, 'blue', '/sleep/10');
    assert.deepEqual(JSON.parse(ok.body), { slept: 10 });
    const p = await callStage(gh.url, apiId, 'blue', '/sleepproxy');
    assert.equal(p.status, 502);
  });

  test('integration timeout (timeoutInMillis) → 504 Endpoint request timed out', async () => {
    // A worker's cold start can outlast the 500 ms deadline on a loaded machine: warm one first
    // (a call the deadline cut still starts its worker), so only the function's own time counts.
    while ((await callStage(gh.url, apiId, 'blue', '/slow/10')).status !== 200) await new Promise((r) => setTimeout(r, 100));
    // The function would answer 200 after 3 s: the 504 shows the gateway stopped waiting.
    const r = await callStage(gh.url, apiId, 'blue', '/slow/3000');
    assert.equal(r.status, 504);
    assert.deepEqual(JSON.parse(r.body), { message: 'Endpoint request timed out' });
  });

  test('a stage variable in the function ARN picks the function per stage', async () => {
    assert.deepEqual(JSON.parse((await callStage(gh.url, apiId, 'blue', '/color')).body), { color: 'blue' });
    assert.deepEqual(JSON.parse((await callStage(gh.url, apiId, 'green', '/color')).body), { color: 'green' });
  });

  test('a function that does not exist → 500 {"message": "Internal server error"}', async () => {
    const r = await callStage(gh.url, apiId, 'blue', '/missing');
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), { message: 'Internal server error' });
  });
});
