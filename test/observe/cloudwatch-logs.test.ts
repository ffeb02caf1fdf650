// The CloudWatch Logs API over the logs the gateway wrote, driven by the real AWS CLI and boto3:
// describe-log-groups, describe-log-streams, get-log-events and filter-log-events (with filter
// patterns and paging) read back what requests wrote to access and execution logs; `aws logs
// tail`'s calls (FilterLogEvents with interleaved and startTime, then again from the newest
// timestamp for --follow, deduplicated by eventId) through boto3, as the AWS CLI v2 makes them;
// AWS's errors; events read across rotated files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LogFiles } from '../../src/observe/log-files.ts';
import { LOG_STREAM_NAME, LogReader } from '../../src/observe/log-reader.ts';
import type { Gatehouse } from '../../src/server.ts';
import { serveProcess, until } from '../helpers/processes.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { apiGatewayClient, awsCli, awsCliError, CREDENTIALS, REGION, startTestGatehouse, tempDataDir } from '../helpers/server.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';

const run = promisify(execFile);

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;
let execGroup: string;
const ACCESS_GROUP = 'cw-access';

type Events = { events: { message: string; timestamp: number; eventId?: string; logStreamName?: string; ingestionTime: number }[]; nextToken?: string };

async function request(path = '/items'): Promise<string> {
  const a = await callStage(gh.url, apiId, 'prod', path);
  return String(a.headers['x-amzn-requestid']);
}

/** boto3 against the gateway; the script gets `logs` (a client) and `args` (JSON), and prints JSON. */
async function boto3(script: string, args: unknown): Promise<any> {
  const program = `
import boto3, json, sys
logs = boto3.client('logs', endpoint_url=sys.argv[1], region_name='${REGION}', aws_access_key_id='${CREDENTIALS.accessKeyId}', aws_secret_access_key='${CREDENTIALS.secretAccessKey}')
args = json.loads(sys.argv[2])
${script}
`;
  const { stdout } = await run('python3', ['-c', program, gh.url, JSON.stringify(args)]);
  return JSON.parse(stdout);
}

before(async () => {
  gh = await startTestGatehouse({ dataDir: tempDataDir() });
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'cw-logs')).id;
  execGroup = `API-Gateway-Execution-Logs_${apiId}/prod`;
  await putMethod(client, apiId, await resourcePath(client, apiId, '/items'), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"items": []}' } }],
  });
  await deploy(client, apiId, 'prod');
  await client.send(new UpdateStageCommand({
    restApiId: apiId, stageName: 'prod',
    patchOperations: [
      { op: 'replace', path: '/accessLogSettings/destinationArn', value: `arn:aws:logs:${REGION}:000000000000:log-group:${ACCESS_GROUP}` },
      { op: 'replace', path: '/accessLogSettings/format', value: '{"requestId":"$context.requestId","status":"$context.status","path":"$context.resourcePath"}' },
      { op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' },
    ],
  }));
});

after(async () => {
  client.destroy();
  await gh.close();
});

describe('the AWS CLI', () => {
  test('describe-log-groups lists the access and execution log groups; a prefix narrows them', async () => {
    await request();
    const all = await awsCli(gh.url, ['logs', 'describe-log-groups']) as { logGroups: Record<string, unknown>[] };
    const names = all.logGroups.map((g) => g.logGroupName);
    assert.ok(names.includes(ACCESS_GROUP));
    assert.ok(names.includes(execGroup));
    const exec = all.logGroups.find((g) => g.logGroupName === execGroup)!;
    assert.equal(exec.arn, `arn:aws:logs:${REGION}:000000000000:log-group:${execGroup}:*`);
    assert.ok((exec.storedBytes as number) > 0);
    assert.equal(typeof exec.creationTime, 'number');
    const some = await awsCli(gh.url, ['logs', 'describe-log-groups', '--log-group-name-prefix', 'API-Gateway-Execution-Logs_']) as { logGroups: { logGroupName: string }[] };
    assert.ok(some.logGroups.every((g) => g.logGroupName.startsWith('API-Gateway-Execution-Logs_')));
    assert.ok(some.logGroups.some((g) => g.logGroupName === execGroup));
  });

  test('describe-log-streams: the host\'s stream, with its first and last event times', async () => {
    const out = await awsCli(gh.url, ['logs', 'describe-log-streams', '--log-group-name', execGroup]) as { logStreams: Record<string, unknown>[] };
    assert.equal(out.logStreams.length, 1);
    const s = out.logStreams[0]!;
    assert.equal(s.logStreamName, LOG_STREAM_NAME);
    assert.ok((s.lastEventTimestamp as number) >= (s.firstEventTimestamp as number));
  });

  test('get-log-events reads what a request wrote, from the head or the newest', async () => {
    const id = await request();
    const fromHead = await awsCli(gh.url, ['logs', 'get-log-events', '--log-group-name', execGroup, '--log-stream-name', LOG_STREAM_NAME, '--start-from-head']) as Events & { nextForwardToken: string };
    const mine = fromHead.events.filter((e) => e.message.startsWith(`(${id}) `)).map((e) => e.message.slice(id.length + 3));
    assert.deepEqual(mine.slice(1), [`Starting execution for request: ${id}`, 'HTTP Method: GET, Resource Path: /items', 'Successfully completed execution', 'Method completed with status: 200']);
    const newest = await awsCli(gh.url, ['logs', 'get-log-events', '--log-group-name', execGroup, '--log-stream-name', LOG_STREAM_NAME, '--limit', '1']) as Events;
    assert.deepEqual(newest.events.map((e) => e.message), [`(${id}) Method completed with status: 200`]);
    // The forward token of a reader at the end gives the events written after it.
    const later = await request();
    const next = await awsCli(gh.url, ['logs', 'get-log-events', '--log-group-name', execGroup, '--log-stream-name', LOG_STREAM_NAME, '--next-token', fromHead.nextForwardToken]) as Events;
    assert.ok(next.events.length > 0 && next.events.every((e) => e.message.startsWith(`(${later}) `)), JSON.stringify(next.events));
  });

  test('filter-log-events with term and JSON filter patterns', async () => {
    const id = await request();
    const terms = await awsCli(gh.url, ['logs', 'filter-log-events', '--log-group-name', execGroup, '--filter-pattern', `"${id}" "Method completed"`]) as Events;
    assert.deepEqual(terms.events.map((e) => e.message), [`(${id}) Method completed with status: 200`]);
    assert.equal(terms.events[0]!.logStreamName, LOG_STREAM_NAME);
    const json = await awsCli(gh.url, ['logs', 'filter-log-events', '--log-group-name', ACCESS_GROUP, '--filter-pattern', `{ $.requestId = "${id}" && $.status = 200 }`]) as Events;
    assert.deepEqual(json.events.map((e) => JSON.parse(e.message)), [{ requestId: id, status: '200', path: '/items' }]);
    const none = await awsCli(gh.url, ['logs', 'filter-log-events', '--log-group-name', ACCESS_GROUP, '--filter-pattern', '{ $.status = 500 }']) as Events;
    assert.deepEqual(none.events, []);
  });

  test("AWS's errors: a group that does not exist, a filter pattern that is not one", async () => {
    const missing = await awsCliError(gh.url, ['logs', 'filter-log-events', '--log-group-name', 'no-such-group']);
    assert.deepEqual(missing, { code: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
    const stream = await awsCliError(gh.url, ['logs', 'get-log-events', '--log-group-name', execGroup, '--log-stream-name', 'other']);
    assert.deepEqual(stream, { code: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' });
    const pattern = await awsCliError(gh.url, ['logs', 'filter-log-events', '--log-group-name', execGroup, '--filter-pattern', '{ $.a = }']);
    assert.deepEqual(pattern, { code: 'InvalidParameterException', message: 'Invalid filter pattern' });
  });
});

describe("boto3, and `aws logs tail`'s calls", () => {
  test("boto3's filter_log_events paginator pages through everything a run of requests wrote", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await request());
    const out = await boto3(`
pages = logs.get_paginator('filter_log_events').paginate(logGroupName=args['group'], filterPattern='"Method completed"', PaginationConfig={'PageSize': 2})
events = [e for p in pages for e in p['events']]
print(json.dumps({'messages': [e['message'] for e in events], 'ids': [e['eventId'] for e in events]}))
`, { group: execGroup });
    for (const id of ids) assert.equal(out.messages.filter((m: string) => m.startsWith(`(${id}) `)).length, 1);
    assert.equal(new Set(out.ids).size, out.ids.length, 'every event once');
  });

  test('tail: the last 10 minutes interleaved, then --follow from the newest timestamp, each event once', async () => {
    const first = await request();
    // What `aws logs tail GROUP --follow` sends: FilterLogEvents with logGroupName, interleaved and
    // startTime (now - 10 minutes); at the end of the pages, the same from the newest timestamp
    // seen, skipping event ids already shown at that timestamp.
    const tail = `
import time
kwargs = {'logGroupName': args['group'], 'interleaved': True, 'startTime': int((time.time() - 600) * 1000)}
def poll(kwargs, seen):
    shown = []
    while True:
        r = logs.filter_log_events(**kwargs)
        for e in r['events']:
            if e['eventId'] not in seen.setdefault(e['timestamp'], set()):
                seen[e['timestamp']].add(e['eventId'])
                shown.append(e['message'])
        if 'nextToken' in r:
            kwargs['nextToken'] = r['nextToken']
        else:
            kwargs.pop('nextToken', None)
            if seen:
                newest = max(seen)
                kwargs['startTime'] = newest
                for t in [t for t in seen if t != newest]: del seen[t]
            return shown
seen = {}
before = poll(kwargs, seen)
print(json.dumps({'before': before, 'kwargs': kwargs, 'seen': {str(k): sorted(v) for k, v in seen.items()}}))
`;
    const one = await boto3(tail, { group: ACCESS_GROUP });
    assert.ok(one.before.some((m: string) => m.includes(first)));
    const second = await request();
    const follow = await boto3(`
seen = {int(k): set(v) for k, v in args['seen'].items()}
kwargs = args['kwargs']
shown = []
while True:
    r = logs.filter_log_events(**kwargs)
    for e in r['events']:
        if e['eventId'] not in seen.setdefault(e['timestamp'], set()):
            seen[e['timestamp']].add(e['eventId'])
            shown.append(e['message'])
    if 'nextToken' not in r: break
    kwargs['nextToken'] = r['nextToken']
print(json.dumps(shown))
`, { kwargs: one.kwargs, seen: one.seen });
    assert.deepEqual(follow.map((m: string) => JSON.parse(m).requestId), [second], 'only the new request, once');
  });

  test('`aws logs tail` itself when this AWS CLI has it (v2)', async (t) => {
    const has = await run('aws', ['logs', 'tail', 'help']).then(() => true, () => false);
    if (!has) {
      t.diagnostic('this AWS CLI is v1 (no `aws logs tail`); its calls are exercised through boto3 above');
      return;
    }
    const id = await request();
    const { stdout } = await run('aws', ['logs', 'tail', execGroup, '--since', '10m', '--format', 'short', '--endpoint-url', gh.url], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' },
    });
    assert.match(stdout, new RegExp(`\\(${id}\\) Method completed with status: 200`));
  });
});

describe('reading rotated files', () => {
  test('a group\'s events come from its rotated files and its current one, oldest first', async () => {
    const dataDir = tempDataDir();
    const files = new LogFiles(dataDir, { maxFileBytes: 600, keep: 20, maxPendingBytes: 1 << 20 });
    const w = files.writer('rotating/group');
    for (let i = 0; i < 40; i++) {
      w.write(1_700_000_000_000 + i, `event ${i}`);
      if (i % 3 === 2) await w.flush();
    }
    const reader = new LogReader(files);
    const events = (await reader.events('rotating/group'))!;
    assert.deepEqual(events.map((e) => e.message), Array.from({ length: 40 }, (_, i) => `event ${i}`));
    assert.equal(new Set(events.map((e) => e.id)).size, 40);
    const from = (await reader.events('rotating/group', 1_700_000_000_030))!;
    assert.deepEqual(from.map((e) => e.message), Array.from({ length: 10 }, (_, i) => `event ${30 + i}`));
    assert.deepEqual((await reader.groups()).map((g) => g.name), ['rotating/group']);
    await until(async () => (await reader.group('rotating/group')) !== null);
    await files.close();
  });
});

describe('--data-dir :memory:', { timeout: 120_000 }, () => {
  test('the groups this process wrote, read from memory', async () => {
    const p = await serveProcess(['--port', '0', '--data-dir', ':memory:']);
    try {
      const c = apiGatewayClient(p.url);
      const id = await createMockApi(c, 'memory-logs');
      await deploy(c, id, 'prod', { v: '1' });
      await c.send(new UpdateStageCommand({
        restApiId: id, stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: `arn:aws:logs:${REGION}:000000000000:log-group:memory-access` },
          { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId $context.status' },
        ],
      }));
      c.destroy();
      const requestId = String((await callStage(p.url, id, 'prod', '/hello')).headers['x-amzn-requestid']);
      const groups = await awsCli(p.url, ['logs', 'describe-log-groups']) as { logGroups: { logGroupName: string }[] };
      assert.deepEqual(groups.logGroups.map((g) => g.logGroupName), ['memory-access']);
      const found = await awsCli(p.url, ['logs', 'filter-log-events', '--log-group-name', 'memory-access', '--filter-pattern', `"${requestId}"`]) as Events;
      assert.deepEqual(found.events.map((e) => e.message), [`${requestId} 200`]);
    } finally {
      await p.stop();
    }
  });
});
