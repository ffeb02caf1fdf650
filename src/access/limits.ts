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
//     quotas are exact: the requests for one of them that arrive in one turn of the event loop
//     are asked together, as one take (or count) of as many tokens; when that is refused, each is
//     asked alone, so the answers are those of asking one by one.
//   - a bucket that refused a request cannot give a token before the time it named (retryAfterMs:
//     it refills at its rate, and leases are taken out of it), so until then this process refuses
//     at once, without asking; a flood of throttled requests costs a round trip per refill, not
//     one per request. Changed limits (an updated plan) end the wait.
import { MemoryTokenBuckets } from '../shared/memory-buckets.ts';
import { MemoryQuotaCounters } from '../shared/memory-quotas.ts';
import type { QuotaCounters, QuotaPeriod, QuotaResult, SharedState, TakeResult, TokenBuckets } from '../shared/index.ts';

export interface Limiter {
  /** One token from bucket `key`: the answer at once when the state is in this process. */
  take(key: string, rate: number, burst: number): boolean | Promise<boolean>;
  /** One request counted against quota `key` when it allows one more. */
  consume(key: string, quota: QuotaPeriod, limit: number): boolean | Promise<boolean>;
}

/** `clock`: the shared state's (leases and refusals are timed by it; Date.now by default). */
export function createLimiter(shared: SharedState, clock: () => number = Date.now): Limiter {
  if (shared.buckets instanceof MemoryTokenBuckets && shared.quotas instanceof MemoryQuotaCounters) {
    return new LocalLimiter(shared.buckets, shared.quotas);
  }
  return new SharedLimiter(shared.buckets, shared.quotas, clock);
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
    return this.#quotas.tryConsumeNow(key, quota, limit);
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

interface Denial {
  /** No token before then (ms). */
  until: number;
  rate: number;
  burst: number;
}

const LEASE_MS = 1000;
const SINGLES_MS = 250;
/** A bucket that will never refill (rate 0) is asked again after this long (its limits may change). */
const NEVER_MS = 1000;
const MAX_ENTRIES = 10_000;

/** Tokens one round trip takes from a shared bucket of this burst; below 2, no lease. */
export function leaseSize(burst: number): number {
  return Math.min(100, Math.floor(burst / 100));
}

const allowed = (r: TakeResult | QuotaResult): boolean => r.allowed;

class SharedLimiter implements Limiter {
  readonly #buckets: TokenBuckets;
  readonly #quotas: QuotaCounters;
  readonly #leases = new Map<string, Lease>();
  readonly #denials = new Map<string, Denial>();
  readonly #batches = new Batches();
  readonly #clock: () => number;

  constructor(buckets: TokenBuckets, quotas: QuotaCounters, clock: () => number) {
    this.#buckets = buckets;
    this.#quotas = quotas;
    this.#clock = clock;
  }

  take(key: string, rate: number, burst: number): boolean | Promise<boolean> {
    const size = leaseSize(burst);
    const now = this.#clock();
    if (size < 2) return this.#single(key, rate, burst, now);
    let lease = this.#leases.get(key);
    if (lease === undefined) {
      if (this.#leases.size >= MAX_ENTRIES) this.#sweep(now);
      lease = { tokens: 0, until: 0, pending: null, singlesUntil: 0 };
      this.#leases.set(key, lease);
    }
    if (lease.tokens > 0 && now < lease.until) {
      lease.tokens--;
      return true;
    }
    if (now < lease.singlesUntil) return this.#single(key, rate, burst, now);
    if (lease.pending !== null) return lease.pending.then(() => this.take(key, rate, burst));
    return this.#lease(lease, key, rate, burst, size);
  }

  consume(key: string, quota: QuotaPeriod, limit: number): Promise<boolean> {
    return this.#batches.ask(`q\n${key}`, (cost) => this.#quotas.consume(key, quota, limit, cost)).then(allowed);
  }

  #lease(lease: Lease, key: string, rate: number, burst: number, size: number): Promise<boolean> {
    const taken = this.#buckets.take(key, rate, burst, size).then((r): boolean | Promise<boolean> => {
      if (r.allowed) {
        // This request spends one of them.
        lease.tokens = size - 1;
        lease.until = this.#clock() + LEASE_MS;
        return true;
      }
      const now = this.#clock();
      lease.singlesUntil = now + SINGLES_MS;
      return this.#single(key, rate, burst, now);
    });
    // Cleared however the take ends, so a failed one never leaves waiters waiting on it again.
    const done = (): void => {
      lease.pending = null;
    };
    lease.pending = taken.then(done, done);
    return taken;
  }

  /** One token, unless the bucket said when it would have one and that time has not come. */
  #single(key: string, rate: number, burst: number, now: number): boolean | Promise<boolean> {
    const d = this.#denials.get(key);
    if (d !== undefined) {
      if (now < d.until && d.rate === rate && d.burst === burst) return false;
      this.#denials.delete(key);
    }
    return this.#batches.ask(`t\n${key}`, (cost) => this.#buckets.take(key, rate, burst, cost)).then((r) => {
      if (r.allowed) return true;
      if (this.#denials.size >= MAX_ENTRIES) this.#sweep(now);
      this.#denials.set(key, { until: now + (r.retryAfterMs < 0 ? NEVER_MS : r.retryAfterMs), rate, burst });
      return false;
    });
  }

  /** Drops leases that can no longer be spent (their tokens are lost either way) and past denials. */
  #sweep(now: number): void {
    for (const [key, l] of this.#leases) if (l.pending === null && (l.tokens === 0 || now >= l.until)) this.#leases.delete(key);
    for (const [key, d] of this.#denials) if (now >= d.until) this.#denials.delete(key);
  }
}

// ---------------------------------------------------------------- asking together

interface Waiter<R> {
  resolve(r: R): void;
  reject(err: unknown): void;
}

interface Batch<R> {
  readonly ask: (cost: number) => Promise<R>;
  readonly waiters: Waiter<R>[];
}

/**
 * Asks for one unit per request, grouping the requests for one key that arrive in one turn of the
 * event loop (flushed by setImmediate, after the turn's I/O callbacks) into one ask of as many
 * units. Granted: each request has its unit. Refused (fewer left than asked): each is asked alone,
 * which grants exactly as many as asking one by one would.
 */
class Batches {
  readonly #open = new Map<string, Batch<TakeResult | QuotaResult>>();
  #armed = false;

  ask<R extends TakeResult | QuotaResult>(id: string, ask: (cost: number) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let batch = this.#open.get(id);
      if (batch === undefined) {
        batch = { ask, waiters: [] };
        this.#open.set(id, batch);
        if (!this.#armed) {
          this.#armed = true;
          setImmediate(() => this.#flush());
        }
      }
      batch.waiters.push({ resolve: resolve as (r: TakeResult | QuotaResult) => void, reject });
    });
  }

  #flush(): void {
    this.#armed = false;
    const batches = [...this.#open.values()];
    this.#open.clear();
    for (const { ask, waiters } of batches) {
      if (waiters.length === 1) {
        ask(1).then(waiters[0]!.resolve, waiters[0]!.reject);
        continue;
      }
      ask(waiters.length).then((r) => {
        if (r.allowed) for (const w of waiters) w.resolve(r);
        else for (const w of waiters) ask(1).then(w.resolve, w.reject);
      }, (err: unknown) => {
        for (const w of waiters) w.reject(err);
      });
    }
  }
}
