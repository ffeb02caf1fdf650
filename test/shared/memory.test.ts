// The in-process implementation: the contract, then its bounds (memory must not grow without
// limit in a long-running gateway) and the quota period arithmetic every implementation uses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySharedState, openSharedState, quotaPeriodBounds, utcDay } from '../../src/shared/index.ts';
import { MemoryTokenBuckets } from '../../src/shared/memory-buckets.ts';
import { MemoryCache } from '../../src/shared/memory-cache.ts';
import { MemoryQuotaCounters } from '../../src/shared/memory-quotas.ts';
import { sharedStateContract } from './contract.ts';
import { ManualClock } from './helpers.ts';

sharedStateContract('memory', async () => {
  const clock = new ManualClock(0);
  return {
    state: new MemorySharedState({ clock: clock.now }),
    setNow: async (ms) => void (clock.t = ms),
    passCacheTime: async (ms) => void (clock.t += ms),
    close: async () => {},
  };
});

it('openSharedState without --redis or --workers gives this process\'s memory', async () => {
  const s = await openSharedState({ redis: '', workers: 1 }, 'primary');
  assert.ok(s instanceof MemorySharedState);
  assert.equal((await s.buckets.take('k', 1, 1)).allowed, true);
  await s.close();
});

const day = (y: number, m: number, d: number) => utcDay(Date.UTC(y, m - 1, d));

describe('quota periods', () => {
  it('weeks start on Sunday plus the offset, months on day 1 plus the offset', () => {
    // 4 March 2026 is a Wednesday.
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'WEEK' }), { start: day(2026, 3, 1), end: day(2026, 3, 8) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 1), { period: 'WEEK' }), { start: day(2026, 3, 1), end: day(2026, 3, 8) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'WEEK', offset: 1 }), { start: day(2026, 3, 2), end: day(2026, 3, 9) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'WEEK', offset: 6 }), { start: day(2026, 2, 28), end: day(2026, 3, 7) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'MONTH' }), { start: day(2026, 3, 1), end: day(2026, 4, 1) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'MONTH', offset: 27 }), { start: day(2026, 2, 28), end: day(2026, 3, 28) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 1, 10), { period: 'MONTH', offset: 14 }), { start: day(2025, 12, 15), end: day(2026, 1, 15) });
    assert.deepEqual(quotaPeriodBounds(day(2026, 3, 4), { period: 'DAY' }), { start: day(2026, 3, 4), end: day(2026, 3, 5) });
    // Days before 1970 (negative day numbers) still land on the right weekday.
    assert.deepEqual(quotaPeriodBounds(day(1969, 12, 31), { period: 'WEEK' }), { start: day(1969, 12, 28), end: day(1970, 1, 4) });
  });
});

describe('memory bounds', () => {
  it('token buckets: full buckets are swept first, and the count stays within the bound', () => {
    const clock = new ManualClock(0);
    const b = new MemoryTokenBuckets({ clock: clock.now, maxBuckets: 100 });
    for (let i = 0; i < 100; i++) b.takeNow(`old${i}`, 10, 5);
    clock.t = 1000; // every old bucket has refilled: dropping them changes nothing
    const drained = 'drained';
    for (let i = 0; i < 5; i++) b.takeNow(drained, 0.001, 5);
    assert.equal(b.size, 1, 'the 100 full buckets went, the new one stayed');
    assert.equal(b.takeNow(drained, 0.001, 5).allowed, false, 'the drained bucket kept its state');
    for (let i = 0; i < 500; i++) b.takeNow(`busy${i}`, 0.001, 5);
    assert.ok(b.size <= 100, `${b.size} buckets held with a bound of 100`);
  });

  it('cache: the least recently used entry goes first; shrinking the bound evicts at once', () => {
    const clock = new ManualClock(0);
    const c = new MemoryCache(330, clock.now); // three entries of 102 bytes (2-byte key, 100-byte value)
    const v = Buffer.alloc(100);
    c.setNow('k1', v, 60);
    c.setNow('k2', v, 60);
    c.setNow('k3', v, 60);
    assert.notEqual(c.getNow('k1'), undefined); // k1 is now the most recently used
    c.setNow('k4', v, 60);
    assert.equal(c.getNow('k2'), undefined, 'k2 was least recently used');
    assert.notEqual(c.getNow('k1'), undefined);
    assert.equal(c.bytes, 306);
    c.resize(110);
    assert.equal(c.bytes, 102);
    assert.notEqual(c.getNow('k1'), undefined, 'the most recently used stays');
  });

  it('quotas: per-day counts older than the retention and ended periods are dropped', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const q = new MemoryQuotaCounters({ clock: clock.now, retentionDays: 10 });
    const d0 = utcDay(clock.t);
    q.consumeNow('key', { period: 'DAY' }, 5);
    assert.deepEqual(q.usageNow('key', d0, d0), [1]);
    clock.t += 10 * 86_400_000;
    assert.deepEqual(q.usageNow('key', d0, d0), [1], 'kept for the retention');
    clock.t += 86_400_000;
    assert.deepEqual(q.usageNow('key', d0, d0), [0], 'dropped after it');
    assert.throws(() => q.usageNow('key', d0, d0 + 5000), RangeError);
  });
});
