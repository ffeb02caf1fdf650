// Usage plans counted and enforced on one Gatehouse, with a controllable clock for the shared
// state and the usage days: quotas per key over DAY, WEEK and MONTH with their offsets (weeks
// from Sunday plus the offset, as AWS's QuotaSettings says), across every stage of the plan;
// 429 {"message":"Limit Exceeded"} through QUOTA_EXCEEDED; GetUsage's [used, remaining] per day
// and UpdateUsage's grant, through the AWS SDK and the AWS CLI.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetUsageCommand, PutGatewayResponseCommand, UpdateUsageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli } from '../helpers/server.ts';
import { deploy } from '../execute/helpers.ts';
import { addKey, assertQuotaExceeded, burst, get, mockApi, planWithKey, testClock } from './traffic-helpers.ts';

const clock = testClock('2026-03-04T10:00:00Z'); // a Wednesday
let gh: Gatehouse;
let client: APIGatewayClient;
let one: string;
let two: string;

before(async () => {
  gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent' }), { clock: clock.now });
  client = apiGatewayClient(gh.url);
  one = await mockApi(client, 'usage-one', [{ path: '/k', apiKeyRequired: true }, { path: '/free' }]);
  two = await mockApi(client, 'usage-two', [{ path: '/k', apiKeyRequired: true }]);
});
after(async () => {
  client.destroy();
  await gh.close();
});

const usage = async (usagePlanId: string, startDate: string, endDate: string, keyId?: string) =>
  (await client.send(new GetUsageCommand({ usagePlanId, startDate, endDate, keyId }))).items;

describe('quotas', () => {
  test('a DAY quota counts a key over every stage of its plan, refuses with Limit Exceeded, and starts again the next day', async () => {
    clock.set('2026-03-04T10:00:00Z');
    const stages = [{ apiId: one, stage: 'test' }, { apiId: two, stage: 'test' }];
    const { planId, keyId, value } = await planWithKey(client, 'daily', stages, { quota: { limit: 3, period: 'DAY' } });
    assert.equal((await get(gh.url, one, '/k', value)).status, 200);
    assert.equal((await get(gh.url, two, '/k', value)).status, 200);
    assert.equal((await get(gh.url, one, '/k', value)).status, 200);
    assertQuotaExceeded(await get(gh.url, two, '/k', value), 'fourth request of the day');
    // Methods that do not require a key are not counted.
    assert.equal((await get(gh.url, one, '/free', value)).status, 200);
    assert.deepEqual(await usage(planId, '2026-03-03', '2026-03-04'), { [keyId]: [[0, 3], [3, 0]] });

    clock.set('2026-03-05T00:00:00Z');
    assert.equal((await get(gh.url, two, '/k', value)).status, 200);
    assert.deepEqual(await usage(planId, '2026-03-04', '2026-03-05'), { [keyId]: [[3, 0], [1, 2]] });
  });

  test('a WEEK quota starts on Sunday with offset 0 and on Monday with offset 1', async () => {
    clock.set('2026-03-07T23:59:00Z'); // Saturday
    const stages = [{ apiId: one, stage: 'test' }];
    const sunday = await planWithKey(client, 'weekly-sunday', stages, { quota: { limit: 2, period: 'WEEK', offset: 0 } });
    const monday = await planWithKey(client, 'weekly-monday', [{ apiId: two, stage: 'test' }], { quota: { limit: 2, period: 'WEEK', offset: 1 } });
    for (const [api, k] of [[one, sunday], [two, monday]] as const) {
      assert.deepEqual(await burst(3, () => get(gh.url, api, '/k', k.value)), { 200: 2, 429: 1 });
    }
    clock.set('2026-03-08T00:00:01Z'); // Sunday
    assert.equal((await get(gh.url, one, '/k', sunday.value)).status, 200, 'a new week for offset 0');
    assertQuotaExceeded(await get(gh.url, two, '/k', monday.value), 'still the same week for offset 1');
    clock.set('2026-03-09T00:00:01Z'); // Monday
    assert.equal((await get(gh.url, two, '/k', monday.value)).status, 200, 'a new week for offset 1');
    assert.equal((await get(gh.url, one, '/k', sunday.value)).status, 200, 'second of the week for offset 0');
    assertQuotaExceeded(await get(gh.url, one, '/k', sunday.value), 'third of the week for offset 0');
    // Remaining runs down through the week: Saturday ends its week at 0, Sunday and Monday share one.
    assert.deepEqual(await usage(sunday.planId, '2026-03-06', '2026-03-09'), { [sunday.keyId]: [[0, 2], [2, 0], [1, 1], [1, 0]] });
    assert.deepEqual(await usage(monday.planId, '2026-03-07', '2026-03-09'), { [monday.keyId]: [[2, 0], [0, 0], [1, 1]] });
  });

  test('a MONTH quota with an offset starts on the 1st plus the offset', async () => {
    clock.set('2026-04-02T12:00:00Z');
    const { planId, keyId, value } = await planWithKey(client, 'monthly', [{ apiId: one, stage: 'test' }], { quota: { limit: 1, period: 'MONTH', offset: 2 } });
    assert.equal((await get(gh.url, one, '/k', value)).status, 200);
    assertQuotaExceeded(await get(gh.url, one, '/k', value), 'the period began on March 3rd');
    clock.set('2026-04-03T00:00:00Z');
    assert.equal((await get(gh.url, one, '/k', value)).status, 200, 'a new period on April 3rd');
    assert.deepEqual(await usage(planId, '2026-04-02', '2026-04-03', keyId), { [keyId]: [[1, 0], [1, 0]] });
  });

  test('a request refused by a throttle does not use the quota', async () => {
    clock.set('2026-04-10T08:00:00Z');
    const { planId, keyId, value } = await planWithKey(client, 'throttled-quota', [{ apiId: two, stage: 'test' }], {
      throttle: { rateLimit: 0.001, burstLimit: 2 }, quota: { limit: 10, period: 'DAY' },
    });
    assert.deepEqual(await burst(5, () => get(gh.url, two, '/k', value)), { 200: 2, 429: 3 });
    assert.deepEqual(await usage(planId, '2026-04-10', '2026-04-10'), { [keyId]: [[2, 8]] });
  });

  test('the QUOTA_EXCEEDED gateway response can be customised', async () => {
    clock.set('2026-04-11T08:00:00Z');
    const id = await mockApi(client, 'custom-quota', [{ path: '/k', apiKeyRequired: true }]);
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'QUOTA_EXCEEDED',
      responseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
    }));
    await deploy(client, id, 'test');
    const { value } = await planWithKey(client, 'custom-quota', [{ apiId: id, stage: 'test' }], { quota: { limit: 0, period: 'DAY' } });
    const r = await get(gh.url, id, '/k', value);
    assert.equal(r.status, 429);
    assert.deepEqual(JSON.parse(r.body), { error: 'Limit Exceeded', type: 'QUOTA_EXCEEDED' });
  });
});

describe('GetUsage and UpdateUsage', () => {
  test('UpdateUsage grants remaining quota until the period ends, through the SDK and the AWS CLI', async () => {
    clock.set('2026-05-06T09:00:00Z');
    const { planId, keyId, value } = await planWithKey(client, 'granted', [{ apiId: one, stage: 'test' }], { quota: { limit: 2, period: 'DAY' } });
    assert.deepEqual(await burst(3, () => get(gh.url, one, '/k', value)), { 200: 2, 429: 1 });
    const granted = await client.send(new UpdateUsageCommand({ usagePlanId: planId, keyId, patchOperations: [{ op: 'replace', path: '/remaining', value: '3' }] }));
    assert.deepEqual(granted.items, { [keyId]: [[2, 3]] });
    assert.equal(granted.startDate, '2026-05-06');
    assert.deepEqual(await burst(4, () => get(gh.url, one, '/k', value)), { 200: 3, 429: 1 });
    assert.deepEqual(await usage(planId, '2026-05-06', '2026-05-06'), { [keyId]: [[5, 0]] });

    // The AWS CLI: update-usage, then get-usage.
    const cli = await awsCli(gh.url, ['apigateway', 'update-usage', '--usage-plan-id', planId, '--key-id', keyId,
      '--patch-operations', 'op=replace,path=/remaining,value=1']) as { items: Record<string, number[][]> };
    assert.deepEqual(cli.items, { [keyId]: [[5, 1]] });
    assert.equal((await get(gh.url, one, '/k', value)).status, 200);
    assertQuotaExceeded(await get(gh.url, one, '/k', value), 'the CLI grant is used up');
    const got = await awsCli(gh.url, ['apigateway', 'get-usage', '--usage-plan-id', planId, '--start-date', '2026-05-05', '--end-date', '2026-05-07']) as Record<string, unknown>;
    assert.deepEqual(got, { usagePlanId: planId, startDate: '2026-05-05', endDate: '2026-05-07', items: { [keyId]: [[0, 2], [6, 0], [0, 2]] } });

    // The grant ends with its period.
    clock.set('2026-05-07T00:00:00Z');
    assert.deepEqual(await burst(3, () => get(gh.url, one, '/k', value)), { 200: 2, 429: 1 });
  });

  test('GetUsage answers every key of the plan, paged by key', async () => {
    clock.set('2026-05-08T09:00:00Z');
    const first = await planWithKey(client, 'paged', [{ apiId: two, stage: 'test' }], { quota: { limit: 100, period: 'MONTH' } });
    const second = await addKey(client, first.planId, 'paged-2');
    await burst(3, () => get(gh.url, two, '/k', first.value));
    await burst(2, () => get(gh.url, two, '/k', second.value));
    const all = await client.send(new GetUsageCommand({ usagePlanId: first.planId, startDate: '2026-05-07', endDate: '2026-05-08' }));
    assert.deepEqual(all.items, { [first.keyId]: [[0, 100], [3, 97]], [second.keyId]: [[0, 100], [2, 98]] });
    const page1 = await client.send(new GetUsageCommand({ usagePlanId: first.planId, startDate: '2026-05-08', endDate: '2026-05-08', limit: 1 }));
    assert.deepEqual(page1.items, { [first.keyId]: [[3, 97]] });
    const page2 = await client.send(new GetUsageCommand({ usagePlanId: first.planId, startDate: '2026-05-08', endDate: '2026-05-08', limit: 1, position: page1.position }));
    assert.deepEqual(page2.items, { [second.keyId]: [[2, 98]] });
    assert.equal(page2.position, undefined);
  });
});
