// The Redis implementation against the shared Redis at 6379 (keys under a random prefix): the
// contract, then what only a shared store shows — two connections sharing one bucket and one
// quota, wake-ups across connections, Redis's own clock, script errors not passed off as
// outages — and fast failure when Redis cannot be reached.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  RedisSharedState, SharedStateUnavailableError, openSharedState, utcDay, withFailurePolicy,
} from '../../src/shared/index.ts';
import { sharedStateContract } from './contract.ts';
import { ManualClock, SHARED_REDIS, deleteKeys, freePort, randomPrefix, until } from './helpers.ts';

const prefix = randomPrefix();
after(() => deleteKeys(prefix));

async function connected(options: ConstructorParameters<typeof RedisSharedState>[1] = {}): Promise<RedisSharedState> {
  const s = new RedisSharedState(SHARED_REDIS, { prefix, ...options });
  assert.equal(await s.connection.waitReady(5000), true, 'the shared Redis at 6379 answers');
  return s;
}

sharedStateContract('redis', async () => {
  const clock = new ManualClock(0);
  const state = await connected({ clock: clock.now });
  return {
    state,
    setNow: async (ms) => void (clock.t = ms),
    passCacheTime: (ms) => new Promise((r) => setTimeout(r, ms)), // Redis expires by its own clock
    close: () => state.close(),
  };
});

describe('redis: one state for every connection', () => {
  it('with Redis\'s own clock, burst 5 admits exactly 5 of 20 takes, counted across two connections', async () => {
    const a = await connected();
    const b = await connected();
    try {
      // 0.001 tokens a second: no refill to speak of while the test runs, whatever the machine's load.
      const key = `time-${Date.now()}`;
      const fromA = [];
      for (let i = 0; i < 3; i++) fromA.push((await a.buckets.take(key, 0.001, 5)).allowed);
      const fromB = [];
      for (let i = 0; i < 17; i++) fromB.push((await b.buckets.take(key, 0.001, 5)).allowed);
      assert.deepEqual(fromA, [true, true, true]);
      assert.equal(fromB.filter(Boolean).length, 2);
      const denied = await b.buckets.take(key, 0.001, 5);
      assert.equal(denied.allowed, false);
      assert.ok(denied.retryAfterMs > 900_000, `retry after ${denied.retryAfterMs} ms at 0.001/s`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a quota counted from two connections at once admits exactly the limit', async () => {
    const a = await connected();
    const b = await connected();
    try {
      const key = `quota-${Date.now()}`;
      const both = await Promise.all([
        ...Array.from({ length: 30 }, () => a.quotas.consume(key, { period: 'DAY' }, 40)),
        ...Array.from({ length: 30 }, () => b.quotas.consume(key, { period: 'DAY' }, 40)),
      ]);
      assert.equal(both.filter((r) => r.allowed).length, 40);
      const today = utcDay(Date.now());
      assert.deepEqual(await a.quotas.usage(key, today, today), [40]);
      assert.deepEqual(await b.quotas.peek(key, { period: 'DAY' }, 40), { allowed: false, used: 40, remaining: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a cache written through one connection is read, bounded and flushed through another', async () => {
    const a = await connected();
    const b = await connected();
    try {
      const name = `stage-${Date.now()}`;
      await a.cache(name, 1000).set('GET /pets', 'cached body', 60);
      assert.equal((await b.cache(name, 1000).get('GET /pets'))?.toString(), 'cached body');
      for (let i = 0; i < 20; i++) await b.cache(name, 1000).set(`k${i}`, 'v'.repeat(100), 60);
      const bytes = await a.cache(name, 1000).bytes();
      assert.ok(bytes > 0 && bytes <= 1000, `${bytes} bytes counted against a bound of 1000`);
      const held = await a.cache(name, 1000).deletePrefix('');
      assert.ok(held >= 1 && held <= 9, `${held} entries of 104 bytes were held`);
      assert.equal(await b.cache(name, 1000).bytes(), 0, 'a flush gives every byte back');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a publish on one connection wakes the subscribers of another', async () => {
    const a = await connected();
    const b = await connected();
    try {
      let woken = 0;
      b.notifier.subscribe(() => woken++);
      await until(() => woken >= 1, 'the wake-up that follows SUBSCRIBE'); // see redis-notifier.ts
      a.notifier.publish(7);
      await until(() => woken >= 2, 'a wake-up for the publish');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a script error is reported as itself, not as an outage, and the failure policy does not hide it', async () => {
    const s = await connected();
    const raw = new Redis(SHARED_REDIS);
    try {
      await raw.set(`${prefix}tb:wrongtype`, 'a string where a hash belongs');
      const err = await s.buckets.take('wrongtype', 1, 1).then(() => undefined, (e: Error) => e);
      assert.ok(err instanceof Error && !(err instanceof SharedStateUnavailableError), `got ${String(err)}`);
      assert.match(err.message, /WRONGTYPE/);
      const wrapped = withFailurePolicy(s, { onUnavailable: 'open' });
      await assert.rejects(wrapped.buckets.take('wrongtype', 1, 1), /WRONGTYPE/);
    } finally {
      raw.disconnect();
      await s.close();
    }
  });
});

describe('redis: unreachable', () => {
  it('every call rejects with SharedStateUnavailableError, without waiting for a connection', { timeout: 10_000 }, async () => {
    const port = await freePort(); // nothing listens there
    const s = new RedisSharedState(`redis://127.0.0.1:${port}`, { prefix });
    try {
      const calls: Promise<unknown>[] = [
        s.buckets.take('k', 1, 1),
        s.quotas.consume('k', { period: 'DAY' }, 1),
        s.quotas.peek('k', { period: 'DAY' }, 1),
        s.quotas.usage('k', 0, 1),
        s.quotas.adjust('k', { period: 'DAY' }, 1),
        s.cache('c', 100).get('k'),
        s.cache('c', 100).set('k', 'v', 1),
        s.cache('c', 100).delete('k'),
        s.cache('c', 100).deletePrefix(''),
      ];
      for (const call of calls) {
        await assert.rejects(call, (e: Error & { code?: string }) => e instanceof SharedStateUnavailableError && e.code === 'GH_ERR_SHARED_UNAVAILABLE');
      }
      s.notifier.publish(1); // dropped, not thrown
    } finally {
      await s.close();
    }
  });

  it('the failure policy admits (open) or refuses (closed), caches miss, and the outage is reported once', { timeout: 10_000 }, async () => {
    const port = await freePort();
    const events: boolean[] = [];
    const open = await openSharedState({ redis: `redis://127.0.0.1:${port}`, workers: 1 }, 'primary', {
      redisPrefix: prefix,
      redisStartupWaitMs: 100,
      onAvailability: (up) => events.push(up),
    });
    const closed = withFailurePolicy(new RedisSharedState(`redis://127.0.0.1:${port}`, { prefix }), { onUnavailable: 'closed' });
    try {
      assert.equal(open.kind, 'redis');
      assert.deepEqual(await open.buckets.take('k', 1, 1), { allowed: true, remaining: 0, retryAfterMs: 0 });
      assert.equal((await open.quotas.consume('k', { period: 'DAY' }, 1)).allowed, true);
      assert.equal(await open.cache('c', 100).get('k'), undefined);
      await open.cache('c', 100).set('k', 'v', 60); // skipped, not thrown
      assert.deepEqual(await closed.buckets.take('k', 1, 1), { allowed: false, remaining: 0, retryAfterMs: 1000 });
      assert.equal((await closed.quotas.consume('k', { period: 'DAY' }, 1)).allowed, false);
      await assert.rejects(open.quotas.usage('k', 0, 0), SharedStateUnavailableError, 'management calls are not covered');
      assert.deepEqual(events, [false], 'said once, at start-up');
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
