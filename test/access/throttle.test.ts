// Throttling on one Gatehouse with its in-process buckets and a controllable clock: time moves
// only when a test moves it, so a bucket of burst B admits exactly B of a burst of requests, and
// exactly R·t more after t seconds. Stage and method limits (methodSettings), usage-plan limits
// per key (the plan's throttle over all its stages, and its per-method throttles), the account's
// limit (--account-rate/--account-burst, shown by GetAccount), 429 {"message":"Too Many Requests"}
// through the THROTTLED gateway response, and every change taking effect without a redeployment.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  GetAccountCommand, PutGatewayResponseCommand, UpdateStageCommand, UpdateUsagePlanCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { parseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, awsCli } from '../helpers/server.ts';
import { deploy } from '../execute/helpers.ts';
import { addKey, assertThrottled, burst, get, mockApi, planWithKey, testClock } from './traffic-helpers.ts';

const clock = testClock('2026-03-04T10:00:00Z');
let gh: Gatehouse;
let client: APIGatewayClient;

function start(overrides: Record<string, unknown> = {}): Promise<Gatehouse> {
  return startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', ...overrides }), { clock: clock.now });
}

before(async () => {
  gh = await start();
  client = apiGatewayClient(gh.url);
});
after(async () => {
  client.destroy();
  await gh.close();
});

const patchStage = (restApiId: string, ops: [string, string][]) =>
  client.send(new UpdateStageCommand({ restApiId, stageName: 'test', patchOperations: ops.map(([path, value]) => ({ op: 'replace', path, value })) }));

describe('stage and method limits (methodSettings)', () => {
  test('*/* gives every method a bucket of its own: a burst admits exactly the burst limit, and the rate refills it', async () => {
    const id = await mockApi(client, 'stage-limits', [{ path: '/a' }, { path: '/b' }]);
    await patchStage(id, [['/*/*/throttling/rateLimit', '2'], ['/*/*/throttling/burstLimit', '5']]);
    const a = await burst(12, () => get(gh.url, id, '/a'));
    assert.deepEqual(a, { 200: 5, 429: 7 });
    // /b has its own bucket of the same size.
    assert.deepEqual(await burst(8, () => get(gh.url, id, '/b')), { 200: 5, 429: 3 });
    const refused = await get(gh.url, id, '/a');
    assertThrottled(refused, 'over the stage limit');
    // 1.5 s at 2 requests a second: 3 tokens.
    clock.advance(1500);
    assert.deepEqual(await burst(6, () => get(gh.url, id, '/a')), { 200: 3, 429: 3 });
    // Ten seconds fill the bucket to its burst, no further.
    clock.advance(10_000);
    assert.deepEqual(await burst(9, () => get(gh.url, id, '/a')), { 200: 5, 429: 4 });
  });

  test("a method's own setting overrides */*, and the change needs no redeployment", async () => {
    const id = await mockApi(client, 'method-limits', [{ path: '/fast' }, { path: '/slow' }]);
    await patchStage(id, [['/*/*/throttling/rateLimit', '0.5'], ['/*/*/throttling/burstLimit', '2'], ['/~1fast/GET/throttling/burstLimit', '7']]);
    assert.deepEqual(await burst(10, () => get(gh.url, id, '/fast')), { 200: 7, 429: 3 });
    assert.deepEqual(await burst(10, () => get(gh.url, id, '/slow')), { 200: 2, 429: 8 });
    // Rate and burst 0 refuse everything (AWS's way to switch a method off).
    await patchStage(id, [['/~1fast/GET/throttling/rateLimit', '0'], ['/~1fast/GET/throttling/burstLimit', '0']]);
    clock.advance(60_000);
    assert.deepEqual(await burst(3, () => get(gh.url, id, '/fast')), { 429: 3 });
    // Removing the limits leaves AWS's defaults (10,000/5,000): no method bucket, only the account's.
    await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'test', patchOperations: [
      { op: 'remove', path: '/~1fast/GET/throttling/rateLimit' }, { op: 'remove', path: '/*/*/throttling/rateLimit' },
    ] }));
    assert.deepEqual(await burst(20, () => get(gh.url, id, '/fast')), { 200: 20 });
  });

  test('the THROTTLED gateway response can be customised', async () => {
    const id = await mockApi(client, 'custom-429', [{ path: '/a' }]);
    await client.send(new PutGatewayResponseCommand({
      restApiId: id, responseType: 'THROTTLED', statusCode: '503', responseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      responseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
    }));
    await deploy(client, id, 'test');
    await patchStage(id, [['/*/*/throttling/rateLimit', '1'], ['/*/*/throttling/burstLimit', '1']]);
    assert.equal((await get(gh.url, id, '/a')).status, 200);
    const r = await get(gh.url, id, '/a');
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.deepEqual(JSON.parse(r.body), { error: 'Too Many Requests', type: 'THROTTLED' });
  });
});

describe('usage-plan limits, per API key', () => {
  test("the plan's throttle applies to each key alone, over every stage of the plan", async () => {
    const one = await mockApi(client, 'plan-one', [{ path: '/k', apiKeyRequired: true }]);
    const two = await mockApi(client, 'plan-two', [{ path: '/k', apiKeyRequired: true }]);
    const { planId, value } = await planWithKey(client, 'throttled', [{ apiId: one, stage: 'test' }, { apiId: two, stage: 'test' }], {
      throttle: { rateLimit: 1, burstLimit: 4 },
    });
    const other = await addKey(client, planId, 'throttled-2');
    // Four tokens for the key across both APIs.
    const counts = await burst(6, () => get(gh.url, one, '/k', value));
    assert.deepEqual(counts, { 200: 4, 429: 2 });
    assertThrottled(await get(gh.url, two, '/k', value), 'the same key on the other stage of the plan');
    // Another key of the plan has its own bucket.
    assert.deepEqual(await burst(6, () => get(gh.url, two, '/k', other.value)), { 200: 4, 429: 2 });
    clock.advance(2000);
    assert.deepEqual(await burst(4, () => get(gh.url, two, '/k', value)), { 200: 2, 429: 2 });
    // A method that does not require a key is not subject to the plan.
    const open = await mockApi(client, 'plan-open', [{ path: '/free' }]);
    await client.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [{ op: 'add', path: '/apiStages', value: `${open}:test` }] }));
    assert.deepEqual(await burst(6, () => get(gh.url, open, '/free', value)), { 200: 6 });
  });

  test("a per-method throttle in the plan's API stage applies besides the plan's own", async () => {
    const id = await mockApi(client, 'plan-methods', [{ path: '/slow', apiKeyRequired: true }, { path: '/quick', apiKeyRequired: true }]);
    const { planId, value } = await planWithKey(client, 'per-method', [{ apiId: id, stage: 'test', throttle: { '/slow/GET': { rateLimit: 0.1, burstLimit: 2 } } }], {
      throttle: { rateLimit: 1, burstLimit: 5 },
    });
    assert.deepEqual(await burst(4, () => get(gh.url, id, '/slow', value)), { 200: 2, 429: 2 });
    // /quick has only the plan's throttle, of which 2 tokens went to /slow.
    assert.deepEqual(await burst(5, () => get(gh.url, id, '/quick', value)), { 200: 3, 429: 2 });
    // Raising the method's burst through UpdateUsagePlan takes effect without a redeployment: in
    // 30 s the method's bucket refills 3 tokens, which its old burst (2) would have capped.
    await client.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations: [
      { op: 'replace', path: `/apiStages/${id}:test/throttle/~1slow~1GET/burstLimit`, value: '10' },
    ] }));
    clock.advance(30_000);
    assert.deepEqual(await burst(8, () => get(gh.url, id, '/slow', value)), { 200: 3, 429: 5 });
  });
});

describe('the account limit', () => {
  test('--account-rate and --account-burst limit every API of the account together, and GetAccount shows them', async () => {
    const small = await start({ accountRate: 2, accountBurst: 4 });
    const c = apiGatewayClient(small.url);
    try {
      const account = await c.send(new GetAccountCommand({}));
      assert.deepEqual(account.throttleSettings, { burstLimit: 4, rateLimit: 2 });
      const cli = await awsCli(small.url, ['apigateway', 'get-account']) as { throttleSettings: unknown };
      assert.deepEqual(cli.throttleSettings, { burstLimit: 4, rateLimit: 2 });
      // Management calls are not throttled by it (above), requests to deployed APIs are.
      const one = await mockApi(c, 'acct-one', [{ path: '/a' }]);
      const two = await mockApi(c, 'acct-two', [{ path: '/a' }]);
      assert.equal((await get(small.url, one, '/a')).status, 200);
      assert.equal((await get(small.url, two, '/a')).status, 200);
      assert.deepEqual(await burst(5, () => get(small.url, one, '/a')), { 200: 2, 429: 3 });
      assertThrottled(await get(small.url, two, '/a'), 'the other API shares the account bucket');
      clock.advance(1000);
      assert.deepEqual(await burst(4, () => get(small.url, two, '/a')), { 200: 2, 429: 2 });
    } finally {
      c.destroy();
      await small.close();
    }
  });

  test("AWS's defaults: 10,000 requests a second with a burst of 5,000; rate 0 turns the account limit off", async () => {
    assert.deepEqual((await client.send(new GetAccountCommand({}))).throttleSettings, { burstLimit: 5000, rateLimit: 10000 });
    const off = await start({ accountRate: 0 });
    const c = apiGatewayClient(off.url);
    try {
      assert.equal((await c.send(new GetAccountCommand({}))).throttleSettings, undefined);
    } finally {
      c.destroy();
      await off.close();
    }
  });
});
