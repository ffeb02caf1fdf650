// The audit trail end to end: management calls by two identities under --auth enforce (one
// refused by its policy) found with `aws cloudtrail lookup-events` by EventName, Username,
// ResourceName, AccessKeyId and ReadOnly, with CloudTrail's fields; secrets left out; paging;
// Lambda's calls; CloudTrail log files; and, with a real `gatehouse serve` killed with -9 in the
// middle of a burst of writes, a record exists exactly for each change that survived.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { APIGatewayClient, CreateApiKeyCommand, CreateResourceCommand, CreateRestApiCommand, DeleteRestApiCommand, GetResourcesCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import type { Gatehouse } from '../../src/server.ts';
import { startTestGatehouse } from '../helpers/server.ts';
import { serveProcess, type ServeProcess } from '../helpers/processes.ts';

const run = promisify(execFile);
const ACCOUNT = '111111111111';
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret' };
const BOB = { accessKeyId: 'AKIABOB0000000000001', secretAccessKey: 'bob-secret' };

function identitiesFile(dir: string): string {
  const file = join(dir, 'identities.json');
  writeFileSync(file, JSON.stringify({
    accounts: {
      [ACCOUNT]: {
        users: {
          alice: { accessKeys: [ALICE], policies: { all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['apigateway:*', 'lambda:*', 'cloudtrail:*'], Resource: '*' }] } } },
          bob: { accessKeys: [BOB], policies: { readOnly: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: '*' }] } } },
        },
      },
    },
  }));
  return file;
}

interface LookedUp {
  Events: { EventId: string; EventName: string; ReadOnly: string; AccessKeyId?: string; EventTime: number | string; EventSource: string; Username: string; Resources: { ResourceType: string; ResourceName: string }[]; CloudTrailEvent: string }[];
  NextToken?: string;
}

describe('the audit trail under --auth enforce', { timeout: 120_000 }, () => {
  let gh: Gatehouse;
  let dir: string;
  let apiId: string;
  let resourceId: string;

  async function lookup(args: string[], who = ALICE): Promise<LookedUp> {
    const { stdout } = await run('aws', ['cloudtrail', 'lookup-events', '--endpoint-url', gh.url, '--output', 'json', ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: who.accessKeyId, AWS_SECRET_ACCESS_KEY: who.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' },
    });
    return JSON.parse(stdout) as LookedUp;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-audit-'));
    gh = await startTestGatehouse({ auth: 'enforce', identities: identitiesFile(dir), dataDir: dir });
    const alice = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: ALICE, maxAttempts: 1, customUserAgent: 'audit-test' });
    const bob = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: BOB, maxAttempts: 1 });
    apiId = (await alice.send(new CreateRestApiCommand({ name: 'audited', description: 'watched' }))).id!;
    const root = (await alice.send(new GetResourcesCommand({ restApiId: apiId }))).items![0]!.id!;
    resourceId = (await alice.send(new CreateResourceCommand({ restApiId: apiId, parentId: root, pathPart: 'pets' }))).id!;
    await assert.rejects(bob.send(new DeleteRestApiCommand({ restApiId: apiId })), (e: Error) => e.name === 'AccessDeniedException');
    await bob.send(new GetRestApisCommand({}));
    await alice.send(new CreateApiKeyCommand({ name: 'secret-key', value: 'do-not-log-this-value-1234567890', enabled: true }));
    const lambda = new LambdaClient({ endpoint: gh.url, region: 'us-east-1', credentials: ALICE, maxAttempts: 1 });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'audited-fn', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::111111111111:role/r', Code: { ZipFile: zipSync({ 'index.mjs': strToU8('export const handler = async () => 1;') }) } }));
    for (const c of [alice, bob, lambda]) c.destroy();
  });

  after(async () => {
    await gh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a change with CloudTrail\'s fields, found by EventName', async () => {
    const found = await lookup(['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateResource']);
    assert.equal(found.Events.length, 1);
    const e = found.Events[0]!;
    assert.equal(e.EventName, 'CreateResource');
    assert.equal(e.ReadOnly, 'false');
    assert.equal(e.Username, 'alice');
    assert.equal(e.AccessKeyId, ALICE.accessKeyId);
    assert.equal(e.EventSource, 'apigateway.amazonaws.com');
    assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::ApiGateway::RestApi', ResourceName: apiId }, { ResourceType: 'AWS::ApiGateway::Resource', ResourceName: resourceId }]);
    const record = JSON.parse(e.CloudTrailEvent) as Record<string, any>;
    assert.equal(record.eventVersion, '1.09');
    assert.deepEqual(record.userIdentity, { type: 'IAMUser', principalId: record.userIdentity.principalId, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: ALICE.accessKeyId, userName: 'alice' });
    assert.equal(record.eventSource, 'apigateway.amazonaws.com');
    assert.equal(record.eventName, 'CreateResource');
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.sourceIPAddress, '127.0.0.1');
    assert.match(record.userAgent, /audit-test/);
    assert.equal(record.requestParameters.restapi_id ?? record.requestParameters.restApiId, apiId);
    assert.equal(record.requestParameters.pathPart, 'pets');
    assert.equal(record.responseElements.id, resourceId);
    assert.equal(record.responseElements.path, '/pets');
    assert.match(record.requestID, /^[0-9a-f-]{36}$/);
    assert.equal(record.eventID, e.EventId);
    assert.equal(record.readOnly, false);
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.recipientAccountId, ACCOUNT);
    assert.ok(Math.abs(Date.parse(record.eventTime) - Date.now()) < 120_000);
  });

  it('records a refused call with its error, found by Username', async () => {
    const found = await lookup(['--lookup-attributes', 'AttributeKey=Username,AttributeValue=bob']);
    assert.deepEqual(found.Events.map((e) => e.EventName), ['GetRestApis', 'DeleteRestApi']);
    const refused = JSON.parse(found.Events[1]!.CloudTrailEvent) as Record<string, any>;
    assert.equal(refused.errorCode, 'AccessDeniedException');
    assert.match(refused.errorMessage, /bob is not authorized to perform: apigateway:DELETE/);
    assert.equal(refused.responseElements, null);
    // The API is still there: the refused call changed nothing.
    const byResource = await lookup(['--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${apiId}`]);
    assert.deepEqual(byResource.Events.map((e) => e.EventName).sort(), ['CreateResource', 'CreateRestApi', 'DeleteRestApi', 'GetResources']);
  });

  it('finds read-only calls and calls by access key; pages with NextToken', async () => {
    const reads = await lookup(['--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=true']);
    assert.ok(reads.Events.length >= 2);
    assert.ok(reads.Events.every((e) => e.ReadOnly === 'true'));
    const byKey = await lookup(['--lookup-attributes', `AttributeKey=AccessKeyId,AttributeValue=${BOB.accessKeyId}`]);
    assert.equal(byKey.Events.length, 2);
    const first = await lookup(['--max-items', '2']);
    assert.equal(first.Events.length, 2);
    assert.ok(first.NextToken !== undefined);
    const rest = await lookup(['--starting-token', first.NextToken!]);
    const ids = new Set([...first.Events, ...rest.Events].map((e) => e.EventId));
    assert.equal(ids.size, first.Events.length + rest.Events.length, 'no event twice');
    assert.ok(ids.size >= 7);
  });

  it('leaves secrets out: an API key\'s value', async () => {
    const found = await lookup(['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateApiKey']);
    const body = found.Events[0]!.CloudTrailEvent;
    assert.ok(!body.includes('do-not-log-this-value'), body);
    const record = JSON.parse(body) as Record<string, any>;
    assert.equal(record.requestParameters.value, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal(record.responseElements.value, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal(record.requestParameters.name, 'secret-key');
  });

  it('records the Lambda service\'s calls, without the function\'s code', async () => {
    const found = await lookup(['--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=lambda.amazonaws.com']);
    assert.deepEqual(found.Events.map((e) => e.EventName), ['CreateFunction20150331']);
    const record = JSON.parse(found.Events[0]!.CloudTrailEvent) as Record<string, any>;
    assert.equal(record.userIdentity.userName, 'alice');
    assert.deepEqual(found.Events[0]!.Resources, [{ ResourceType: 'AWS::Lambda::Function', ResourceName: 'audited-fn' }]);
  });

  it('writes CloudTrail log files for log shippers', async () => {
    await gh.audit.exportNow();
    const folder = join(dir, 'logs', 'cloudtrail');
    const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 1);
    assert.match(files[0]!, new RegExp(`^${ACCOUNT}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[0-9a-f]{16}\\.json$`));
    const records = files.flatMap((f) => (JSON.parse(readFileSync(join(folder, f), 'utf8')) as { Records: { eventName: string }[] }).Records);
    assert.ok(records.some((r) => r.eventName === 'CreateResource'));
    await gh.audit.exportNow();
    const again = readdirSync(folder).filter((f) => f.endsWith('.json'));
    assert.equal(again.length, files.length, 'an export with nothing new writes no file');
  });
});

describe('the audit trail and kill -9', { timeout: 120_000 }, () => {
  let dir: string;
  let gh: ServeProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-audit-kill-'));
  });
  after(async () => {
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a record exactly for each change that survives', async () => {
    gh = await serveProcess(['--port', '0', '--data-dir', dir]);
    const creds = { accessKeyId: 'AKIDKILLTEST', secretAccessKey: 'x' };
    const client = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    // A burst of writes, and kill -9 while they are in flight.
    let done = 0;
    const calls = Array.from({ length: 200 }, (_, i) => client.send(new CreateRestApiCommand({ name: `burst-${i}` })).then((r) => {
      done++;
      return r.id!;
    }, () => null));
    while (done < 5) await new Promise((r) => setTimeout(r, 5));
    await gh.kill9();
    const answered = (await Promise.all(calls)).filter((id): id is string => id !== null);
    client.destroy();
    gh = await serveProcess(['--port', '0', '--data-dir', dir]);
    const after = new APIGatewayClient({ endpoint: gh.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const apis = new Set(((await after.send(new GetRestApisCommand({ limit: 500 }))).items ?? []).map((a) => a.id!));
    after.destroy();
    const { stdout } = await run('aws', ['cloudtrail', 'lookup-events', '--endpoint-url', gh.url, '--output', 'json', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateRestApi'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' },
    });
    const recorded = new Set((JSON.parse(stdout) as LookedUp).Events.map((e) => (JSON.parse(e.CloudTrailEvent) as { responseElements: { id: string } }).responseElements.id));
    assert.deepEqual([...recorded].sort(), [...apis].sort(), 'a record for each API that exists, and none for one that does not');
    for (const id of answered) assert.ok(apis.has(id), `an acknowledged change (${id}) survived`);
    assert.ok(apis.size >= 5, 'some writes happened before the kill');
    assert.ok(answered.length < 200, 'the kill came while writes were in flight');
  });
});
