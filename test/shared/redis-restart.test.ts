// Redis going away and coming back, on a redis-server of this test's own: calls fail at once
// while it is down (and within the command timeout while it is frozen), and the same client
// recovers by itself when it returns: limits work again, the notifier resubscribes and wakes its
// subscribers, and a wake-up published during the outage is sent after it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisSharedState, SharedStateUnavailableError, withFailurePolicy } from '../../src/shared/index.ts';
import { PrivateRedis, freePort, randomPrefix, until } from './helpers.ts';

describe('redis restart', { timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
  });
  after(async () => {
    await redis.stop();
  });

  it('fails fast while Redis is down and recovers without a new client', async () => {
    const events: boolean[] = [];
    const raw = new RedisSharedState(redis.url, { prefix: randomPrefix() });
    const state = withFailurePolicy(raw, { onUnavailable: 'closed', onAvailability: (up) => events.push(up) });
    let woken = 0;
    state.notifier.subscribe(() => woken++);
    try {
      assert.equal(await raw.connection.waitReady(5000), true);
      await until(() => woken >= 1, 'the first subscription');
      assert.equal((await state.buckets.take('k', 0.001, 2)).allowed, true);

      await redis.stop();
      await until(() => !raw.connection.available, 'the client to notice the server is gone');
      await assert.rejects(raw.buckets.take('k', 0.001, 2), SharedStateUnavailableError);
      await assert.rejects(raw.quotas.consume('k', { period: 'DAY' }, 5), SharedStateUnavailableError);
      await assert.rejects(raw.cache('c', 1000).get('k'), SharedStateUnavailableError);
      for (let i = 0; i < 5; i++) assert.equal((await state.buckets.take('k', 0.001, 2)).allowed, false, 'closed: refused');
      assert.deepEqual(events, [false], 'the outage is reported once');
      state.notifier.publish(42); // cannot be sent now; sent when Redis is back
      const wokenBefore = woken;

      await redis.start(); // same port, empty: nothing was saved
      await until(() => raw.connection.available, 'the client to reconnect by itself', 20_000);
      await until(async () => (await state.buckets.take('fresh', 0.001, 2)).allowed, 'a take to succeed again');
      assert.deepEqual(events, [false, true], 'the recovery is reported once');
      await until(() => woken > wokenBefore, 'the wake-up after resubscribing');

      // The publish made during the outage reached the server after the reconnect.
      const probe = new Redis(redis.url);
      try {
        await until(async () => /cmdstat_publish:calls=[1-9]/.test(await probe.info('commandstats')), 'the held-back PUBLISH');
      } finally {
        probe.disconnect();
      }
      // And the subscription works again: a new publish wakes the subscriber.
      const w = woken;
      state.notifier.publish(43);
      await until(() => woken > w, 'a wake-up for a publish after the restart');
    } finally {
      await state.close();
    }
  });

  it('a frozen Redis fails calls within the command timeout; they succeed again when it thaws', async () => {
    const state = new RedisSharedState(redis.url, { prefix: randomPrefix(), commandTimeoutMs: 300 });
    try {
      assert.equal(await state.connection.waitReady(5000), true);
      assert.equal((await state.buckets.take('k', 1, 5)).allowed, true);
      redis.pause();
      try {
        await assert.rejects(state.buckets.take('k', 1, 5), (e: Error) => e instanceof SharedStateUnavailableError && /timed out/i.test(e.message));
      } finally {
        redis.resume();
      }
      await until(async () => {
        try {
          return (await state.buckets.take('k', 1, 5)).allowed;
        } catch {
          return false;
        }
      }, 'a take to succeed after the thaw');
    } finally {
      await state.close();
    }
  });
});
