// State the hot path shares between processes: token buckets (throttling), quota counters
// (usage plans), byte-bounded caches (stage response cache, authorizer cache) and the change
// feed's wake-ups. Each has an in-process implementation (the embedded default), one that lives
// in the cluster primary and is reached over IPC (--workers N without Redis), and a Redis one
// (--redis). All pass one behaviour suite (test/shared/contract.ts).
//
// Every method is async because two of the three implementations cross a process or a network;
// results are small flat objects and arguments are primitives, so a call allocates little.
import type { Notifier } from '../feed/types.ts';

/** Milliseconds since the epoch; injected so tests can move time (Date.now by default). */
export type Clock = () => number;

export interface TakeResult {
  readonly allowed: boolean;
  /** Whole tokens left in the bucket after this take. */
  readonly remaining: number;
  /** 0 when allowed; else milliseconds until `cost` tokens are there, or -1 when they never
   *  will be (rate 0, or cost above the burst). */
  readonly retryAfterMs: number;
}

/** Token buckets as API Gateway throttles: `ratePerSecond` is the steady-state rate (tokens
 *  added per second, continuously), `burst` the bucket's size. A bucket not seen before starts
 *  full. Limits may change from call to call (a plan was updated): the bucket keeps its tokens,
 *  capped at the new burst. */
export interface TokenBuckets {
  take(key: string, ratePerSecond: number, burst: number, cost?: number): Promise<TakeResult>;
}

export type QuotaPeriodType = 'DAY' | 'WEEK' | 'MONTH';

/** A usage plan's quota period (its QuotaSettings without the limit, so `plan.quota` fits). */
export interface QuotaPeriod {
  readonly period: QuotaPeriodType;
  /** Days from the period's natural start (src/shared/quota-period.ts); 0 when absent. */
  readonly offset?: number;
}

export interface QuotaResult {
  readonly allowed: boolean;
  /** Requests counted in the current period, this one included when allowed. */
  readonly used: number;
  /** Requests left in the current period after this one. */
  readonly remaining: number;
}

/** Requests per key per UTC day, and quotas per key per period (DAY, WEEK, MONTH with offset).
 *  A key is whatever the caller counts by; usage plans use `${usagePlanId}/${apiKeyId}`.
 *  Days are whole UTC days since 1970-01-01 (`utcDay`), as GetUsage reports them. */
export interface QuotaCounters {
  /** Counts one request (or `cost`) against the key's current period when the quota allows it,
   *  and against today's count; a refused request is not counted (it was not served). */
  consume(key: string, quota: QuotaPeriod, limit: number, cost?: number): Promise<QuotaResult>;
  /** The current period's figures without counting anything (GetUsage, UpdateUsage's answer). */
  peek(key: string, quota: QuotaPeriod, limit: number): Promise<QuotaResult>;
  /** Requests counted on each day from `fromDay` to `toDay` inclusive (0 for days without any). */
  usage(key: string, fromDay: number, toDay: number): Promise<number[]>;
  /** UpdateUsage's `replace /remaining`: from now to the end of the current period the key has
   *  `remaining` requests left, whatever the limit says. */
  adjust(key: string, quota: QuotaPeriod, remaining: number): Promise<void>;
}

/** A cache bounded in bytes (keys and values counted); entries expire after their TTL and the
 *  cache evicts others when a new entry would not fit. */
export interface SharedCache {
  get(key: string): Promise<Buffer | undefined>;
  /** A string is stored as its UTF-8 bytes. An entry larger than the whole bound is not stored. */
  set(key: string, value: Buffer | string, ttlSeconds: number): Promise<void>;
  /** Invalidates one entry (Cache-Control: max-age=0); true when there was one. */
  delete(key: string): Promise<boolean>;
  /** Deletes every entry whose key starts with `prefix` ('' empties the cache: FlushStageCache);
   *  answers how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
}

/** Wake-ups for the change feed, as src/feed defines them: a process that committed a change
 *  publishes its seq; every process (the publisher too) is woken and reads the store's change
 *  log from where it was. A wake-up carries no data a follower relies on, so a lost one costs
 *  only latency; implementations also wake subscribers when a subscription is (re)established,
 *  since messages may have been lost before. */
export type { Notifier };

export type SharedStateKind = 'memory' | 'ipc' | 'redis';

export interface SharedState {
  readonly kind: SharedStateKind;
  readonly buckets: TokenBuckets;
  readonly quotas: QuotaCounters;
  /** The cache named `name` (one per stage cache, one for authorizer results), bounded to
   *  `maxBytes`; the same name gives the same entries in every process. */
  cache(name: string, maxBytes: number): SharedCache;
  readonly notifier: Notifier;
  close(): Promise<void>;
}

/** Every call of a Redis- or IPC-backed implementation rejects with this, at once, while the
 *  shared state cannot be reached; callers apply their failure policy (failure-policy.ts). */
export class SharedStateUnavailableError extends Error {
  readonly code = 'GH_ERR_SHARED_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SharedStateUnavailableError';
  }
}

export function isSharedStateUnavailable(err: unknown): err is SharedStateUnavailableError {
  return err instanceof SharedStateUnavailableError;
}

const DAY_MS = 86_400_000;

/** Whole UTC days since 1970-01-01 of a time in milliseconds. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
