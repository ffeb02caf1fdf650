// Token buckets in this process's memory. The refill rule is the same as the Redis script's
// (redis-scripts.ts TAKE): tokens grow continuously at `rate` per second up to `burst`.
import type { Clock, TakeResult, TokenBuckets } from './types.ts';

interface Bucket {
  tokens: number;
  /** When `tokens` was last computed (ms). */
  at: number;
  /** The last limits used, so a sweep can tell whether the bucket has refilled. */
  rate: number;
  burst: number;
}

export interface MemoryBucketsOptions {
  clock?: Clock;
  /** Buckets held before a sweep (default 100,000). */
  maxBuckets?: number;
}

export class MemoryTokenBuckets implements TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;
  readonly #max: number;

  constructor(options: MemoryBucketsOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#max = options.maxBuckets ?? 100_000;
  }

  take(key: string, ratePerSecond: number, burst: number, cost = 1): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(key, ratePerSecond, burst, cost));
  }

  /** `take` without the promise, for callers in this process (the IPC primary). */
  takeNow(key: string, rate: number, burst: number, cost = 1): TakeResult {
    const now = this.#clock();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#max) this.#sweep(now);
      b = { tokens: burst, at: now, rate, burst };
      this.#buckets.set(key, b);
    } else {
      // A clock that went back refills nothing and keeps the later time.
      if (now > b.at) {
        b.tokens += ((now - b.at) * rate) / 1000;
        b.at = now;
      }
      b.rate = rate;
      b.burst = burst;
    }
    if (b.tokens > burst) b.tokens = burst;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { allowed: true, remaining: Math.floor(b.tokens), retryAfterMs: 0 };
    }
    const retryAfterMs = rate > 0 && cost <= burst ? Math.ceil(((cost - b.tokens) * 1000) / rate) : -1;
    return { allowed: false, remaining: Math.floor(b.tokens), retryAfterMs };
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** A full bucket is the same as no bucket (a new one starts full), so those go first and
   *  nothing changes; only if that is not enough do the oldest go, down to 90 % so the next
   *  sweep is far off. A dropped bucket that was not full admits up to `burst` early. */
  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) * b.rate) / 1000 >= b.burst) this.#buckets.delete(key);
    }
    const target = Math.floor(this.#max * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}
