// Prometheus metrics with CloudWatch's names and dimensions (GET /_gatehouse/metrics).
//
// API Gateway's metrics (Count, 4XXError, 5XXError, CacheHitCount, CacheMissCount, Latency,
// IntegrationLatency) are counted per series: one per stage (labels api_id, api_name, stage, and
// empty method and resource, CloudWatch's ApiName+Stage dimensions), and one per method whose
// stage settings turn on detailed metrics (metrics/enabled: method and resource filled, as
// CloudWatch's ApiName+Method+Resource+Stage). A request counts in exactly one series, so summing
// over method and resource gives the stage. Lambda's (Invocations, Errors, Duration,
// ConcurrentExecutions) are counted per function.
//
// The hot path touches plain numbers on objects it finds once per compiled stage or method: no
// label object, hash or string per request (prom-client's own labelled children build both on
// every observe). prom-client renders them at scrape time through collectors of its Registry,
// beside its default process metrics, so the cluster aggregator (src/observe/cluster-metrics.ts)
// sums them across workers like any prom-client metric.
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Buckets of the latency histograms, in milliseconds (API Gateway's integration timeout is 29 s). */
export const LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000]);

/** Counts of one histogram series; `counts[i]` holds the observations in bucket i alone (not cumulative). */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export type ApiLabels = Readonly<{ api_id: string; api_name: string; stage: string; method: string; resource: string }>;

/** One API Gateway series: a stage, or one method of it with detailed metrics. */
export class ApiSeries {
  requests = 0;
  errors4xx = 0;
  errors5xx = 0;
  readonly latency = new HistogramSeries(LATENCY_BUCKETS_MS);
  readonly integrationLatency = new HistogramSeries(LATENCY_BUCKETS_MS);

  constructor(readonly labels: ApiLabels) {}

  /** One finished request: its status, its latency and (when an integration ran) the integration's. */
  record(status: number, latencyMs: number, integrationLatencyMs: number | undefined): void {
    this.requests++;
    if (status >= 500) this.errors5xx++;
    else if (status >= 400) this.errors4xx++;
    this.latency.observe(latencyMs);
    if (integrationLatencyMs !== undefined) this.integrationLatency.observe(integrationLatencyMs);
  }
}

export type LambdaLabels = Readonly<{ function_name: string; account_id: string; region: string }>;

/** One Lambda function's counts in this process. */
export class LambdaSeries {
  invocations = 0;
  errors = 0;
  concurrent = 0;
  readonly duration = new HistogramSeries(LATENCY_BUCKETS_MS);

  constructor(readonly labels: LambdaLabels) {}

  /** An invocation starts; call the answer when it ends: 'ok', 'error' (a function error, or it
   *  could not run) or 'throttled' (refused for want of capacity: not an invocation, as in Lambda). */
  start(): (outcome: 'ok' | 'error' | 'throttled') => void {
    const started = performance.now();
    this.invocations++;
    this.concurrent++;
    let done = false;
    return (outcome) => {
      if (done) return;
      done = true;
      this.concurrent--;
      if (outcome === 'throttled') {
        this.invocations--;
        return;
      }
      if (outcome === 'error') this.errors++;
      this.duration.observe(performance.now() - started);
    };
  }
}

/** CacheHitCount / CacheMissCount of the stages one response cache counted (src/cache). */
export interface CacheCountSource {
  allCounts(): ReadonlyMap<string, Readonly<{ hits: number; misses: number }>>;
}

type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

/** A collector prom-client's Registry renders like its own metrics (name, help, type, get()). */
interface Collector {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  get(): { name: string; help: string; type: string; values: Value[]; aggregator: 'sum' };
  reset(): void;
}

function collector(name: string, help: string, type: Collector['type'], values: () => Value[]): Collector {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => ({ name, help, type, values: values(), aggregator: 'sum' }),
    // Counts live in the series; the registry's resetMetrics (tests of prom-client users) leaves them.
    reset() {},
  };
}

function histogramValues(name: string, labels: Record<string, string>, h: HistogramSeries, out: Value[]): void {
  let cumulative = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    cumulative += h.counts[i]!;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: h.bounds[i]! }, value: cumulative });
  }
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
  out.push({ metricName: `${name}_sum`, labels, value: h.sum });
  out.push({ metricName: `${name}_count`, labels, value: h.count });
}

/** This process's metrics: the series the hot path counts into, and the registry that renders them. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #api = new Map<string, ApiSeries>();
  readonly #lambda = new Map<string, LambdaSeries>();
  /** Stage labels by the response cache's stage name (stage/{account}/{region}/{api}/{stage}). */
  readonly #stages = new Map<string, ApiLabels>();
  readonly #caches = new Set<CacheCountSource>();
  readonly #dropped = new Map<string, () => number>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const api = (name: string, help: string, pick: (s: ApiSeries) => number): Collector =>
      collector(name, help, 'counter', () => [...this.#api.values()].map((s) => ({ labels: { ...s.labels }, value: pick(s) })));
    const apiHistogram = (name: string, help: string, pick: (s: ApiSeries) => HistogramSeries): Collector =>
      collector(name, help, 'histogram', () => {
        const out: Value[] = [];
        for (const s of this.#api.values()) if (pick(s).count > 0) histogramValues(name, { ...s.labels }, pick(s), out);
        return out;
      });
    const cache = (name: string, help: string, pick: (c: { hits: number; misses: number }) => number): Collector =>
      collector(name, help, 'counter', () => {
        const out: Value[] = [];
        for (const source of this.#caches) {
          for (const [stage, counts] of source.allCounts()) {
            const labels = this.#stages.get(stage);
            if (labels !== undefined) out.push({ labels: { ...labels }, value: pick(counts) });
          }
        }
        return out;
      });
    const lambda = (name: string, help: string, type: Collector['type'], pick: (s: LambdaSeries) => number): Collector =>
      collector(name, help, type, () => [...this.#lambda.values()].map((s) => ({ labels: { ...s.labels }, value: pick(s) })));
    const collectors: Collector[] = [
      api('apigateway_requests_total', 'API requests (CloudWatch Count)', (s) => s.requests),
      api('apigateway_4xx_errors_total', 'Requests answered with a 4xx status (CloudWatch 4XXError)', (s) => s.errors4xx),
      api('apigateway_5xx_errors_total', 'Requests answered with a 5xx status (CloudWatch 5XXError)', (s) => s.errors5xx),
      cache('apigateway_cache_hits_total', 'Requests answered from the stage cache (CloudWatch CacheHitCount)', (c) => c.hits),
      cache('apigateway_cache_misses_total', 'Cacheable requests the stage cache could not answer (CloudWatch CacheMissCount)', (c) => c.misses),
      apiHistogram('apigateway_latency_milliseconds', 'From receiving a request to answering it, in ms (CloudWatch Latency)', (s) => s.latency),
      apiHistogram('apigateway_integration_latency_milliseconds', 'From sending the integration request to its response, in ms (CloudWatch IntegrationLatency)', (s) => s.integrationLatency),
      lambda('lambda_invocations_total', 'Lambda function invocations (CloudWatch Invocations)', 'counter', (s) => s.invocations),
      lambda('lambda_errors_total', 'Invocations that ended in a function error or could not run (CloudWatch Errors)', 'counter', (s) => s.errors),
      lambda('lambda_concurrent_executions', 'Invocations running now (CloudWatch ConcurrentExecutions)', 'gauge', (s) => s.concurrent),
      collector('lambda_duration_milliseconds', 'Time an invocation ran, in ms (CloudWatch Duration)', 'histogram', () => {
        const out: Value[] = [];
        for (const s of this.#lambda.values()) if (s.duration.count > 0) histogramValues('lambda_duration_milliseconds', { ...s.labels }, s.duration, out);
        return out;
      }),
      collector('gatehouse_log_lines_dropped_total', 'Access and execution log lines dropped because the disk (or stdout) could not keep up', 'counter', () =>
        [...this.#dropped].map(([log, count]) => ({ labels: { log }, value: count() }))),
    ];
    for (const c of collectors) this.registry.registerMetric(c as never);
  }

  /** The series of a stage (`method` null) or of one of its methods; the same object for the same labels. */
  apiSeries(labels: ApiLabels, cacheStageName: string): ApiSeries {
    const key = `${labels.api_id}\n${labels.stage}\n${labels.method}\n${labels.resource}\n${labels.api_name}`;
    let s = this.#api.get(key);
    if (s === undefined) this.#api.set(key, (s = new ApiSeries(Object.freeze({ ...labels }))));
    if (labels.method === '') this.#stages.set(cacheStageName, s.labels);
    return s;
  }

  lambdaSeries(accountId: string, region: string, functionName: string): LambdaSeries {
    const key = `${accountId}/${region}/${functionName}`;
    let s = this.#lambda.get(key);
    if (s === undefined) this.#lambda.set(key, (s = new LambdaSeries(Object.freeze({ function_name: functionName, account_id: accountId, region }))));
    return s;
  }

  /** Counts a response cache keeps; each scrape reads them. Answers the function that stops it. */
  addCacheSource(source: CacheCountSource): () => void {
    this.#caches.add(source);
    return () => this.#caches.delete(source);
  }

  /** A log's dropped-line count, read at each scrape. */
  addDroppedLines(log: string, count: () => number): () => void {
    this.#dropped.set(log, count);
    return () => this.#dropped.delete(log);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

let current: GatewayMetrics | undefined;

/** The process's metrics (one registry per process: /_gatehouse/metrics shows the process). */
export function gatewayMetrics(): GatewayMetrics {
  current ??= new GatewayMetrics();
  return current;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
