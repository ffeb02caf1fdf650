// Throttling and quotas on a real Redis (a private redis-server): a Gatehouse with --redis and a
// controllable clock admits exactly a bucket's burst and exactly rate × time more; the account
// bucket is exact when small; and two limiters on one Redis (two processes' worth) share a large
// bucket through leases within the stated bound — the burst, less at most one lease less a token
// per process — while asking Redis once per lease, not once per request.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { createLimiter, leaseSize } from '../../src/access/limits.ts';
import { parseConfig } from '../../src/config.ts';
import { startGatehouse, type Gatehouse } from '../../src/server.ts';
import { RedisSharedState, type QuotaCounters, type SharedState, type TokenBuckets } from '../../src/shared/index.ts';
import { apiGatewayClient } from '../helpers/server.ts';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.ts';
import { burst, get, mockApi, planWithKey, testClock } from './traffic-helpers.ts';

let redis: PrivateRedis;
before(async () => {
  redis = await startPrivateRedis();
});
after(async () => {
  await redis?.destroy();
});

describe('a Gatehouse with --redis', () => {
  const clock = testClock('2026-06-01T12:00:00Z');
  let gh: Gatehouse;
  let client: APIGatewayClient;
  before(async () => {
    gh = await startGatehouse(parseConfig([], {}, { port: 0, dataDir: ':memory:', logLevel: 'silent', redis: redis.url, accountRate: 1, accountBurst: 150 }), { clock: clock.now });
    client = apiGatewayClient(gh.url);
  });
  after(async () => {
    client?.destroy();
    await gh?.close();
  });

  test('a stage bucket in Redis admits exactly its burst of a concurrent burst, and exactly rate × time after', async () => {
    const id = await mockApi(client, 'redis-stage', [{ path: '/a' }]);
    await client.send(new UpdateStageCommand({ restApiId: id, stageName: 'test', patchOperations: [
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '2' }, { op: 'replace', path: '/*/*/throttling/burstLimit', value: '25' },
    ] }));
    assert.deepEqual(await burst(60, () => get(gh.url, id, '/a')), { 200: 25, 429: 35 });
    clock.advance(3000);
    assert.deepEqual(await burst(20, () => get(gh.url, id, '/a')), { 200: 6, 429: 14 });
  });

  test('a quota in Redis is exact under a concurrent burst, and so is the account bucket (burst 150, below a lease)', async () => {
    const id = await mockApi(client, 'redis-quota', [{ path: '/k', apiKeyRequired: true }]);
    const { value } = await planWithKey(client, 'redis-quota', [{ apiId: id, stage: 'test' }], { quota: { limit: 9, period: 'DAY' } });
    assert.deepEqual(await burst(30, () => get(gh.url, id, '/k', value)), { 200: 9, 429: 21 });
    // Every request that passed the stage's own limits took an account token, quota-refused ones
    // too (the quota is counted last): 25 + 6 in the first test, 30 here; the clock added 3.
    const open = await mockApi(client, 'redis-account', [{ path: '/o' }]);
    const left = 150 + 3 - (25 + 6 + 30);
    assert.deepEqual(await burst(200, () => get(gh.url, open, '/o')), { 200: left, 429: 200 - left });
  });
});

/** A SharedState whose token buckets and quota counters count their calls. */
function counted(state: SharedState): { state: SharedState; calls: () => number } {
  let calls = 0;
  const buckets: TokenBuckets = {
    take(key, rate, burst, cost) {
      calls++;
      return state.buckets.take(key, rate, burst, cost);
    },
  };
  const quotas: QuotaCounters = {
    consume(key, quota, limit, cost) {
      calls++;
      return state.quotas.consume(key, quota, limit, cost);
    },
    peek: (key, quota, limit) => state.quotas.peek(key, quota, limit),
    usage: (key, from, to) => state.quotas.usage(key, from, to),
    adjust: (key, quota, remaining) => state.quotas.adjust(key, quota, remaining),
  };
  return { state: { ...state, buckets, quotas, cache: state.cache.bind(state), close: () => state.close() }, calls: () => calls };
}

describe('leases of a large shared bucket', () => {
  test('two limiters on one Redis admit the burst less at most a lease per limiter, with a round trip per lease', async (t) => {
    const prefix = `gh-test-${randomBytes(4).toString('hex')}:`;
    const fixed = () => Date.parse('2026-06-01T00:00:00Z');
    const s1 = new RedisSharedState(redis.url, { prefix, clock: fixed });
    const s2 = new RedisSharedState(redis.url, { prefix, clock: fixed });
    try {
      await Promise.all([s1.connection.waitReady(2000), s2.connection.waitReady(2000)]);
      const one = counted(s1);
      const two = counted(s2);
      const l1 = createLimiter(one.state, fixed);
      const l2 = createLimiter(two.state, fixed);
      const BURST = 2000;
      const lease = leaseSize(BURST);
      assert.equal(lease, 20);
      // Against a bucket of 2,000 that never refills: `rounds` × 50 requests on each limiter, 50 at a time.
      const run = async (l: typeof l1, rounds: number) => {
        let admitted = 0;
        for (let i = 0; i < rounds; i++) {
          const answers = await Promise.all(Array.from({ length: 50 }, () => l.take('big', 0, BURST)));
          admitted += answers.filter(Boolean).length;
        }
        return admitted;
      };
      // 2,000 requests, as many as the bucket holds: one round trip per lease of 20, and a few
      // single tokens when fewer than a lease are left.
      const first = (await Promise.all([run(l1, 20), run(l2, 20)])).reduce((x, y) => x + y);
      const firstTrips = one.calls() + two.calls();
      assert.ok(firstTrips <= BURST / lease + 2 * lease + 2 * 50, `${firstTrips} round trips for 2,000 requests`);
      // 600 more: every one refused, and a refused bucket is not asked again before it could refill.
      const second = (await Promise.all([run(l1, 6), run(l2, 6)])).reduce((x, y) => x + y);
      const total = first + second;
      assert.ok(total <= BURST, `never more than the burst: ${total}`);
      assert.ok(total >= BURST - 2 * (lease - 1), `at most a lease less a token lost per limiter: ${total}`);
      const secondTrips = one.calls() + two.calls() - firstTrips;
      t.diagnostic(`admitted ${total} of 2,600 (burst 2,000); round trips: ${firstTrips} for the first 2,000, ${secondTrips} for the 600 after`);
      assert.ok(secondTrips <= 2 * 50 + 2 * 50, `${secondTrips} round trips for 600 refused requests`);
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  });
});

describe('asking together', () => {
  test('requests for one quota in one turn are one count when it has room, and exact when it has not', async () => {
    const state = new RedisSharedState(redis.url, { prefix: `gh-test-${randomBytes(4).toString('hex')}:` });
    try {
      await state.connection.waitReady(2000);
      const c = counted(state);
      const limiter = createLimiter(c.state);
      const quota = { period: 'DAY' as const, offset: 0 };
      const first = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('plan/key', quota, 150)));
      assert.equal(first.filter(Boolean).length, 100);
      assert.equal(c.calls(), 1, 'one count of 100');
      // 50 left: the count of 100 is refused, then each request is asked alone.
      const second = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('plan/key', quota, 150)));
      assert.equal(second.filter(Boolean).length, 50);
      assert.deepEqual(await state.quotas.peek('plan/key', quota, 150), { allowed: false, used: 150, remaining: 0 });
    } finally {
      await state.close();
    }
  });
});
