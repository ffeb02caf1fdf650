// What the execution plane reports when a request ends: metrics, the stage's access log and the
// method's execution log. Everything a request needs is decided once per compiled stage (a WeakMap
// entry that lives as long as the stage): its metric series, the detailed series of the methods
// that have them, its compiled access-log format and writer, which methods log their execution.
// A request then costs one lookup, a few additions and, only where a stage asks for them, the log
// lines (built and queued; files are written in the background, src/observe/log-files.ts).
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import type { ExecutionLog, InvocationScope } from '../execute/types.ts';
import { compileAccessLogFormat, logGroupOfArn, type AccessLogFormat } from './access-log.ts';
import { executionLogGroup, executionLogging, RequestExecutionLog, type ExecutionLogging } from './execution-log.ts';
import { DEFAULT_LIMITS, openLogFiles, type LogFileLimits, type LogWriter } from './log-files.ts';
import type { ApiSeriesMinutes, MinuteAggregator } from '../metrics/aggregate.ts';
import { gatewayMetrics, type ApiSeries, type CacheCountSource, type GatewayMetrics } from './metrics.ts';

export interface ObserverOptions {
  /** Where log files go: <dataDir>/logs; ':memory:' writes them to stdout. */
  readonly dataDir: string;
  /** The stage response cache, whose hit and miss counts the metrics show. */
  readonly cache?: CacheCountSource;
  /** This process's metrics (tests give their own). */
  readonly metrics?: GatewayMetrics;
  readonly logLimits?: LogFileLimits;
  /** CloudWatch's per-minute aggregates (src/metrics); none when omitted. */
  readonly minutes?: MinuteAggregator;
}

export interface Observer {
  /** A request's execution log: one that collects the lines when its stage logs execution, else null. */
  executionLog(api: CompiledApi, requestId: string, extendedRequestId: string, startedAt: number): ExecutionLog | null;
  /** The request is answered: `status` and `responseLength` as sent, `scope` as the pipeline left it, at `now` (ms). */
  finished(scope: InvocationScope, status: number, responseLength: number, now: number): void;
  close(): Promise<void>;
}

interface StageObserver {
  /** The stage's own series (method and resource empty). */
  readonly series: ApiSeries;
  /** Methods with detailed metrics, and their series; null when no method of the stage has them. */
  readonly detailed: ReadonlyMap<CompiledMethod, ApiSeries> | null;
  /** The stage's access log; null when it has none. */
  readonly accessLog: { readonly format: AccessLogFormat; readonly writer: LogWriter } | null;
  /** Methods that log execution, with how; null when none does (the stage-wide setting applies to unrouted requests). */
  readonly execution: { readonly methods: ReadonlyMap<CompiledMethod, ExecutionLogging>; readonly stage: ExecutionLogging; readonly writer: LogWriter } | null;
  /** CloudWatch series of every request: {ApiName} and {ApiName, Stage}; empty without an aggregator. */
  readonly minutes: readonly ApiSeriesMinutes[];
  /** Methods with detailed metrics: their {ApiName, Method, Resource, Stage} series. */
  readonly detailedMinutes: ReadonlyMap<CompiledMethod, ApiSeriesMinutes> | null;
}

export function createObserver(options: ObserverOptions): Observer {
  const metrics = options.metrics ?? gatewayMetrics();
  const stages = new WeakMap<CompiledApi, StageObserver>();
  const stopCache = options.cache === undefined ? () => {} : metrics.addCacheSource(options.cache);
  const logs = openLogFiles(options.dataDir, options.logLimits ?? DEFAULT_LIMITS);

  function stageObserver(api: CompiledApi): StageObserver {
    let s = stages.get(api);
    if (s !== undefined) return s;
    const cacheName = `stage/${api.accountId}/${api.region}/${api.restApiId}/${api.stageName}`;
    const labels = { api_id: api.restApiId, api_name: api.apiName, stage: api.stageName, method: '', resource: '' };
    let detailed: Map<CompiledMethod, ApiSeries> | null = null;
    let detailedMinutes: Map<CompiledMethod, ApiSeriesMinutes> | null = null;
    const partition = `${api.accountId}/${api.region}`;
    const minutes = options.minutes;
    const logging = new Map<CompiledMethod, ExecutionLogging>();
    for (const resource of api.resourcesById.values()) {
      for (const method of resource.methods.values()) {
        if (method.settings.metricsEnabled === true) {
          detailed ??= new Map();
          detailed.set(method, metrics.apiSeries({ ...labels, method: method.httpMethod, resource: method.resourcePath }, cacheName));
          if (minutes !== undefined) {
            detailedMinutes ??= new Map();
            detailedMinutes.set(method, minutes.apiSeries(partition, { ApiName: api.apiName, Method: method.httpMethod, Resource: method.resourcePath, Stage: api.stageName }));
          }
        }
        const l = executionLogging(method.settings);
        if (l.level !== 'OFF') logging.set(method, l);
      }
    }
    const stageLogging = executionLogging(api.stageSettings.methodSettings['*/*']);
    const access = api.stageSettings.accessLogSettings;
    const accessGroup = access === null ? null : logGroupOfArn(access.destinationArn!);
    s = {
      series: metrics.apiSeries(labels, cacheName),
      detailed,
      accessLog: accessGroup === null ? null : { format: compileAccessLogFormat(access!.format!), writer: logs.files.writer(accessGroup) },
      execution: logging.size === 0 && stageLogging.level === 'OFF' ? null : { methods: logging, stage: stageLogging, writer: logs.files.writer(executionLogGroup(api)) },
      minutes: minutes === undefined ? [] : [minutes.apiSeries(partition, { ApiName: api.apiName }), minutes.apiSeries(partition, { ApiName: api.apiName, Stage: api.stageName })],
      detailedMinutes,
    };
    stages.set(api, s);
    return s;
  }

  return {
    executionLog(api, requestId, extendedRequestId, startedAt) {
      return stageObserver(api).execution === null ? null : new RequestExecutionLog(requestId, startedAt, extendedRequestId);
    },
    finished(scope, status, responseLength, now) {
      const stage = stageObserver(scope.api);
      const context = scope.context;
      const latency = now - (context.requestTimeEpoch as number);
      const method = stage.detailed === null && stage.execution === null ? null : routedMethod(scope.api, context);
      const series = method === null || stage.detailed === null ? stage.series : (stage.detailed.get(method) ?? stage.series);
      const integrationLatency = context.integrationLatency as number | undefined;
      series.record(status, latency, integrationLatency);
      for (const m of stage.minutes) m.record(now, status, latency, integrationLatency, scope.cacheStatus);
      if (method !== null) stage.detailedMinutes?.get(method)?.record(now, status, latency, integrationLatency, scope.cacheStatus);
      if (stage.accessLog !== null) {
        // A compiled format's line never has a line break in it.
        stage.accessLog.writer.write(now, stage.accessLog.format(context, { status, responseLength, responseLatency: latency }), true);
      }
      if (stage.execution !== null && scope.log instanceof RequestExecutionLog) {
        const logging = method === null ? stage.execution.stage : (stage.execution.methods.get(method) ?? stage.execution.stage);
        const failed = (context.error as { responseType?: unknown } | undefined)?.responseType !== undefined;
        scope.log.writeTo(stage.execution.writer, logging, failed);
      }
    },
    async close() {
      stopCache();
      await logs.release();
    },
  };
}

/** The method a request was routed to, from what method-request put in $context; null before routing. */
export function routedMethod(api: CompiledApi, context: Record<string, unknown>): CompiledMethod | null {
  const resourceId = context.resourceId;
  if (typeof resourceId !== 'string') return null;
  const methods = api.resourcesById.get(resourceId)?.methods;
  if (methods === undefined) return null;
  return methods.get(context.httpMethod as string) ?? methods.get('ANY') ?? null;
}
