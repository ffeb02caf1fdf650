// The shared-state contract: the in-process, IPC and Redis implementations all run these cases.
// Time is a clock the harness moves (buckets and quotas follow it in every implementation);
// cache TTLs follow it in memory and real time in Redis, so the harness says how to let it pass.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utcDay, type SharedState } from '../../src/shared/index.ts';
import { until } from './helpers.ts';

export interface Harness {
  readonly state: SharedState;
  /** Sets the clock the state's buckets and quotas (and the memory cache) read. */
  setNow(ms: number): Promise<void>;
  /** Lets `ms` pass for cache TTLs. */
  passCacheTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 2, 4, 12, 0, 0); // Wednesday 4 March 2026, noon UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let unique = 0;
/** A key no other case uses (the harness is shared by the cases of one suite). */
const k = (name: string) => `${name}-${++unique}`;

export function sharedStateContract(name: string, open: () => Promise<Harness>): void {
  describe(`shared state contract: ${name}`, () => {
    let h: Harness;
    let s: SharedState;
    before(async () => {
      h = await open();
      s = h.state;
    });
    after(async () => {
      await h.close();
    });

    describe('token buckets', () => {
      it('a new bucket starts full: burst 5 admits exactly 5 of 20 takes at one instant', async () => {
        await h.setNow(T0);
        const key = k('b');
        const results = [];
        for (let i = 0; i < 20; i++) results.push(await s.buckets.take(key, 1, 5));
        assert.equal(results.filter((r) => r.allowed).length, 5);
        assert.deepEqual(results.slice(0, 5).map((r) => r.remaining), [4, 3, 2, 1, 0]);
        assert.deepEqual(results[5], { allowed: false, remaining: 0, retryAfterMs: 1000 });
      });

      it('refills continuously at the rate, never above the burst', async () => {
        await h.setNow(T0);
        const key = k('b');
        for (let i = 0; i < 4; i++) assert.equal((await s.buckets.take(key, 2, 4)).allowed, true);
        await h.setNow(T0 + 250); // half a token
        assert.deepEqual(await s.buckets.take(key, 2, 4), { allowed: false, remaining: 0, retryAfterMs: 250 });
        await h.setNow(T0 + 500); // one token
        assert.deepEqual(await s.buckets.take(key, 2, 4), { allowed: true, remaining: 0, retryAfterMs: 0 });
        assert.equal((await s.buckets.take(key, 2, 4)).allowed, false);
        await h.setNow(T0 + HOUR); // long enough for 7200 tokens; the bucket holds 4
        const later = [];
        for (let i = 0; i < 6; i++) later.push((await s.buckets.take(key, 2, 4)).allowed);
        assert.deepEqual(later, [true, true, true, true, false, false]);
      });

      it('takes a cost of several tokens, and says when a take can never succeed', async () => {
        await h.setNow(T0);
        const key = k('b');
        assert.deepEqual(await s.buckets.take(key, 1, 3, 2), { allowed: true, remaining: 1, retryAfterMs: 0 });
        assert.deepEqual(await s.buckets.take(key, 1, 3, 2), { allowed: false, remaining: 1, retryAfterMs: 1000 });
        assert.deepEqual(await s.buckets.take(key, 1, 3, 4), { allowed: false, remaining: 1, retryAfterMs: -1 });
        const still = k('b');
        assert.equal((await s.buckets.take(still, 0, 2)).allowed, true);
        assert.equal((await s.buckets.take(still, 0, 2)).allowed, true);
        assert.deepEqual(await s.buckets.take(still, 0, 2), { allowed: false, remaining: 0, retryAfterMs: -1 });
        await h.setNow(T0 + DAY / 2);
        assert.equal((await s.buckets.take(still, 0, 2)).allowed, false, 'rate 0 never refills');
        assert.deepEqual(await s.buckets.take(k('b'), 10, 0), { allowed: false, remaining: 0, retryAfterMs: -1 });
      });

      it('keeps its tokens when the limits change, capped at the new burst', async () => {
        await h.setNow(T0);
        const key = k('b');
        assert.equal((await s.buckets.take(key, 1, 10)).remaining, 9);
        assert.deepEqual(await s.buckets.take(key, 1, 3), { allowed: true, remaining: 2, retryAfterMs: 0 });
        assert.equal((await s.buckets.take(key, 1, 100)).remaining, 1, 'a bigger burst does not add tokens at once');
      });

      it('keeps keys apart', async () => {
        await h.setNow(T0);
        const a = k('b');
        const b = k('b');
        assert.equal((await s.buckets.take(a, 1, 1)).allowed, true);
        assert.equal((await s.buckets.take(a, 1, 1)).allowed, false);
        assert.equal((await s.buckets.take(b, 1, 1)).allowed, true);
      });

      it('admits exactly the burst when many takes arrive at once', async () => {
        await h.setNow(T0);
        const key = k('b');
        const results = await Promise.all(Array.from({ length: 40 }, () => s.buckets.take(key, 0.001, 10)));
        assert.equal(results.filter((r) => r.allowed).length, 10);
        assert.deepEqual(results.filter((r) => r.allowed).map((r) => r.remaining).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });
    });

    describe('quota counters', () => {
      it('a DAY quota admits the limit, counts only what it admits, and starts again the next day', async () => {
        await h.setNow(T0);
        const key = k('q');
        const day = { period: 'DAY' } as const;
        const r = [];
        for (let i = 0; i < 5; i++) r.push(await s.quotas.consume(key, day, 3));
        assert.deepEqual(r.map((x) => [x.allowed, x.used, x.remaining]), [
          [true, 1, 2], [true, 2, 1], [true, 3, 0], [false, 3, 0], [false, 3, 0],
        ]);
        assert.deepEqual(await s.quotas.usage(key, utcDay(T0), utcDay(T0)), [3]);
        await h.setNow(T0 + DAY);
        assert.deepEqual(await s.quotas.consume(key, day, 3), { allowed: true, used: 1, remaining: 2 });
        assert.deepEqual(await s.quotas.usage(key, utcDay(T0), utcDay(T0) + 1), [3, 1]);
      });

      it('a WEEK quota starts on the offset\'s weekday (0 = Sunday)', async () => {
        const sunday = { period: 'WEEK', offset: 0 } as const; // 1-7 March 2026
        const key = k('q');
        await h.setNow(T0); // Wednesday
        assert.equal((await s.quotas.consume(key, sunday, 2)).allowed, true);
        await h.setNow(T0 + 3 * DAY); // Saturday 7 March, same week
        assert.deepEqual(await s.quotas.consume(key, sunday, 2), { allowed: true, used: 2, remaining: 0 });
        assert.equal((await s.quotas.consume(key, sunday, 2)).allowed, false);
        await h.setNow(T0 + 4 * DAY); // Sunday 8 March
        assert.deepEqual(await s.quotas.consume(key, sunday, 2), { allowed: true, used: 1, remaining: 1 });

        const thursday = { period: 'WEEK', offset: 4 } as const;
        const key2 = k('q');
        await h.setNow(T0); // Wednesday: last day of the week that began Thursday 26 February
        assert.equal((await s.quotas.consume(key2, thursday, 1)).allowed, true);
        assert.equal((await s.quotas.consume(key2, thursday, 1)).allowed, false);
        await h.setNow(T0 + DAY); // Thursday 5 March
        assert.equal((await s.quotas.consume(key2, thursday, 1)).allowed, true);
      });

      it('a MONTH quota starts on day 1 + offset', async () => {
        const third = { period: 'MONTH', offset: 2 } as const;
        const key = k('q');
        await h.setNow(Date.UTC(2026, 2, 2, 23, 59)); // 2 March: the period that began 3 February
        assert.equal((await s.quotas.consume(key, third, 1)).allowed, true);
        assert.equal((await s.quotas.consume(key, third, 1)).allowed, false);
        await h.setNow(Date.UTC(2026, 2, 3, 0, 0)); // 3 March
        assert.equal((await s.quotas.consume(key, third, 1)).allowed, true);
        await h.setNow(Date.UTC(2026, 3, 2, 12, 0)); // 2 April, same period
        assert.equal((await s.quotas.consume(key, third, 1)).allowed, false);
      });

      it('reports requests per day, 0 on days without any', async () => {
        const key = k('q');
        const month = { period: 'MONTH' } as const;
        await h.setNow(T0);
        await s.quotas.consume(key, month, 100);
        await s.quotas.consume(key, month, 100);
        await h.setNow(T0 + 2 * DAY);
        await s.quotas.consume(key, month, 100);
        const d = utcDay(T0);
        assert.deepEqual(await s.quotas.usage(key, d - 1, d + 3), [0, 2, 0, 1, 0]);
        assert.deepEqual(await s.quotas.usage(k('q'), d, d + 1), [0, 0]);
      });

      it('adjust sets the remaining quota until the period ends; peek counts nothing', async () => {
        const key = k('q');
        const month = { period: 'MONTH' } as const;
        await h.setNow(T0);
        assert.deepEqual(await s.quotas.peek(key, month, 10), { allowed: true, used: 0, remaining: 10 });
        await s.quotas.consume(key, month, 10);
        await s.quotas.consume(key, month, 10);
        assert.deepEqual(await s.quotas.peek(key, month, 10), { allowed: true, used: 2, remaining: 8 });
        await s.quotas.adjust(key, month, 1);
        assert.deepEqual(await s.quotas.peek(key, month, 10), { allowed: true, used: 2, remaining: 1 });
        assert.deepEqual(await s.quotas.consume(key, month, 10), { allowed: true, used: 3, remaining: 0 });
        assert.equal((await s.quotas.consume(key, month, 10)).allowed, false);
        await s.quotas.adjust(key, month, 20); // an extension beyond the limit
        assert.deepEqual(await s.quotas.consume(key, month, 10), { allowed: true, used: 4, remaining: 19 });
        await h.setNow(Date.UTC(2026, 3, 1, 0, 0)); // April: the grant ended with March
        assert.deepEqual(await s.quotas.consume(key, month, 10), { allowed: true, used: 1, remaining: 9 });
        assert.deepEqual(await s.quotas.peek(key, month, 10), { allowed: true, used: 1, remaining: 9 });
      });

      it('never admits more than the limit when many requests arrive at once', async () => {
        await h.setNow(T0);
        const key = k('q');
        const results = await Promise.all(Array.from({ length: 30 }, () => s.quotas.consume(key, { period: 'DAY' }, 12)));
        assert.equal(results.filter((r) => r.allowed).length, 12);
        assert.deepEqual(await s.quotas.usage(key, utcDay(T0), utcDay(T0)), [12]);
      });
    });

    describe('caches', () => {
      it('stores strings and bytes; a miss is undefined', async () => {
        await h.setNow(T0);
        const c = s.cache(k('c'), 1_000_000);
        await c.set('s', 'héllo', 60);
        await c.set('b', Buffer.from([0, 1, 254, 255]), 60);
        assert.deepEqual(await c.get('s'), Buffer.from('héllo', 'utf8'));
        assert.deepEqual(await c.get('b'), Buffer.from([0, 1, 254, 255]));
        assert.equal(await c.get('none'), undefined);
        await c.set('s', 'again', 60);
        assert.equal((await c.get('s'))?.toString(), 'again');
      });

      it('forgets an entry after its TTL', async () => {
        await h.setNow(T0);
        const c = s.cache(k('c'), 1_000_000);
        await c.set('short', 'x', 1);
        await c.set('long', 'y', 300);
        await c.set('zero', 'z', 0);
        assert.equal((await c.get('short'))?.toString(), 'x');
        assert.equal(await c.get('zero'), undefined, 'a TTL of 0 caches nothing');
        await h.passCacheTime(1100);
        assert.equal(await c.get('short'), undefined);
        assert.equal((await c.get('long'))?.toString(), 'y');
      });

      it('deletes one entry, or every entry under a prefix (glob characters are plain)', async () => {
        await h.setNow(T0);
        const c = s.cache(k('c'), 1_000_000);
        for (const key of ['a/1', 'a/2', 'ab/1', 'b/1', 'x*/1', 'xy/1']) await c.set(key, key, 60);
        assert.equal(await c.deletePrefix('a/'), 2);
        assert.equal(await c.get('a/1'), undefined);
        assert.equal((await c.get('ab/1'))?.toString(), 'ab/1');
        assert.equal(await c.deletePrefix('x*'), 1);
        assert.equal((await c.get('xy/1'))?.toString(), 'xy/1');
        assert.equal(await c.delete('b/1'), true);
        assert.equal(await c.delete('b/1'), false);
        assert.equal(await c.get('b/1'), undefined);
        assert.equal(await c.deletePrefix(''), 2);
        assert.equal(await c.get('xy/1'), undefined);
        assert.equal(await c.deletePrefix(''), 0);
      });

      it('stays within its bound in bytes, keeps the newest entry, refuses one bigger than the bound', async () => {
        await h.setNow(T0);
        const c = s.cache(k('c'), 1000);
        const value = 'v'.repeat(100); // each entry counts 104-105 bytes with its key
        for (let i = 0; i < 30; i++) await c.set(`k${i}`, value, 60);
        let held = 0;
        for (let i = 0; i < 30; i++) if ((await c.get(`k${i}`)) !== undefined) held++;
        assert.ok(held >= 1 && held <= 9, `held ${held} entries of 105 bytes in 1000`);
        assert.notEqual(await c.get('k29'), undefined, 'the newest entry stays');
        await c.set('big', 'x'.repeat(1001), 60);
        assert.equal(await c.get('big'), undefined);
      });

      it('counts a replaced entry once', async () => {
        await h.setNow(T0);
        const c = s.cache(k('c'), 1000);
        const value = 'v'.repeat(100);
        for (let i = 0; i < 20; i++) await c.set('same', value, 60);
        for (let i = 0; i < 8; i++) await c.set(`o${i}`, value, 60);
        for (const key of ['same', 'o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']) {
          assert.notEqual(await c.get(key), undefined, `${key} was evicted: 9 × 105 bytes fit in 1000`);
        }
      });

      it('keeps caches of different names apart', async () => {
        await h.setNow(T0);
        const one = s.cache(k('c'), 10_000);
        const two = s.cache(k('c'), 10_000);
        await one.set('k', '1', 60);
        await two.set('k', '2', 60);
        assert.equal(await one.deletePrefix(''), 1);
        assert.equal((await two.get('k'))?.toString(), '2');
      });
    });

    describe('notifier', () => {
      it('wakes every subscriber on a publish; an unsubscribed one no more', async () => {
        let a = 0;
        let b = 0;
        const offA = s.notifier.subscribe(() => a++);
        const offB = s.notifier.subscribe(() => b++);
        // Publishes before a subscription is in place may be lost (a wake-up is only a hint),
        // so publish until both are woken.
        let seq = 0;
        await until(async () => {
          s.notifier.publish(++seq);
          await new Promise((r) => setTimeout(r, 20));
          return a > 0 && b > 0;
        }, 'both subscribers to wake');
        offB();
        const [a0, b0] = [a, b];
        s.notifier.publish(++seq);
        await until(() => a > a0, 'the remaining subscriber to wake');
        assert.equal(b, b0);
        offA();
      });
    });
  });
}
