// Shared state in Redis: every process of a gateway sees the same buckets, quotas and caches.
// Keys (after the connection's prefix):
//   tb:{key}                   token bucket (hash tokens, at), expires when it would be full
//   q:{key}:{PERIOD}:{day}     quota period starting on that day (hash used, adjusted, remaining, usedAt)
//   qd:{key}:{day}             requests counted on that UTC day
//   c:{name}:...               caches (redis-cache.ts);  feed  the notifier's channel
import { checkUsageRange, quotaPeriodBounds, remainingOf } from './quota-period.ts';
import { RedisCache } from './redis-cache.ts';
import { RedisNotifier } from './redis-notifier.ts';
import { defineScripts, type Scripts } from './redis-scripts.ts';
import { RedisConnection, type RedisConnectionOptions } from './redis.ts';
import {
  utcDay, type Clock, type QuotaCounters, type QuotaPeriod, type QuotaResult, type SharedState, type TakeResult, type TokenBuckets,
} from './types.ts';

const DAY_MS = 86_400_000;

function toTake(r: [number, number, number]): TakeResult {
  return { allowed: r[0] === 1, remaining: r[1], retryAfterMs: r[2] };
}

function toQuota(r: [number, number, number]): QuotaResult {
  return { allowed: r[0] === 1, used: r[1], remaining: r[2] };
}

export class RedisTokenBuckets implements TokenBuckets {
  readonly #conn: RedisConnection;
  readonly #scripts: Scripts;
  readonly #clock: Clock | undefined;

  /** Without a clock the script reads Redis's TIME: one clock for every host. */
  constructor(conn: RedisConnection, scripts: Scripts, clock?: Clock) {
    this.#conn = conn;
    this.#scripts = scripts;
    this.#clock = clock;
  }

  take(key: string, ratePerSecond: number, burst: number, cost = 1): Promise<TakeResult> {
    if (!this.#conn.available) return Promise.reject(this.#conn.unavailable());
    const now = this.#clock === undefined ? '' : this.#clock();
    return this.#scripts.ghTake(this.#conn.prefix + 'tb:' + key, ratePerSecond, burst, cost, now).then(toTake, this.#conn.fail);
  }
}

export class RedisQuotaCounters implements QuotaCounters {
  readonly #conn: RedisConnection;
  readonly #scripts: Scripts;
  readonly #clock: Clock;
  readonly #dayTtl: number;

  /** Days and periods follow this process's clock (quota periods are calendar days, which a
   *  skew of a few seconds moves only at midnight); tests move it to cross period boundaries. */
  constructor(conn: RedisConnection, scripts: Scripts, clock: Clock = Date.now, retentionDays = 100) {
    this.#conn = conn;
    this.#scripts = scripts;
    this.#clock = clock;
    this.#dayTtl = retentionDays * 86_400;
  }

  consume(key: string, quota: QuotaPeriod, limit: number, cost = 1): Promise<QuotaResult> {
    if (!this.#conn.available) return Promise.reject(this.#conn.unavailable());
    const now = this.#clock();
    const today = utcDay(now);
    const { start, end } = quotaPeriodBounds(today, quota);
    const p = this.#conn.prefix;
    return this.#scripts
      .ghConsume(`${p}q:${key}:${quota.period}:${start}`, `${p}qd:${key}:${today}`, limit, cost, periodTtl(now, end), this.#dayTtl)
      .then(toQuota, this.#conn.fail);
  }

  async peek(key: string, quota: QuotaPeriod, limit: number): Promise<QuotaResult> {
    if (!this.#conn.available) throw this.#conn.unavailable();
    const { start } = quotaPeriodBounds(utcDay(this.#clock()), quota);
    const [used, adjusted, granted, usedAt] = await this.#conn.client
      .hmget(`${this.#conn.prefix}q:${key}:${quota.period}:${start}`, 'used', 'adjusted', 'remaining', 'usedAt')
      .catch(this.#conn.fail);
    const u = Number(used ?? 0);
    const remaining = Math.max(remainingOf(u, limit, adjusted !== null, Number(granted), Number(usedAt)), 0);
    return { allowed: remaining > 0, used: u, remaining };
  }

  async usage(key: string, fromDay: number, toDay: number): Promise<number[]> {
    checkUsageRange(fromDay, toDay);
    if (toDay < fromDay) return [];
    if (!this.#conn.available) throw this.#conn.unavailable();
    const keys: string[] = [];
    for (let d = fromDay; d <= toDay; d++) keys.push(`${this.#conn.prefix}qd:${key}:${d}`);
    const counts = await this.#conn.client.mget(keys).catch(this.#conn.fail);
    return counts.map((c) => (c === null ? 0 : Number(c)));
  }

  async adjust(key: string, quota: QuotaPeriod, remaining: number): Promise<void> {
    if (!this.#conn.available) throw this.#conn.unavailable();
    const now = this.#clock();
    const { start, end } = quotaPeriodBounds(utcDay(now), quota);
    await this.#scripts.ghAdjust(`${this.#conn.prefix}q:${key}:${quota.period}:${start}`, remaining, periodTtl(now, end)).catch(this.#conn.fail);
  }
}

/** A period's record outlives its last day by a day (a late reader near midnight still sees it). */
function periodTtl(now: number, endDay: number): number {
  return Math.max(60, Math.ceil((endDay * DAY_MS - now) / 1000) + 86_400);
}

export interface RedisSharedStateOptions extends RedisConnectionOptions {
  /** Only for tests: token buckets use it instead of Redis's TIME, quotas instead of Date.now. */
  clock?: Clock;
  retentionDays?: number;
}

export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  readonly connection: RedisConnection;
  readonly buckets: RedisTokenBuckets;
  readonly quotas: RedisQuotaCounters;
  readonly notifier: RedisNotifier;
  readonly #scripts: Scripts;
  readonly #caches = new Map<string, RedisCache>();

  constructor(url: string, options: RedisSharedStateOptions = {}) {
    this.connection = new RedisConnection(url, options);
    this.#scripts = defineScripts(this.connection.client);
    this.buckets = new RedisTokenBuckets(this.connection, this.#scripts, options.clock);
    this.quotas = new RedisQuotaCounters(this.connection, this.#scripts, options.clock, options.retentionDays);
    this.notifier = new RedisNotifier(this.connection);
  }

  cache(name: string, maxBytes: number): RedisCache {
    let c = this.#caches.get(name);
    if (c === undefined) {
      c = new RedisCache(this.connection, this.#scripts, name, maxBytes);
      this.#caches.set(name, c);
    } else {
      c.maxBytes = maxBytes;
    }
    return c;
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.connection.close();
  }
}
