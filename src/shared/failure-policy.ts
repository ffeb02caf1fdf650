// What the hot path does while the shared state cannot be reached (Redis down, the cluster
// primary gone): limits and quotas either admit every request ('open') or refuse every request
// ('closed'); caches always behave as empty (a miss costs an integration call, never a wrong answer).
//
// The default is 'open'. AWS never lets an outage of its own throttling store through, but AWS's
// store is not a single Redis the user runs; for a self-hosted gateway, refusing all traffic
// because the rate-limit store is down turns a degraded limiter into a full outage of every API,
// which is worse for most users than a few minutes without limits. Those for whom a quota is a
// hard contract (billing, a fragile backend) choose 'closed'.
//
// Management calls (GetUsage, UpdateUsage, FlushStageCache) are not covered: they reject with
// SharedStateUnavailableError and the management API answers a 5xx, as AWS does in an outage.
import {
  isSharedStateUnavailable, type Notifier, type QuotaCounters, type QuotaPeriod, type QuotaResult, type SharedCache,
  type SharedState, type TakeResult, type TokenBuckets,
} from './types.ts';

export type UnavailablePolicy = 'open' | 'closed';

export const DEFAULT_UNAVAILABLE_POLICY: UnavailablePolicy = 'open';

export interface FailurePolicyOptions {
  onUnavailable: UnavailablePolicy;
  /** Told once when calls start failing and once when one succeeds again (for the log). */
  onAvailability?: (available: boolean, err?: Error) => void;
  /** False when the caller already reported the state unreachable (at start-up): the first
   *  success then reports it back, and the first failure is not reported twice. */
  initiallyAvailable?: boolean;
}

// Frozen answers: nothing is allocated per request during an outage.
const OPEN_TAKE: TakeResult = Object.freeze({ allowed: true, remaining: 0, retryAfterMs: 0 });
/** Refused requests are told to come back in a second, when Redis may be back. */
const CLOSED_TAKE: TakeResult = Object.freeze({ allowed: false, remaining: 0, retryAfterMs: 1000 });
const OPEN_QUOTA: QuotaResult = Object.freeze({ allowed: true, used: 0, remaining: 0 });
const CLOSED_QUOTA: QuotaResult = Object.freeze({ allowed: false, used: 0, remaining: 0 });

class Availability {
  #down: boolean;
  constructor(
    readonly onAvailability: ((available: boolean, err?: Error) => void) | undefined,
    initiallyAvailable: boolean,
  ) {
    this.#down = !initiallyAvailable;
  }

  readonly ok = <T>(result: T): T => {
    if (this.#down) {
      this.#down = false;
      this.onAvailability?.(true);
    }
    return result;
  };

  /** Rethrows anything but unavailability (a bug must not be hidden by the policy). */
  failed(err: unknown): void {
    if (!isSharedStateUnavailable(err)) throw err;
    if (!this.#down) {
      this.#down = true;
      this.onAvailability?.(false, err);
    }
  }
}

class PolicyBuckets implements TokenBuckets {
  readonly #inner: TokenBuckets;
  readonly #av: Availability;
  readonly #fail: (err: unknown) => TakeResult;

  constructor(inner: TokenBuckets, av: Availability, policy: UnavailablePolicy) {
    this.#inner = inner;
    this.#av = av;
    const answer = policy === 'open' ? OPEN_TAKE : CLOSED_TAKE;
    this.#fail = (err) => (av.failed(err), answer);
  }

  take(key: string, ratePerSecond: number, burst: number, cost?: number): Promise<TakeResult> {
    return this.#inner.take(key, ratePerSecond, burst, cost).then(this.#av.ok, this.#fail);
  }
}

class PolicyQuotas implements QuotaCounters {
  readonly #inner: QuotaCounters;
  readonly #av: Availability;
  readonly #fail: (err: unknown) => QuotaResult;

  constructor(inner: QuotaCounters, av: Availability, policy: UnavailablePolicy) {
    this.#inner = inner;
    this.#av = av;
    const answer = policy === 'open' ? OPEN_QUOTA : CLOSED_QUOTA;
    this.#fail = (err) => (av.failed(err), answer);
  }

  consume(key: string, quota: QuotaPeriod, limit: number, cost?: number): Promise<QuotaResult> {
    return this.#inner.consume(key, quota, limit, cost).then(this.#av.ok, this.#fail);
  }

  peek(key: string, quota: QuotaPeriod, limit: number): Promise<QuotaResult> {
    return this.#inner.peek(key, quota, limit);
  }

  usage(key: string, fromDay: number, toDay: number): Promise<number[]> {
    return this.#inner.usage(key, fromDay, toDay);
  }

  adjust(key: string, quota: QuotaPeriod, remaining: number): Promise<void> {
    return this.#inner.adjust(key, quota, remaining);
  }
}

class PolicyCache implements SharedCache {
  readonly #inner: SharedCache;
  readonly #av: Availability;
  readonly #miss: (err: unknown) => undefined;
  readonly #skip: (err: unknown) => void;

  constructor(inner: SharedCache, av: Availability) {
    this.#inner = inner;
    this.#av = av;
    this.#miss = (err) => void av.failed(err);
    this.#skip = (err) => av.failed(err);
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.#inner.get(key).then(this.#av.ok, this.#miss);
  }

  set(key: string, value: Buffer | string, ttlSeconds: number): Promise<void> {
    return this.#inner.set(key, value, ttlSeconds).then(this.#av.ok, this.#skip);
  }

  delete(key: string): Promise<boolean> {
    return this.#inner.delete(key);
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.#inner.deletePrefix(prefix);
  }
}

/** The same state, with `options.onUnavailable` applied to limits and quotas and caches
 *  degrading to misses. The in-process state is never unavailable and needs no wrapper. */
export function withFailurePolicy(state: SharedState, options: FailurePolicyOptions): SharedState {
  const av = new Availability(options.onAvailability, options.initiallyAvailable ?? true);
  const buckets = new PolicyBuckets(state.buckets, av, options.onUnavailable);
  const quotas = new PolicyQuotas(state.quotas, av, options.onUnavailable);
  const caches = new Map<string, PolicyCache>();
  const notifier: Notifier = state.notifier;
  return {
    kind: state.kind,
    buckets,
    quotas,
    notifier,
    cache(name: string, maxBytes: number): SharedCache {
      const inner = state.cache(name, maxBytes);
      let c = caches.get(name);
      if (c === undefined) {
        c = new PolicyCache(inner, av);
        caches.set(name, c);
      }
      return c;
    },
    close: () => state.close(),
  };
}
