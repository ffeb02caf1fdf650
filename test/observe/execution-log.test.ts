// Execution logs: methods whose stage settings set logging/loglevel (INFO, ERROR) and
// logging/dataTrace write AWS's execution-log lines, "(requestId) text", to
// <data-dir>/logs/API-Gateway-Execution-Logs_{apiId}/{stage}.log: the texts TestInvokeMethod
// answers with, INFO without the request and response data unless dataTrace, ERROR only for
// requests answered with an error, credentials masked, events cut at 1 KB.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetResourcesCommand, TestInvokeMethodCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { decodeEvent, logFilePath } from '../../src/observe/log-files.ts';
import type { Gatehouse } from '../../src/server.ts';
import { until } from '../helpers/processes.ts';
import { apiGatewayClient, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let dataDir: string;
let apiId: string;

const BIG = 'b'.repeat(3000);

async function mock(path: string, status: number, template: string, responses = [{ statusCode: '200', responseTemplates: { 'application/json': template } }]): Promise<void> {
  await putMethod(client, apiId, await resourcePath(client, apiId, path), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` } },
    responses,
  });
}

before(async () => {
  dataDir = tempDataDir();
  gh = await startTestGatehouse({ dataDir });
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'execution-log')).id;
  await mock('/info', 200, '{"hello": "world"}');
  await mock('/trace', 200, '{"traced": true}');
  await mock('/big', 200, `{"big": "${BIG}"}`);
  await mock('/quiet', 200, '{}');
  await mock('/error', 500, '{}', [{ statusCode: '200', selectionPattern: '200', responseTemplates: { 'application/json': '{}' } } as never]);
  await mock('/off', 200, '{}');
  await deploy(client, apiId, 'prod');
  const set = (path: string, key: string, value: string) => ({ op: 'replace' as const, path: `${path}/${key}`, value });
  await client.send(new UpdateStageCommand({
    restApiId: apiId, stageName: 'prod',
    patchOperations: [
      set('/*/*', 'logging/loglevel', 'ERROR'),
      set('/~1info/GET', 'logging/loglevel', 'INFO'),
      set('/~1trace/GET', 'logging/loglevel', 'INFO'),
      set('/~1trace/GET', 'logging/dataTrace', 'true'),
      set('/~1big/GET', 'logging/loglevel', 'INFO'),
      set('/~1big/GET', 'logging/dataTrace', 'true'),
      set('/~1off/GET', 'logging/loglevel', 'OFF'),
    ],
  }));
});

after(async () => {
  client.destroy();
  await gh.close();
});

/** The request's execution-log texts (without the "(id) " prefix), once `last` is among them. */
async function logged(requestId: string, last = 'Method completed with status'): Promise<string[]> {
  const file = logFilePath(join(dataDir, 'logs'), `API-Gateway-Execution-Logs_${apiId}/prod`);
  const read = (): string[] => {
    if (!existsSync(file)) return [];
    const prefix = `(${requestId}) `;
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => decodeEvent(l)!.message).filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length));
  };
  await until(() => read().some((t) => t.startsWith(last)));
  return read();
}

async function call(path: string, headers: Record<string, string> = {}): Promise<{ status: number; requestId: string; extendedRequestId: string }> {
  const a = await callStage(gh.url, apiId, 'prod', path, { headers });
  return { status: a.status, requestId: String(a.headers['x-amzn-requestid']), extendedRequestId: String(a.headers['x-amz-apigw-id']) };
}

describe('INFO', () => {
  test('the execution without the request and response data', async () => {
    const r = await call('/info');
    assert.equal(r.status, 200);
    const texts = await logged(r.requestId);
    assert.deepEqual(texts, [
      `Extended Request Id: ${r.extendedRequestId}`,
      `Starting execution for request: ${r.requestId}`,
      'HTTP Method: GET, Resource Path: /info',
      'Successfully completed execution',
      'Method completed with status: 200',
    ]);
  });

  test('with dataTrace: the headers and bodies too, credentials masked; the texts TestInvokeMethod gives', async () => {
    const r = await call('/trace', { Authorization: 'Bearer secret-token-abcd', 'X-Api-Key': 'key-1234567890-wxyz', 'X-Trace': 'visible' });
    const texts = await logged(r.requestId);
    assert.ok(texts.includes('Method request path: {}'));
    assert.ok(texts.includes('Method request query string: {}'));
    // As AWS's recordings show: an empty body is logged as nothing, and a MOCK has no endpoint lines.
    assert.ok(texts.includes('Method request body before transformations: '));
    assert.ok(!texts.some((t) => t.startsWith('Endpoint request')));
    assert.ok(texts.includes('Method response body after transformations: {"traced": true}'));
    const headers = texts.find((t) => t.startsWith('Method request headers: '))!;
    assert.match(headers, /Authorization=\*{20}abcd/);
    assert.match(headers, /X-Api-Key=\*{15}wxyz/);
    assert.match(headers, /X-Trace=visible/);
    assert.doesNotMatch(headers, /secret-token/);
    // TestInvokeMethod on the same method: the same lines, in the same order (its own request's
    // values), after its own first line.
    const resources = await client.send(new GetResourcesCommand({ restApiId: apiId }));
    const resourceId = resources.items!.find((i) => i.path === '/trace')!.id!;
    const tested = await client.send(new TestInvokeMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET' }));
    const testTexts = tested.log!.trim().split('\n').slice(1).map((l) => l.replace(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : /, ''));
    const kind = (t: string) => t.replace(/:.*$/, '');
    assert.deepEqual(texts.slice(1).map(kind), testTexts.map(kind));
  });

  test('an event is cut at 1 KB', async () => {
    const r = await call('/big');
    const texts = await logged(r.requestId);
    const body = texts.find((t) => t.startsWith('Method response body after transformations: '))!;
    assert.ok(body.endsWith(' [TRUNCATED]'));
    assert.equal(Buffer.byteLength(`(${r.requestId}) ${body}`), 1024);
  });
});

describe('ERROR', () => {
  test('a request answered with an error: which request, the error, the completion', async () => {
    const r = await call('/error');
    assert.equal(r.status, 500);
    assert.deepEqual(await logged(r.requestId), [
      `Extended Request Id: ${r.extendedRequestId}`,
      `Starting execution for request: ${r.requestId}`,
      'Execution failed due to configuration error: No match for output mapping and no default output mapping specified',
      'Method completed with status: 500',
    ]);
  });

  test('a request no method matched follows the stage-wide setting', async () => {
    const r = await call('/nowhere');
    assert.equal(r.status, 403);
    assert.deepEqual((await logged(r.requestId)).slice(2), ['Missing Authentication Token', 'Method completed with status: 403']);
  });

  test('a request that succeeds writes nothing; nor does a method set to OFF', async () => {
    const quiet = await call('/quiet');
    const off = await call('/off');
    assert.equal(quiet.status, 200);
    assert.equal(off.status, 200);
    // A later request's lines are in the file; the earlier ones never came.
    const marker = await call('/info');
    await logged(marker.requestId);
    const file = readFileSync(logFilePath(join(dataDir, 'logs'), `API-Gateway-Execution-Logs_${apiId}/prod`), 'utf8');
    assert.ok(!file.includes(quiet.requestId));
    assert.ok(!file.includes(off.requestId));
  });
});
