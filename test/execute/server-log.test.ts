// The server log for deployed APIs: at `info` one line for every request, with the request id the
// client saw; a request that ends in a 5xx or an integration error (a template error, a back end's
// 5xx, a missing or crashing Lambda function) has the reason API Gateway's execution log would
// give as its message; at `silent` nothing. The logger is a real pino logger writing into memory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import pino from 'pino';
import { configureLog, type LogLevel } from '../../src/observe/log.ts';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { callStage, createApi, deploy, json, putMethod, resourcePath, startBackend, type Answer, type Backend } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let lambda: LambdaClient;
let backend: Backend;
let apiId: string;
let lines: Record<string, unknown>[] = [];

function useLevel(level: LogLevel): void {
  lines = [];
  const sink = { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
  configureLog(level, { logger: pino({ level, base: undefined, formatters: { level: (label) => ({ level: label }) } }, sink) });
}

const uriOf = (fn: string): string => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn}/invocations`;

async function call(path: string): Promise<{ answer: Answer; requestId: string; logged: Record<string, unknown>[] }> {
  const answer = await callStage(gh.url, apiId, 'test', path);
  const requestId = answer.headers['x-amzn-requestid'] as string;
  assert.ok(requestId, 'the answer carries its request id');
  return { answer, requestId, logged: lines.filter((l) => l.requestId === requestId) };
}

before(async () => {
  useLevel('silent');
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  backend = await startBackend((req, _body, res) => {
    if (req.url === '/unavailable') return json(res, 503, { message: 'down for maintenance' });
    if (req.url === '/broken') return json(res, 500, { message: 'stack trace here' });
    json(res, 200, { ok: true });
  });
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'Crashes', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
    Code: { ZipFile: zip({ 'index.js': "exports.handler = async () => { throw new Error('kaboom in the handler'); };" }) },
  }));
  const api = await createApi(client, 'server-log');
  apiId = api.id;
  const method = async (path: string, spec: Omit<Parameters<typeof putMethod>[3], 'httpMethod'>) =>
    putMethod(client, apiId, await resourcePath(client, apiId, path), { httpMethod: 'GET', ...spec });
  await method('/ok', { integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend.url}/ok` }, responses: [{ statusCode: '200' }] });
  await method('/template-error', {
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': "#set($x = $util.parseJson('{not json'))$x" } }],
  });
  await method('/unavailable', { integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/unavailable` } });
  // The back end's 500 is mapped to a 200 for the client: still a failure for the operator.
  await method('/broken-mapped', { integration: { type: 'HTTP', integrationHttpMethod: 'GET', uri: `${backend.url}/broken` }, responses: [{ statusCode: '200' }] });
  await method('/missing-function', { integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: uriOf('NoSuchFunction') } });
  await method('/crashing-function', { integration: { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: uriOf('Crashes') } });
  await method('/crashing-custom', { integration: { type: 'AWS', integrationHttpMethod: 'POST', uri: uriOf('Crashes') }, responses: [{ statusCode: '200' }] });
  await deploy(client, apiId, 'test');
});

after(async () => {
  useLevel('silent');
  lambda.destroy();
  client.destroy();
  await gh.close();
  await backend.close();
});

describe('at info: one line per request, a failed one with its reason', () => {
  before(() => useLevel('info'));

  const cases: [path: string, status: number, reason: RegExp][] = [
    ['/template-error', 500, /^Execution failed due to configuration error: Unable to transform response|^Execution failed: .*parseJson/],
    ['/unavailable', 503, /^Endpoint responded with status 503$/],
    ['/broken-mapped', 200, /^Endpoint responded with status 500$/],
    ['/missing-function', 500, /^Execution failed due to configuration error: Lambda invocation failed with status: 404\. .*NoSuchFunction/],
    ['/crashing-function', 502, /customer function error.*kaboom in the handler/],
    ['/crashing-custom', 200, /customer function error.*kaboom in the handler/],
  ];
  for (const [path, status, reason] of cases) {
    test(`${path}: ${status}, logged with why`, { timeout: 60_000 }, async () => {
      const { answer, requestId, logged } = await call(path);
      assert.equal(answer.status, status, answer.body);
      assert.equal(logged.length, 1, `one line for request ${requestId}: ${JSON.stringify(lines)}`);
      const line = logged[0]!;
      assert.equal(line.level, 'info');
      assert.equal(line.status, status);
      assert.equal(line.method, 'GET');
      assert.match(String(line.reason), reason);
      assert.equal(line.msg, line.reason);
      assert.equal(line.target, `api ${apiId} stage test`);
    });
  }

  test('a request that succeeds writes its line, without a reason', async () => {
    const { answer, logged } = await call('/ok');
    assert.equal(answer.status, 200);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.level, 'info');
    assert.equal(logged[0]!.status, 200);
    assert.equal(logged[0]!.reason, undefined);
  });

  test('a client error (no such resource, 403) is not a server failure: a line without a reason', async () => {
    const { answer, logged } = await call('/nothing-here');
    assert.equal(answer.status, 403);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.status, 403);
    assert.equal(logged[0]!.reason, undefined);
  });
});

describe('at debug: the same one line per request', () => {
  before(() => useLevel('debug'));

  test('a success and a failure get one info line each', { timeout: 60_000 }, async () => {
    const ok = await call('/ok');
    assert.equal(ok.logged.length, 1);
    assert.equal(ok.logged[0]!.level, 'info');
    assert.equal(ok.logged[0]!.reason, undefined);
    const failed = await call('/unavailable');
    assert.equal(failed.logged.length, 1);
    assert.equal(failed.logged[0]!.level, 'info');
  });
});

describe('at silent: nothing', () => {
  before(() => useLevel('silent'));

  test('failures and successes alike write no line', { timeout: 60_000 }, async () => {
    for (const path of ['/template-error', '/unavailable', '/missing-function', '/ok']) await call(path);
    assert.deepEqual(lines, []);
  });
});
