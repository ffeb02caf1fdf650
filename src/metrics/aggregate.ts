// CloudWatch's metrics, kept as CloudWatch keeps one-minute data: per series (a namespace and a
// set of dimensions) and minute, the number of values, their sum, minimum and maximum, and a
// histogram of log-spaced buckets for percentiles. The hot path adds to the current minute's
// record of its series in memory (a few additions); a timer writes the records to the store, one
// row per series, minute and process, so every process's figures add up when read.
//
// The histogram is written here: its buckets (each 4% wider than the last, so a percentile is
// within 2% of the true value) must merge across processes by plain addition of counts, which
// is all this needs; HDR or t-digest libraries bring encodings and merge rules of their own.
import { randomUUID } from 'node:crypto';
import type { AggregateRow, Store } from '../store/index.ts';
import { log } from '../observe/log.ts';

const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);

/** Values of one metric in one minute. `h`: bucket index → count (bucket 0 holds values ≤ 1). */
export interface Stat {
  n: number;
  sum: number;
  min: number;
  max: number;
  h: Record<number, number>;
}

export function emptyStat(): Stat {
  return { n: 0, sum: 0, min: Infinity, max: -Infinity, h: {} };
}

export function bucketOf(v: number): number {
  return v <= 1 ? 0 : 1 + Math.floor(Math.log(v) / LOG_GROWTH);
}

/** The value a bucket stands for: the geometric middle of its bounds. */
function bucketValue(b: number): number {
  return b === 0 ? 1 : GROWTH ** (b - 0.5);
}

export function addValue(s: Stat, v: number): void {
  s.n++;
  s.sum += v;
  if (v < s.min) s.min = v;
  if (v > s.max) s.max = v;
  const b = bucketOf(v);
  s.h[b] = (s.h[b] ?? 0) + 1;
}

export function mergeStat(into: Stat, s: Stat): void {
  into.n += s.n;
  into.sum += s.sum;
  if (s.min < into.min) into.min = s.min;
  if (s.max > into.max) into.max = s.max;
  for (const k in s.h) into.h[k] = (into.h[k] ?? 0) + s.h[k]!;
}

/** The p-th percentile (0-100), as CloudWatch estimates it from its own buckets; undefined without data. */
export function percentile(s: Stat, p: number): number | undefined {
  if (s.n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * s.n));
  let seen = 0;
  for (const b of Object.keys(s.h).map(Number).sort((x, y) => x - y)) {
    seen += s.h[b]!;
    if (seen >= rank) return Math.min(s.max, Math.max(s.min, bucketValue(b)));
  }
  return s.max;
}

/** One minute of one API Gateway series: requests, errors, cache lookups, latencies (ms). */
export interface ApiMinute {
  count: number;
  e4: number;
  e5: number;
  hit: number;
  miss: number;
  latency: Stat;
  integration: Stat;
}

/** One minute of one Lambda function: invocations, errors, throttles, duration (ms), peak concurrency. */
export interface LambdaMinute {
  invocations: number;
  errors: number;
  throttles: number;
  duration: Stat;
  concurrent: number;
}

export const API_NAMESPACE = 'AWS/ApiGateway';
export const LAMBDA_NAMESPACE = 'AWS/Lambda';

/** Dimensions as the store keys a series: names sorted, `Name=value` joined with the ASCII unit
 *  separator (PostgreSQL's text cannot hold the NUL character). */
export function seriesKey(dimensions: Readonly<Record<string, string>>): string {
  return Object.keys(dimensions).sort().map((k) => `${k}=${dimensions[k]}`).join('\u001f');
}

export function dimensionsOf(series: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of series.split('\u001f')) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** An API Gateway series of this process: the hot path's handle on its current minute. */
export class ApiSeriesMinutes {
  minute = -1;
  current: ApiMinute = newApiMinute();
  constructor(readonly partition: string, readonly series: string, private readonly owner: MinuteAggregator) {}

  record(nowMs: number, status: number, latencyMs: number, integrationMs: number | undefined, cache: 'hit' | 'miss' | undefined): void {
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.minute) this.rotate(minute);
    const m = this.current;
    m.count++;
    if (status >= 500) m.e5++;
    else if (status >= 400) m.e4++;
    if (cache === 'hit') m.hit++;
    else if (cache === 'miss') m.miss++;
    addValue(m.latency, latencyMs);
    if (integrationMs !== undefined) addValue(m.integration, integrationMs);
  }

  private rotate(minute: number): void {
    if (this.minute !== -1 && this.current.count > 0) this.owner.closed(API_NAMESPACE, this.partition, this.series, this.minute, this.current);
    this.minute = minute;
    this.current = newApiMinute();
    this.owner.touched(this);
  }
}

export class LambdaSeriesMinutes {
  minute = -1;
  current: LambdaMinute = newLambdaMinute();
  running = 0;
  constructor(readonly partition: string, readonly series: string, private readonly owner: MinuteAggregator) {}

  /** An invocation starts; call the answer when it ends. */
  start(nowMs: number): (outcome: 'ok' | 'error' | 'throttled', durationMs: number) => void {
    this.at(nowMs);
    this.running++;
    if (this.running > this.current.concurrent) this.current.concurrent = this.running;
    return (outcome, durationMs) => {
      this.running--;
      this.at(Date.now());
      const m = this.current;
      if (outcome === 'throttled') {
        m.throttles++;
        return;
      }
      m.invocations++;
      if (outcome === 'error') m.errors++;
      addValue(m.duration, durationMs);
    };
  }

  private at(nowMs: number): void {
    const minute = Math.floor(nowMs / 60_000);
    if (minute === this.minute) return;
    const m = this.current;
    if (this.minute !== -1 && (m.invocations > 0 || m.throttles > 0 || m.concurrent > 0)) this.owner.closed(LAMBDA_NAMESPACE, this.partition, this.series, this.minute, m);
    this.minute = minute;
    this.current = newLambdaMinute();
    this.current.concurrent = this.running;
    this.owner.touched(this);
  }
}

function newApiMinute(): ApiMinute {
  return { count: 0, e4: 0, e5: 0, hit: 0, miss: 0, latency: emptyStat(), integration: emptyStat() };
}

function newLambdaMinute(): LambdaMinute {
  return { invocations: 0, errors: 0, throttles: 0, duration: emptyStat(), concurrent: 0 };
}

export function mergeApiMinute(into: ApiMinute, m: ApiMinute): void {
  into.count += m.count;
  into.e4 += m.e4;
  into.e5 += m.e5;
  into.hit += m.hit;
  into.miss += m.miss;
  mergeStat(into.latency, m.latency);
  mergeStat(into.integration, m.integration);
}

export function mergeLambdaMinute(into: LambdaMinute, m: LambdaMinute): void {
  into.invocations += m.invocations;
  into.errors += m.errors;
  into.throttles += m.throttles;
  mergeStat(into.duration, m.duration);
  into.concurrent += m.concurrent;
}

export { newApiMinute, newLambdaMinute };

/** Infinity does not survive JSON; an empty Stat's min and max are written as null. */
function encode(data: ApiMinute | LambdaMinute): string {
  return JSON.stringify(data, (_k, v) => (v === Infinity || v === -Infinity ? null : v));
}

export function decodeStat(s: { n: number; sum: number; min: number | null; max: number | null; h: Record<number, number> }): Stat {
  return { n: s.n, sum: s.sum, min: s.min ?? Infinity, max: s.max ?? -Infinity, h: s.h };
}

export interface AggregatorOptions {
  /** How often the minutes are written to the store (ms); 10 s by default. */
  readonly flushMs?: number;
  /** Data older than this many days is pruned (CloudWatch keeps one-minute data for 15 days; the issue asks two weeks). */
  readonly retentionDays?: number;
}

/**
 * This process's per-minute aggregates. The current minute of each series is written too (and
 * rewritten as it grows), so a query sees requests of the last seconds; a minute's row is final
 * once the minute is over and flushed.
 */
export class MinuteAggregator {
  /** This process's name in the store's rows. */
  readonly writer = randomUUID();
  readonly #store: Store;
  readonly #active = new Set<ApiSeriesMinutes | LambdaSeriesMinutes>();
  #closed: AggregateRow[] = [];
  readonly #api = new Map<string, ApiSeriesMinutes>();
  readonly #lambda = new Map<string, LambdaSeriesMinutes>();
  readonly #timer: NodeJS.Timeout;
  readonly #retentionMs: number;
  #flushing: Promise<void> = Promise.resolve();
  #lastPrune = 0;

  constructor(store: Store, options: AggregatorOptions = {}) {
    this.#store = store;
    this.#retentionMs = (options.retentionDays ?? 14) * 86_400_000;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 10_000);
    this.#timer.unref();
  }

  apiSeries(partition: string, dimensions: Readonly<Record<string, string>>): ApiSeriesMinutes {
    const series = seriesKey(dimensions);
    const key = `${partition}\u0001${series}`;
    let s = this.#api.get(key);
    if (s === undefined) this.#api.set(key, (s = new ApiSeriesMinutes(partition, series, this)));
    return s;
  }

  lambdaSeries(partition: string, functionName: string): LambdaSeriesMinutes {
    const series = seriesKey({ FunctionName: functionName });
    const key = `${partition}\u0001${series}`;
    let s = this.#lambda.get(key);
    if (s === undefined) this.#lambda.set(key, (s = new LambdaSeriesMinutes(partition, series, this)));
    return s;
  }

  /** @internal A series began a minute: it is written at the next flush. */
  touched(s: ApiSeriesMinutes | LambdaSeriesMinutes): void {
    this.#active.add(s);
  }

  /** @internal A series' minute is over: its final record is written at the next flush. */
  closed(namespace: string, partition: string, series: string, minute: number, data: ApiMinute | LambdaMinute): void {
    this.#closed.push({ partition, namespace, series, minute, writer: this.writer, data: encode(data) });
  }

  /** Writes every closed minute and each active series' current one. Resolves when written. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushNow()).catch((err: unknown) => {
      log().warn({ err: (err as Error).message }, 'metrics: could not write the per-minute aggregates; retrying at the next flush');
    });
    return this.#flushing;
  }

  async #flushNow(): Promise<void> {
    const rows = this.#closed;
    this.#closed = [];
    const nowMinute = Math.floor(Date.now() / 60_000);
    for (const s of this.#active) {
      if (s instanceof ApiSeriesMinutes) {
        if (s.current.count > 0) rows.push({ partition: s.partition, namespace: API_NAMESPACE, series: s.series, minute: s.minute, writer: this.writer, data: encode(s.current) });
      } else if (s.current.invocations > 0 || s.current.throttles > 0 || s.current.concurrent > 0) {
        rows.push({ partition: s.partition, namespace: LAMBDA_NAMESPACE, series: s.series, minute: s.minute, writer: this.writer, data: encode(s.current) });
      }
      // A series idle for a whole minute leaves the active set until it records again.
      if (s.minute < nowMinute) this.#active.delete(s);
    }
    // One row per key: the latest (a batch with one key twice would be refused by PostgreSQL).
    const unique = new Map<string, AggregateRow>();
    for (const r of rows) unique.set(`${r.partition}\u0001${r.namespace}\u0001${r.series}\u0001${r.minute}`, r);
    try {
      await this.#store.putAggregates([...unique.values()]);
    } catch (err) {
      // Kept for the next flush; the current minutes are rewritten anyway.
      this.#closed.push(...rows.filter((r) => r.minute < nowMinute));
      throw err;
    }
    if (Date.now() - this.#lastPrune > 3_600_000) {
      this.#lastPrune = Date.now();
      await this.#store.pruneAggregates(Math.floor((Date.now() - this.#retentionMs) / 60_000));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
