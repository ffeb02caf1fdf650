// Token buckets and quota counters as the throttling step asks them: one token, one request.
//
// In one process (the embedded default) the state is in this process's memory and is asked
// synchronously: no promise, no allocation beyond the answer. With Redis or the --workers
// primary every ask crosses a process, so two things keep that off most requests:
//   - a large bucket is drawn on in leases: one round trip takes 1 % of its burst (at most 100
//     tokens) and this process spends them locally for up to a second. The account's bucket
//     (5,000 by default) is such a bucket, and it is asked on every request. Leased tokens are
//     taken from the shared bucket before they are spent, so processes together never admit more
//     than the bucket gives; a lease not spent within its second is lost, which admits fewer, and
//     a process may spend a lease up to a second after taking it, which shifts at most one lease
//     per process in time. A lease the bucket cannot give any more (fewer tokens than a lease
//     left) turns this process to single tokens for a moment, so the last tokens go one by one.
//   - small buckets (a burst below 200: usage-plan and method limits people set to be felt) and
//     quotas are asked once per request, exactly.
import { MemoryTokenBuckets } from '../shared/memory-buckets.ts';
import { MemoryQuotaCounters } from '../shared/memory-quotas.ts';
import type { QuotaCounters, QuotaPeriod, QuotaResult, SharedState, TakeResult, TokenBuckets } from '../shared/index.ts';

export interface Limiter {
  /** One token from bucket `key`: the answer at once when the state is in this process. */
  take(key: string, rate: number, burst: number): boolean | Promise<boolean>;
  /** One request counted against quota `key` when it allows one more. */
  consume(key: string, quota: QuotaPeriod, limit: number): boolean | Promise<boolean>;
}

export function createLimiter(shared: SharedState): Limiter {
  if (shared.buckets instanceof MemoryTokenBuckets && shared.quotas instanceof MemoryQuotaCounters) {
    return new LocalLimiter(shared.buckets, shared.quotas);
  }
  return new SharedLimiter(shared.buckets, shared.quotas);
}

class LocalLimiter implements Limiter {
  readonly #buckets: MemoryTokenBuckets;
  readonly #quotas: MemoryQuotaCounters;

  constructor(buckets: MemoryTokenBuckets, quotas: MemoryQuotaCounters) {
    this.#buckets = buckets;
    this.#quotas = quotas;
  }

  take(key: string, rate: number, burst: number): boolean {
    return this.#buckets.takeNow(key, rate, burst, 1).allowed;
  }

  consume(key: string, quota: QuotaPeriod, limit: number): boolean {
    return this.#quotas.consumeNow(key, quota, limit, 1).allowed;
  }
}

interface Lease {
  tokens: number;
  /** Leased tokens are spent only until then (ms). */
  until: number;
  /** A lease being taken: other requests wait for it instead of taking their own. */
  pending: Promise<void> | null;
  /** Until then, single tokens only (the bucket had less than a lease left). */
  singlesUntil: number;
}

const LEASE_MS = 1000;
const SINGLES_MS = 250;
const MAX_LEASES = 10_000;

/** Tokens one round trip takes from a shared bucket of this burst; below 2, no lease. */
export function leaseSize(burst: number): number {
  return Math.min(100, Math.floor(burst / 100));
}

const allowed = (r: TakeResult | QuotaResult): boolean => r.allowed;

class SharedLimiter implements Limiter {
  readonly #buckets: TokenBuckets;
  readonly #quotas: QuotaCounters;
  readonly #leases = new Map<string, Lease>();

  constructor(buckets: TokenBuckets, quotas: QuotaCounters) {
    this.#buckets = buckets;
    this.#quotas = quotas;
  }

  take(key: string, rate: number, burst: number): boolean | Promise<boolean> {
    const size = leaseSize(burst);
    if (size < 2) return this.#buckets.take(key, rate, burst, 1).then(allowed);
    const now = Date.now();
    let lease = this.#leases.get(key);
    if (lease === undefined) {
      if (this.#leases.size >= MAX_LEASES) this.#sweep(now);
      lease = { tokens: 0, until: 0, pending: null, singlesUntil: 0 };
      this.#leases.set(key, lease);
    }
    if (lease.tokens > 0 && now < lease.until) {
      lease.tokens--;
      return true;
    }
    if (now < lease.singlesUntil) return this.#buckets.take(key, rate, burst, 1).then(allowed);
    if (lease.pending !== null) return lease.pending.then(() => this.take(key, rate, burst));
    return this.#lease(lease, key, rate, burst, size);
  }

  consume(key: string, quota: QuotaPeriod, limit: number): Promise<boolean> {
    return this.#quotas.consume(key, quota, limit, 1).then(allowed);
  }

  #lease(lease: Lease, key: string, rate: number, burst: number, size: number): Promise<boolean> {
    const taken = this.#buckets.take(key, rate, burst, size).then((r): boolean | Promise<boolean> => {
      if (r.allowed) {
        // This request spends one of them.
        lease.tokens = size - 1;
        lease.until = Date.now() + LEASE_MS;
        return true;
      }
      lease.singlesUntil = Date.now() + SINGLES_MS;
      return this.#buckets.take(key, rate, burst, 1).then(allowed);
    });
    // Cleared however the take ends, so a failed one never leaves waiters waiting on it again.
    const done = (): void => {
      lease.pending = null;
    };
    lease.pending = taken.then(done, done);
    return taken;
  }

  /** Drops leases that can no longer be spent (their tokens are lost either way). */
  #sweep(now: number): void {
    for (const [key, l] of this.#leases) if (l.pending === null && (l.tokens === 0 || now >= l.until)) this.#leases.delete(key);
  }
}
