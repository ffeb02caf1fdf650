// Access logs: a stage's accessLogSettings write one line per request, in its format, to
// <data-dir>/logs/{log group}.log (with --data-dir :memory:, to stdout). AWS's CLF, JSON, XML and
// CSV examples are each parsed back and compared with what the client saw; more $context
// variables, missing values, a failed request, a changed format without a redeploy, a log group
// name with slashes. A real gateway on a real data directory, APIs made through the SDK.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { decodeEvent, logFilePath } from '../../src/observe/log-files.ts';
import type { Gatehouse } from '../../src/server.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { serveProcess, until } from '../helpers/processes.ts';
import { apiGatewayClient, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath, type Answer } from '../execute/helpers.ts';

// AWS's examples (the developer guide's "Access log formats", as the console offers them).
const FORMATS = {
  clf: '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId',
  json: '{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId","ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }',
  xml: '<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>',
  csv: '$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId',
};

const CLF_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

let gh: Gatehouse;
let client: APIGatewayClient;
let dataDir: string;
let apiId: string;

const arn = (group: string): string => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;

async function accessLogging(stage: string, group: string, format: string): Promise<void> {
  await client.send(new UpdateStageCommand({
    restApiId: apiId, stageName: stage,
    patchOperations: [{ op: 'replace', path: '/accessLogSettings/destinationArn', value: arn(group) }, { op: 'replace', path: '/accessLogSettings/format', value: format }],
  }));
}

/** The messages of a group's file once it holds a line with `needle`. */
async function messages(group: string, needle: string): Promise<string[]> {
  const file = logFilePath(join(dataDir, 'logs'), group);
  const read = (): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => decodeEvent(l)!.message) : []);
  await until(() => read().some((m) => m.includes(needle)));
  return read();
}

function seen(a: Answer): { requestId: string; extendedRequestId: string; length: number } {
  return { requestId: String(a.headers['x-amzn-requestid']), extendedRequestId: String(a.headers['x-amz-apigw-id']), length: Buffer.byteLength(a.body) };
}

before(async () => {
  dataDir = tempDataDir();
  gh = await startTestGatehouse({ dataDir });
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'access-log')).id;
  await putMethod(client, apiId, await resourcePath(client, apiId, '/items'), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"items": [1, 2, 3]}' } }],
  });
  await putMethod(client, apiId, await resourcePath(client, apiId, '/broken'), {
    httpMethod: 'GET',
    // The back end's 500 matches no integration response: 500, API_CONFIGURATION_ERROR.
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 500}' } },
    responses: [{ statusCode: '200', selectionPattern: '200' }],
  });
  for (const stage of ['clf', 'json', 'xml', 'csv', 'custom', 'slashes']) await deploy(client, apiId, stage);
  for (const [stage, format] of Object.entries(FORMATS)) await accessLogging(stage, `access-${stage}`, format);
});

after(async () => {
  client.destroy();
  await gh.close();
});

describe("AWS's example formats, parsed back", () => {
  test('CLF', async () => {
    const a = await callStage(gh.url, apiId, 'clf', '/items');
    const { requestId, extendedRequestId, length } = seen(a);
    const line = (await messages('access-clf', requestId)).find((m) => m.includes(requestId))!;
    const m = /^(\S+) (\S+) (\S+) \[([^\]]+)\]"(\S+) (\S+) (\S+)" (\d+) (\d+) (\S+) (\S+)$/.exec(line);
    assert.ok(m, line);
    assert.deepEqual(m.slice(1), ['127.0.0.1', '-', '-', m[4], 'GET', '/items', 'HTTP/1.1', '200', String(length), requestId, extendedRequestId]);
    assert.match(m[4]!, CLF_TIME);
  });

  test('JSON', async () => {
    const a = await callStage(gh.url, apiId, 'json', '/items');
    const { requestId, extendedRequestId, length } = seen(a);
    const line = (await messages('access-json', requestId)).find((m) => m.includes(requestId))!;
    const o = JSON.parse(line) as Record<string, string>;
    assert.match(o.requestTime!, CLF_TIME);
    assert.deepEqual({ ...o, requestTime: 'T' }, {
      requestId, extendedRequestId, ip: '127.0.0.1', caller: '-', user: '-', requestTime: 'T', httpMethod: 'GET', resourcePath: '/items', status: '200', protocol: 'HTTP/1.1', responseLength: String(length),
    });
  });

  test('XML', async () => {
    const a = await callStage(gh.url, apiId, 'xml', '/items');
    const { requestId, extendedRequestId, length } = seen(a);
    const line = (await messages('access-xml', requestId)).find((m) => m.includes(requestId))!;
    assert.equal(/^<request id="([^"]+)">/.exec(line)?.[1], requestId);
    const tags = Object.fromEntries([...line.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((t) => [t[1], t[2]]));
    assert.match(tags.requestTime!, CLF_TIME);
    assert.deepEqual({ ...tags, requestTime: 'T' }, {
      extendedRequestId, ip: '127.0.0.1', caller: '-', user: '-', requestTime: 'T', httpMethod: 'GET', resourcePath: '/items', status: '200', protocol: 'HTTP/1.1', responseLength: String(length),
    });
    assert.match(line, /<\/request>$/);
  });

  test('CSV', async () => {
    const a = await callStage(gh.url, apiId, 'csv', '/items');
    const { requestId, extendedRequestId, length } = seen(a);
    const line = (await messages('access-csv', requestId)).find((m) => m.includes(requestId))!;
    const fields = line.split(',');
    assert.match(fields[3]!, CLF_TIME);
    fields[3] = 'T';
    assert.deepEqual(fields, ['127.0.0.1', '-', '-', 'T', 'GET', '/items', 'HTTP/1.1', '200', String(length), requestId, extendedRequestId]);
  });

  test('one line per request, each with its time: the file is ISO time, a space, the line', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(seen(await callStage(gh.url, apiId, 'csv', '/items')).requestId);
    await messages('access-csv', ids[4]!);
    const raw = readFileSync(logFilePath(join(dataDir, 'logs'), 'access-csv'), 'utf8').split('\n').filter(Boolean);
    for (const id of ids) assert.equal(raw.filter((l) => l.includes(id)).length, 1);
    for (const l of raw) assert.match(l, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \d/);
  });
});

describe('other variables and settings', () => {
  test('latencies, ids, a failed request\'s error, and - for what has no value', async () => {
    await accessLogging('custom', 'access-custom', '$context.requestId $context.apiId $context.stage $context.status $context.integrationLatency $context.responseLatency $context.integration.status $context.error.responseType "$context.error.message" $context.identity.userAgent $context.noSuchVariable $context.authorizer.principalId.');
    const ok = seen(await callStage(gh.url, apiId, 'custom', '/items', { headers: { 'user-agent': 'probe/1.0' } }));
    const failed = await callStage(gh.url, apiId, 'custom', '/broken');
    assert.equal(failed.status, 500);
    const failedId = seen(failed).requestId;
    const missing = seen(await callStage(gh.url, apiId, 'custom', '/nowhere'));
    const lines = await messages('access-custom', missing.requestId);
    const fields = (id: string) => lines.find((l) => l.startsWith(id))!.split(' ');
    const o = fields(ok.requestId);
    assert.deepEqual([o[1], o[2], o[3]], [apiId, 'custom', '200']);
    assert.match(o[4]!, /^\d+$/);
    assert.match(o[5]!, /^\d+$/);
    assert.ok(Number(o[5]) >= Number(o[4]), 'the response takes at least as long as its integration');
    assert.deepEqual(o.slice(6), ['200', '-', '"-"', 'probe/1.0', '-', '-.']);
    const f = fields(failedId);
    assert.equal(f[3], '500');
    assert.equal(f[7], 'API_CONFIGURATION_ERROR');
    assert.equal(lines.find((l) => l.startsWith(failedId))!.split('"')[1], 'Internal server error');
    const n = fields(missing.requestId);
    // No method matched: 403, and no integration ran.
    assert.deepEqual([n[3], n[4], n[7]], ['403', '-', 'MISSING_AUTHENTICATION_TOKEN']);
  });

  test('UpdateStage changes the format for the next request, without a redeploy', async () => {
    await accessLogging('custom', 'access-custom', 'v2 $context.requestId');
    const id = seen(await callStage(gh.url, apiId, 'custom', '/items')).requestId;
    const lines = await messages('access-custom', id);
    assert.ok(lines.includes(`v2 ${id}`));
  });

  test('removing accessLogSettings stops the lines', async () => {
    await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'custom', patchOperations: [{ op: 'remove', path: '/accessLogSettings' }] }));
    const quiet = seen(await callStage(gh.url, apiId, 'custom', '/items')).requestId;
    await accessLogging('custom', 'access-custom', 'v3 $context.requestId');
    const next = seen(await callStage(gh.url, apiId, 'custom', '/items')).requestId;
    const lines = await messages('access-custom', next);
    assert.ok(!lines.some((l) => l.includes(quiet)));
  });

  test('a log group named like /aws/apigateway/name is one file of its own', async () => {
    await accessLogging('slashes', '/aws/apigateway/access-log', '$context.requestId');
    const id = seen(await callStage(gh.url, apiId, 'slashes', '/items')).requestId;
    assert.deepEqual(await messages('/aws/apigateway/access-log', id), [id]);
    assert.ok(existsSync(join(dataDir, 'logs', '%2Faws%2Fapigateway%2Faccess-log.log')));
  });
});

describe('--data-dir :memory:', { timeout: 120_000 }, () => {
  test('access log lines go to stdout, as they are', async () => {
    const p = await serveProcess(['--port', '0', '--data-dir', ':memory:']);
    try {
      const c = apiGatewayClient(p.url);
      const id = await createMockApi(c, 'stdout-access');
      await deploy(c, id, 'prod', { v: '1' });
      await c.send(new UpdateStageCommand({
        restApiId: id, stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/accessLogSettings/destinationArn', value: arn('stdout-group') }, { op: 'replace', path: '/accessLogSettings/format', value: 'ACCESS $context.requestId $context.status' }],
      }));
      c.destroy();
      const requestId = seen(await callStage(p.url, id, 'prod', '/hello')).requestId;
      await until(() => p.stdout().includes(`ACCESS ${requestId} 200\n`));
      assert.ok(p.stdout().split('\n').includes(`ACCESS ${requestId} 200`));
    } finally {
      await p.stop();
    }
  });
});

describe('rotation', () => {
  test('--log-file-max-mb and --log-files-kept bound a group: full files rotate, the oldest go', { timeout: 120_000 }, async () => {
    const dir = tempDataDir();
    const small = await startTestGatehouse({ dataDir: dir, logFileMaxMb: 1, logFilesKept: 1 });
    const c = apiGatewayClient(small.url);
    try {
      const id = await createMockApi(c, 'rotation');
      await deploy(c, id, 'prod', { v: '1' });
      // About 4 KB a line: a 1 MiB file holds at most 256 of them.
      await c.send(new UpdateStageCommand({
        restApiId: id, stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/accessLogSettings/destinationArn', value: arn('rotation') }, { op: 'replace', path: '/accessLogSettings/format', value: `$context.requestId ${'x'.repeat(4000)}` }],
      }));
      const ids: string[] = [];
      for (let i = 0; i < 700; i++) ids.push(seen(await callStage(small.url, id, 'prod', '/hello')).requestId);
      const file = logFilePath(join(dir, 'logs'), 'rotation');
      await until(() => existsSync(file) && readFileSync(file, 'utf8').includes(ids.at(-1)!));
      assert.ok(existsSync(`${file}.1`), 'rotated once at least');
      assert.ok(!existsSync(`${file}.2`), 'one rotated file kept');
      const kept = [...readFileSync(`${file}.1`, 'utf8').split('\n'), ...readFileSync(file, 'utf8').split('\n')].filter(Boolean).map((l) => decodeEvent(l)!.message.split(' ')[0]!);
      // The newest requests, in order and without a gap; the oldest were dropped with their file.
      assert.ok(kept.length < ids.length && kept.length >= 128, `${kept.length} lines kept`);
      assert.deepEqual(kept, ids.slice(ids.length - kept.length));
      for (const f of [file, `${file}.1`]) assert.ok(statSync(f).size <= 1024 * 1024, `${f} stays within the bound`);
    } finally {
      c.destroy();
      await small.close();
    }
  });
});
