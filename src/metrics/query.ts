// Reading metrics back as CloudWatch answers: the per-minute aggregates of every process merged,
// grouped into periods, and each period's statistics (Sum, Average, Minimum, Maximum,
// SampleCount, percentiles) computed from the metric's values. Metrics that count (Count,
// 4XXError, Invocations, ...) have one value per request: 1 for Count, 1 or 0 for an error, so
// their Sum is the number and their Average the rate, as in CloudWatch.
import type { Store } from '../store/index.ts';
import {
  API_NAMESPACE, decodeStat, dimensionsOf, emptyStat, LAMBDA_NAMESPACE, mergeApiMinute, mergeLambdaMinute, mergeStat, newApiMinute, newLambdaMinute, percentile, seriesKey,
  type ApiMinute, type LambdaMinute, type Stat,
} from './aggregate.ts';

export const API_METRICS: Readonly<Record<string, string>> = {
  Count: 'Count', '4XXError': 'Count', '5XXError': 'Count', CacheHitCount: 'Count', CacheMissCount: 'Count', Latency: 'Milliseconds', IntegrationLatency: 'Milliseconds',
};
export const LAMBDA_METRICS: Readonly<Record<string, string>> = {
  Invocations: 'Count', Errors: 'Count', Throttles: 'Count', Duration: 'Milliseconds', ConcurrentExecutions: 'Count',
};

export function unitOf(namespace: string, metricName: string): string | undefined {
  return namespace === API_NAMESPACE ? API_METRICS[metricName] : namespace === LAMBDA_NAMESPACE ? LAMBDA_METRICS[metricName] : undefined;
}

/** The values of one metric in some minutes: what statistics are computed from. */
interface Values {
  /** How many values (CloudWatch's SampleCount). */
  readonly n: number;
  /** For 0/1 metrics: how many are 1; the values are then n - ones zeros and `ones` ones. */
  readonly ones?: number;
  readonly stat?: Stat;
}

function apiValues(metric: string, m: ApiMinute): Values | null {
  switch (metric) {
    case 'Count': return m.count === 0 ? null : { n: m.count, ones: m.count };
    case '4XXError': return m.count === 0 ? null : { n: m.count, ones: m.e4 };
    case '5XXError': return m.count === 0 ? null : { n: m.count, ones: m.e5 };
    case 'CacheHitCount': return m.hit + m.miss === 0 ? null : { n: m.count, ones: m.hit };
    case 'CacheMissCount': return m.hit + m.miss === 0 ? null : { n: m.count, ones: m.miss };
    case 'Latency': return m.latency.n === 0 ? null : { n: m.latency.n, stat: m.latency };
    case 'IntegrationLatency': return m.integration.n === 0 ? null : { n: m.integration.n, stat: m.integration };
    default: return null;
  }
}

function lambdaValues(metric: string, m: LambdaMinute): Values | null {
  switch (metric) {
    case 'Invocations': return m.invocations === 0 ? null : { n: m.invocations, ones: m.invocations };
    case 'Errors': return m.invocations === 0 ? null : { n: m.invocations, ones: m.errors };
    case 'Throttles': return m.throttles === 0 ? null : { n: m.throttles, ones: m.throttles };
    case 'Duration': return m.duration.n === 0 ? null : { n: m.duration.n, stat: m.duration };
    case 'ConcurrentExecutions': {
      if (m.concurrent === 0) return null;
      const s = emptyStat();
      s.n = 1;
      s.sum = s.min = s.max = m.concurrent;
      s.h[0] = 1;
      return { n: 1, stat: s };
    }
    default: return null;
  }
}

export interface Statistics {
  SampleCount?: number;
  Sum?: number;
  Average?: number;
  Minimum?: number;
  Maximum?: number;
  /** p50 → value */
  extended?: Record<string, number>;
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,2})?|100)$/;

export function isPercentile(s: string): boolean {
  return PERCENTILE.test(s) && Number(s.slice(1)) <= 100;
}

function statistics(v: Values, wanted: readonly string[], extended: readonly string[]): Statistics {
  const out: Statistics = {};
  const ones = v.ones;
  for (const w of wanted) {
    if (w === 'SampleCount') out.SampleCount = v.n;
    else if (w === 'Sum') out.Sum = ones ?? v.stat!.sum;
    else if (w === 'Average') out.Average = ones !== undefined ? ones / v.n : v.stat!.sum / v.stat!.n;
    else if (w === 'Minimum') out.Minimum = ones !== undefined ? (ones === v.n ? 1 : 0) : v.stat!.min;
    else if (w === 'Maximum') out.Maximum = ones !== undefined ? (ones > 0 ? 1 : 0) : v.stat!.max;
  }
  for (const p of extended) {
    const q = Number(p.slice(1));
    const value = ones !== undefined ? (Math.ceil((q / 100) * v.n) > v.n - ones ? 1 : 0) : percentile(v.stat!, q)!;
    (out.extended ??= {})[p] = value;
  }
  return out;
}

function mergeValues(a: Values | null, b: Values | null): Values | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.ones !== undefined || b.ones !== undefined) return { n: a.n + b.n, ones: (a.ones ?? 0) + (b.ones ?? 0) };
  const s = emptyStat();
  mergeStat(s, a.stat!);
  mergeStat(s, b.stat!);
  return { n: a.n + b.n, stat: s };
}

export interface SeriesRequest {
  readonly partition: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Seconds, a multiple of 60. */
  readonly period: number;
}

export interface Datapoint extends Statistics {
  /** Epoch ms of the period's start. */
  readonly timestamp: number;
}

/** One metric's periods with data, oldest first. */
export async function datapoints(store: Store, r: SeriesRequest, wanted: readonly string[], extended: readonly string[]): Promise<Datapoint[]> {
  const firstMinute = Math.floor(r.start / 60_000);
  const lastMinute = Math.ceil(r.end / 60_000) - 1;
  if (lastMinute < firstMinute) return [];
  const series = seriesKey(r.dimensions);
  const rows = await store.readAggregates(r.partition, r.namespace, firstMinute, lastMinute, series);
  // Every process's minute, merged.
  const minutes = new Map<number, ApiMinute | LambdaMinute>();
  for (const row of rows) {
    const data = JSON.parse(row.data) as Record<string, unknown>;
    if (r.namespace === API_NAMESPACE) {
      const m = { ...(data as unknown as ApiMinute), latency: decodeStat(data.latency as never), integration: decodeStat(data.integration as never) };
      const into = (minutes.get(row.minute) as ApiMinute | undefined) ?? newApiMinute();
      mergeApiMinute(into, m);
      minutes.set(row.minute, into);
    } else {
      const m = { ...(data as unknown as LambdaMinute), duration: decodeStat(data.duration as never) };
      const into = (minutes.get(row.minute) as LambdaMinute | undefined) ?? newLambdaMinute();
      mergeLambdaMinute(into, m);
      minutes.set(row.minute, into);
    }
  }
  const periodMinutes = r.period / 60;
  const periods = new Map<number, Values | null>();
  for (const [minute, m] of minutes) {
    const v = r.namespace === API_NAMESPACE ? apiValues(r.metricName, m as ApiMinute) : lambdaValues(r.metricName, m as LambdaMinute);
    if (v === null) continue;
    const p = firstMinute + Math.floor((minute - firstMinute) / periodMinutes) * periodMinutes;
    periods.set(p, mergeValues(periods.get(p) ?? null, v));
  }
  return [...periods].filter(([, v]) => v !== null).sort((a, b) => a[0] - b[0])
    .map(([p, v]) => ({ timestamp: p * 60_000, ...statistics(v!, wanted, extended) }));
}

export interface ListedMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** The metrics with data in the last two weeks, as ListMetrics lists them. */
export async function listMetrics(store: Store, partition: string, now: number): Promise<ListedMetric[]> {
  const from = Math.floor((now - 14 * 86_400_000) / 60_000);
  const out: ListedMetric[] = [];
  for (const namespace of [API_NAMESPACE, LAMBDA_NAMESPACE]) {
    for (const s of await store.listAggregateSeries(partition, namespace, from)) {
      const names = namespace === API_NAMESPACE
        ? ['4XXError', '5XXError', ...(s.cache ? ['CacheHitCount', 'CacheMissCount'] : []), 'Count', 'IntegrationLatency', 'Latency']
        : ['ConcurrentExecutions', 'Duration', 'Errors', 'Invocations', ...(s.throttles ? ['Throttles'] : [])];
      for (const metricName of names) out.push({ namespace, metricName, dimensions: dimensionsOf(s.series) });
    }
  }
  return out;
}
