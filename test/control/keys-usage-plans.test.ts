// Usage plans, usage plan keys and usage end to end through the AWS SDK v3 and the AWS CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanCommand, CreateUsagePlanKeyCommand, DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand, GetUsageCommand, GetUsagePlanCommand, GetUsagePlanKeyCommand, GetUsagePlanKeysCommand,
  GetUsagePlansCommand, UpdateUsageCommand, UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli, awsCliError, useGatehouse } from '../helpers/server.ts';
import { apiWithStage, rejects } from './keys-helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;

useGatehouse((g, c) => {
  gh = g;
  client = c;
});

const today = () => new Date().toISOString().slice(0, 10);

describe('CreateUsagePlan / GetUsagePlan', () => {
  it('creates a plan with API stages, method throttles, throttle, quota and tags', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const p = await client.send(new CreateUsagePlanCommand({
      name: 'Gold', description: 'gold tier',
      apiStages: [{ apiId, stage, throttle: { '/pets/GET': { burstLimit: 10, rateLimit: 5 }, '//GET': { rateLimit: 1 } } }],
      throttle: { burstLimit: 100, rateLimit: 50.5 },
      quota: { limit: 1000, offset: 0, period: 'MONTH' },
      tags: { tier: 'gold' },
    }));
    assert.equal(p.$metadata.httpStatusCode, 201);
    assert.match(p.id!, /^[a-z0-9]{6}$/);
    assert.equal(p.name, 'Gold');
    assert.equal(p.description, 'gold tier');
    assert.deepEqual(p.apiStages, [{ apiId, stage, throttle: { '/pets/GET': { burstLimit: 10, rateLimit: 5 }, '//GET': { rateLimit: 1 } } }]);
    assert.deepEqual(p.throttle, { burstLimit: 100, rateLimit: 50.5 });
    assert.deepEqual(p.quota, { limit: 1000, offset: 0, period: 'MONTH' });
    assert.deepEqual(p.tags, { tier: 'gold' });
    const got = await client.send(new GetUsagePlanCommand({ usagePlanId: p.id }));
    assert.deepEqual({ ...got, $metadata: undefined }, { ...p, $metadata: undefined });

    const bare = await client.send(new CreateUsagePlanCommand({ name: 'Bare' }));
    assert.deepEqual(bare.apiStages, []);
    assert.equal(bare.quota, undefined);
  });

  it('validates API stages, method throttles, quotas and throttles as AWS does', async () => {
    const { apiId, stage } = await apiWithStage(client);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId: 'nosuchapi0', stage }] })),
      'NotFoundException', /^Invalid API identifier specified \d+:nosuchapi0$/, 404);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage: 'nosuch' }] })),
      'BadRequestException', `Invalid API Stage {api: ${apiId}, stage: nosuch} specified for usageplan x`, 400);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage: '' }] })),
      'BadRequestException', `Invalid API Stage {api: ${apiId}, stage: } specified for usageplan x`);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage, throttle: { '/cats/GET': { rateLimit: 1 } } }] })),
      'BadRequestException', /Invalid method throttle key '\/cats\/GET'/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage, throttle: { '/pets/POST': { rateLimit: 1 } } }] })),
      'BadRequestException', /Invalid method throttle key '\/pets\/POST'/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage }, { apiId, stage }] })),
      'BadRequestException', /more than once/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: 10 } })), 'BadRequestException', /quota period/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: -1, period: 'DAY' } })), 'BadRequestException', /quota limit/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: 1, period: 'DAY', offset: 1 } })), 'BadRequestException', 'Quota offset must be 0 for a DAY period');
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: 1, period: 'WEEK', offset: 7 } })), 'BadRequestException', 'Quota offset must be between 0 and 6 for a WEEK period');
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: 1, period: 'MONTH', offset: 28 } })), 'BadRequestException', 'Quota offset must be between 0 and 27 for a MONTH period');
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', throttle: { burstLimit: -5 } })), 'BadRequestException', /burstLimit/);
    await rejects(client.send(new CreateUsagePlanCommand({ name: 'x', tags: { 'aws:reserved': 'v' } })), 'BadRequestException', /aws:/);
    await rejects(client.send(new GetUsagePlanCommand({ usagePlanId: 'nosuch' })), 'NotFoundException', 'Invalid Usage Plan ID specified', 404);
  });
});

describe('UpdateUsagePlan', () => {
  it('patches every path AWS takes', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const other = await apiWithStage(client, 'beta');
    const p = await client.send(new CreateUsagePlanCommand({ name: 'Silver', quota: { limit: 10, period: 'DAY' }, apiStages: [{ apiId, stage }] }));
    const u = await client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [
      { op: 'replace', path: '/name', value: 'Silver+' },
      { op: 'replace', path: '/description', value: 'better' },
      { op: 'replace', path: '/productCode', value: 'prod-1' },
      { op: 'replace', path: '/throttle/burstLimit', value: '20' },
      { op: 'replace', path: '/throttle/rateLimit', value: '7.5' },
      { op: 'replace', path: '/quota/limit', value: '500' },
      { op: 'replace', path: '/quota/period', value: 'WEEK' },
      { op: 'replace', path: '/quota/offset', value: '2' },
      { op: 'add', path: '/apiStages', value: `${other.apiId}:beta` },
      { op: 'replace', path: `/apiStages/${apiId}:${stage}/throttle/~1pets~1GET/rateLimit`, value: '3' },
      { op: 'replace', path: `/apiStages/${apiId}:${stage}/throttle/~1pets~1GET/burstLimit`, value: '6' },
    ] }));
    assert.equal(u.name, 'Silver+');
    assert.equal(u.description, 'better');
    assert.equal(u.productCode, 'prod-1');
    assert.deepEqual(u.throttle, { burstLimit: 20, rateLimit: 7.5 });
    assert.deepEqual(u.quota, { limit: 500, period: 'WEEK', offset: 2 });
    assert.deepEqual(u.apiStages, [
      { apiId, stage, throttle: { '/pets/GET': { rateLimit: 3, burstLimit: 6 } } },
      { apiId: other.apiId, stage: 'beta' },
    ]);

    const r = await client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [
      { op: 'remove', path: '/apiStages', value: `${other.apiId}:beta` },
      { op: 'remove', path: `/apiStages/${apiId}:${stage}/throttle/~1pets~1GET` },
      { op: 'remove', path: '/throttle' },
      { op: 'remove', path: '/quota' },
      { op: 'remove', path: '/description' },
    ] }));
    assert.deepEqual(r.apiStages, [{ apiId, stage }]);
    assert.equal(r.throttle, undefined);
    assert.equal(r.quota, undefined);
    assert.equal(r.description, undefined);

    await rejects(client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [{ op: 'add', path: '/apiStages', value: `${apiId}:nosuch` }] })),
      'BadRequestException', `Invalid API Stage {api: ${apiId}, stage: nosuch} specified for usageplan Silver+`);
    await rejects(client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [{ op: 'replace', path: '/quota/period', value: 'YEAR' }] })),
      'BadRequestException', /quota period/);
    await rejects(client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [{ op: 'replace', path: '/id', value: 'x' }] })),
      'BadRequestException', /^Invalid patch path {2}'\/id' specified for op 'replace'/);
    await rejects(client.send(new UpdateUsagePlanCommand({ usagePlanId: p.id, patchOperations: [{ op: 'replace', path: `/apiStages/${apiId}:${stage}/throttle/~1cats~1GET/rateLimit`, value: '1' }] })),
      'BadRequestException', /Invalid method throttle key/);
  });
});

describe('usage plan keys', () => {
  it('adds, reads, lists (with nameQuery), filters plans by key and removes keys', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const p = await client.send(new CreateUsagePlanCommand({ name: 'Keys', apiStages: [{ apiId, stage }] }));
    const k1 = await client.send(new CreateApiKeyCommand({ name: 'mobile-app' }));
    const k2 = await client.send(new CreateApiKeyCommand({ name: 'web-app' }));
    const pk = await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id, keyType: 'API_KEY' }));
    assert.equal(pk.$metadata.httpStatusCode, 201);
    assert.deepEqual({ id: pk.id, type: pk.type, value: pk.value, name: pk.name }, { id: k1.id, type: 'API_KEY', value: k1.value, name: 'mobile-app' });
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k2.id, keyType: 'API_KEY' }));

    const got = await client.send(new GetUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k2.id }));
    assert.equal(got.name, 'web-app');
    const all = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id }));
    assert.deepEqual(all.items!.map((k) => k.id), [k1.id, k2.id]);
    const web = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id, nameQuery: 'web' }));
    assert.deepEqual(web.items!.map((k) => k.id), [k2.id]);
    const page = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id, limit: 1 }));
    assert.equal(page.items!.length, 1);
    const page2 = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id, limit: 1, position: page.position }));
    assert.deepEqual(page2.items!.map((k) => k.id), [k2.id]);

    const plans = await client.send(new GetUsagePlansCommand({ keyId: k1.id }));
    assert.deepEqual(plans.items!.map((x) => x.id), [p.id]);

    await rejects(client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id, keyType: 'API_KEY' })), 'ConflictException', /already exists/, 409);
    await rejects(client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: 'nosuchkey0', keyType: 'API_KEY' })), 'NotFoundException', 'Invalid API Key identifier specified');
    await rejects(client.send(new CreateUsagePlanKeyCommand({ usagePlanId: 'nosuch', keyId: k1.id, keyType: 'API_KEY' })), 'NotFoundException', 'Invalid Usage Plan ID specified');
    await rejects(client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id, keyType: 'OTHER' })), 'BadRequestException', /Invalid key type/);

    const del = await client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id })), 'NotFoundException', 'Invalid Usage Plan Key identifier specified');
    await rejects(client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k1.id })), 'NotFoundException');
    assert.deepEqual((await client.send(new GetUsagePlansCommand({ keyId: k1.id }))).items, []);
  });

  it("refuses a key in two plans that share an API stage (AWS's ConflictException)", async () => {
    const { apiId, stage } = await apiWithStage(client);
    const other = await apiWithStage(client, 'dev');
    const a = await client.send(new CreateUsagePlanCommand({ name: 'A', apiStages: [{ apiId, stage }] }));
    const b = await client.send(new CreateUsagePlanCommand({ name: 'B', apiStages: [{ apiId, stage }] }));
    const c = await client.send(new CreateUsagePlanCommand({ name: 'C', apiStages: [{ apiId: other.apiId, stage: 'dev' }] }));
    const k = await client.send(new CreateApiKeyCommand({ name: 'shared' }));
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: a.id, keyId: k.id, keyType: 'API_KEY' }));
    await rejects(client.send(new CreateUsagePlanKeyCommand({ usagePlanId: b.id, keyId: k.id, keyType: 'API_KEY' })), 'ConflictException',
      `Usage Plan ${b.id} cannot be added because API Key ${k.id} cannot reference multiple Usage Plans with the same API Stage: ${apiId}:${stage}`, 409);
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: c.id, keyId: k.id, keyType: 'API_KEY' }));
    // Adding the shared stage to C later conflicts too.
    await rejects(client.send(new UpdateUsagePlanCommand({ usagePlanId: c.id, patchOperations: [{ op: 'add', path: '/apiStages', value: `${apiId}:${stage}` }] })),
      'ConflictException', /cannot reference multiple Usage Plans with the same API Stage/);
    const plans = await client.send(new GetUsagePlansCommand({ keyId: k.id }));
    assert.deepEqual(plans.items!.map((x) => x.id), [a.id, c.id]);
  });

  it('deletes a plan with its keys', async () => {
    const p = await client.send(new CreateUsagePlanCommand({ name: 'Doomed' }));
    const k = await client.send(new CreateApiKeyCommand({ name: 'in-doomed' }));
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k.id, keyType: 'API_KEY' }));
    const d = await client.send(new DeleteUsagePlanCommand({ usagePlanId: p.id }));
    assert.equal(d.$metadata.httpStatusCode, 202);
    await rejects(client.send(new GetUsagePlanCommand({ usagePlanId: p.id })), 'NotFoundException', 'Invalid Usage Plan ID specified');
    assert.deepEqual((await client.send(new GetUsagePlansCommand({ keyId: k.id }))).items, []);
    await rejects(client.send(new DeleteUsagePlanCommand({ usagePlanId: p.id })), 'NotFoundException');
  });

  it('lists plans with paging', async () => {
    const own = apiGatewayClient(gh.url, 'ap-south-1');
    try {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await own.send(new CreateUsagePlanCommand({ name: `p${i}` }))).id);
      const first = await own.send(new GetUsagePlansCommand({ limit: 2 }));
      const second = await own.send(new GetUsagePlansCommand({ limit: 2, position: first.position }));
      const third = await own.send(new GetUsagePlansCommand({ limit: 2, position: second.position }));
      assert.deepEqual([...first.items!, ...second.items!, ...third.items!].map((p) => p.id), ids);
      assert.equal(third.position, undefined);
    } finally {
      own.destroy();
    }
  });
});

describe('usage', () => {
  it('reports zero use and the quota as remaining per day, and UpdateUsage grants remaining quota', async () => {
    const p = await client.send(new CreateUsagePlanCommand({ name: 'Metered', quota: { limit: 100, period: 'DAY' } }));
    const k1 = await client.send(new CreateApiKeyCommand({ name: 'm1' }));
    const k2 = await client.send(new CreateApiKeyCommand({ name: 'm2' }));
    for (const k of [k1, k2]) await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: p.id, keyId: k.id, keyType: 'API_KEY' }));
    const u = await client.send(new GetUsageCommand({ usagePlanId: p.id, startDate: '2026-01-01', endDate: '2026-01-03' }));
    assert.equal(u.usagePlanId, p.id);
    assert.equal(u.startDate, '2026-01-01');
    assert.equal(u.endDate, '2026-01-03');
    assert.deepEqual(u.items, { [k1.id!]: [[0, 100], [0, 100], [0, 100]], [k2.id!]: [[0, 100], [0, 100], [0, 100]] });
    const one = await client.send(new GetUsageCommand({ usagePlanId: p.id, keyId: k2.id, startDate: '2026-01-01', endDate: '2026-01-01' }));
    assert.deepEqual(one.items, { [k2.id!]: [[0, 100]] });
    const paged = await client.send(new GetUsageCommand({ usagePlanId: p.id, startDate: '2026-01-01', endDate: '2026-01-01', limit: 1 }));
    assert.deepEqual(Object.keys(paged.items!), [k1.id]);
    assert.ok(paged.position);

    const t = today();
    const granted = await client.send(new UpdateUsageCommand({ usagePlanId: p.id, keyId: k1.id, patchOperations: [{ op: 'replace', path: '/remaining', value: '250' }] }));
    assert.equal(granted.$metadata.httpStatusCode, 200);
    assert.deepEqual(granted.items, { [k1.id!]: [[0, 250]] });
    const after = await client.send(new GetUsageCommand({ usagePlanId: p.id, keyId: k1.id, startDate: t, endDate: t }));
    assert.deepEqual(after.items, { [k1.id!]: [[0, 250]] });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const before = await client.send(new GetUsageCommand({ usagePlanId: p.id, keyId: k1.id, startDate: yesterday, endDate: yesterday }));
    assert.deepEqual(before.items, { [k1.id!]: [[0, 100]] }, 'a grant applies from its day within the quota period');

    await rejects(client.send(new GetUsageCommand({ usagePlanId: p.id, startDate: '2026-13-01', endDate: '2026-01-01' })), 'BadRequestException', /startDate/);
    await rejects(client.send(new GetUsageCommand({ usagePlanId: p.id, startDate: '2026-01-05', endDate: '2026-01-01' })), 'BadRequestException', /end date/);
    await rejects(client.send(new GetUsageCommand({ usagePlanId: 'nosuch', startDate: t, endDate: t })), 'NotFoundException', 'Invalid Usage Plan ID specified');
    await rejects(client.send(new GetUsageCommand({ usagePlanId: p.id, keyId: 'nosuchkey0', startDate: t, endDate: t })), 'NotFoundException', 'Invalid Key identifier specified');
    await rejects(client.send(new UpdateUsageCommand({ usagePlanId: p.id, keyId: k1.id, patchOperations: [{ op: 'replace', path: '/used', value: '1' }] })),
      'BadRequestException', /Must be one of: \[\/remaining\]/);
  });
});

describe('usage plans through the AWS CLI', () => {
  it('create-usage-plan, create-usage-plan-key, get-usage-plan-keys, get-usage, update-usage-plan, delete-usage-plan', async () => {
    const { apiId, stage } = await apiWithStage(client);
    const p = await awsCli(gh.url, ['apigateway', 'create-usage-plan', '--name', 'cli-plan', '--api-stages', `apiId=${apiId},stage=${stage}`,
      '--throttle', 'burstLimit=10,rateLimit=5', '--quota', 'limit=1000,offset=0,period=MONTH']) as Record<string, unknown>;
    assert.equal(p.name, 'cli-plan');
    assert.deepEqual(p.quota, { limit: 1000, offset: 0, period: 'MONTH' });
    const k = await awsCli(gh.url, ['apigateway', 'create-api-key', '--name', 'cli-plan-key', '--enabled']) as Record<string, unknown>;
    const pk = await awsCli(gh.url, ['apigateway', 'create-usage-plan-key', '--usage-plan-id', p.id as string, '--key-id', k.id as string, '--key-type', 'API_KEY']) as Record<string, unknown>;
    assert.equal(pk.id, k.id);
    const keys = await awsCli(gh.url, ['apigateway', 'get-usage-plan-keys', '--usage-plan-id', p.id as string]) as { items: { id: string }[] };
    assert.deepEqual(keys.items.map((x) => x.id), [k.id]);
    const usage = await awsCli(gh.url, ['apigateway', 'get-usage', '--usage-plan-id', p.id as string, '--start-date', '2026-02-01', '--end-date', '2026-02-02']) as Record<string, unknown>;
    assert.deepEqual(usage.items, { [k.id as string]: [[0, 1000], [0, 1000]] });
    const u = await awsCli(gh.url, ['apigateway', 'update-usage-plan', '--usage-plan-id', p.id as string, '--patch-operations', 'op=replace,path=/quota/limit,value=2000']) as Record<string, unknown>;
    assert.deepEqual(u.quota, { limit: 2000, offset: 0, period: 'MONTH' });
    assert.equal(await awsCli(gh.url, ['apigateway', 'delete-usage-plan', '--usage-plan-id', p.id as string]), null);
    assert.deepEqual(await awsCliError(gh.url, ['apigateway', 'get-usage-plan', '--usage-plan-id', p.id as string]),
      { code: 'NotFoundException', message: 'Invalid Usage Plan ID specified' });
  });
});
