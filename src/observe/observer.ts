// What the execution plane reports when a request ends: metrics, the stage's access log and the
// method's execution log. Everything a request needs is decided once per compiled stage (a WeakMap
// entry that lives as long as the stage): its metric series, the detailed series of the methods
// that have them, its compiled access-log format. A request then costs one lookup, a few
// additions and, only where a stage asks for them, the log lines.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import type { InvocationScope } from '../execute/types.ts';
import type { Integration, IntegrationRegistry } from '../integrations/index.ts';
import { gatewayMetrics, type ApiSeries, type CacheCountSource, type GatewayMetrics } from './metrics.ts';

export interface ObserverOptions {
  /** The stage response cache, whose hit and miss counts the metrics show. */
  readonly cache?: CacheCountSource;
  /** This process's metrics (tests give their own). */
  readonly metrics?: GatewayMetrics;
}

export interface Observer {
  /** The request is answered: `status` and `responseLength` as sent, `scope` as the pipeline left it. */
  finished(scope: InvocationScope, status: number, responseLength: number): void;
  /** The integrations, timed: each call's latency and status go to $context (integrationLatency, integrationStatus). */
  timed(registry: IntegrationRegistry): IntegrationRegistry;
  close(): Promise<void>;
}

interface StageObserver {
  /** The stage's own series (method and resource empty). */
  readonly series: ApiSeries;
  /** Methods with detailed metrics, and their series; null when no method of the stage has them. */
  readonly detailed: ReadonlyMap<CompiledMethod, ApiSeries> | null;
}

export function createObserver(options: ObserverOptions = {}): Observer {
  const metrics = options.metrics ?? gatewayMetrics();
  const stages = new WeakMap<CompiledApi, StageObserver>();
  const stopCache = options.cache === undefined ? () => {} : metrics.addCacheSource(options.cache);

  function stageObserver(api: CompiledApi): StageObserver {
    let s = stages.get(api);
    if (s !== undefined) return s;
    const cacheName = `stage/${api.accountId}/${api.region}/${api.restApiId}/${api.stageName}`;
    const labels = { api_id: api.restApiId, api_name: api.apiName, stage: api.stageName, method: '', resource: '' };
    let detailed: Map<CompiledMethod, ApiSeries> | null = null;
    for (const resource of api.resourcesById.values()) {
      for (const method of resource.methods.values()) {
        if (method.settings.metricsEnabled !== true) continue;
        detailed ??= new Map();
        detailed.set(method, metrics.apiSeries({ ...labels, method: method.httpMethod, resource: method.resourcePath }, cacheName));
      }
    }
    s = { series: metrics.apiSeries(labels, cacheName), detailed };
    stages.set(api, s);
    return s;
  }

  return {
    finished(scope, status, responseLength) {
      const stage = stageObserver(scope.api);
      const context = scope.context;
      const method = stage.detailed === null ? null : routedMethod(scope.api, context);
      const series = method === null ? stage.series : (stage.detailed!.get(method) ?? stage.series);
      series.record(status, Date.now() - (context.requestTimeEpoch as number), context.integrationLatency as number | undefined);
      void responseLength;
    },
    timed(registry) {
      const out = {} as Record<keyof IntegrationRegistry, Integration>;
      for (const type of Object.keys(registry) as (keyof IntegrationRegistry)[]) out[type] = timedIntegration(registry[type]);
      return Object.freeze(out);
    },
    async close() {
      stopCache();
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

/** Times each call: $context.integrationLatency (ms) and $context.integrationStatus, as AWS's access
 *  log variables name them; IntegrationLatency is counted from the same figure. */
function timedIntegration(inner: Integration): Integration {
  return {
    async invoke(req, call) {
      const started = performance.now();
      try {
        const res = await inner.invoke(req, call);
        if (call !== undefined) {
          call.scope.context.integrationLatency = Math.round(performance.now() - started);
          call.scope.context.integrationStatus = res.statusCode;
        }
        return res;
      } catch (err) {
        if (call !== undefined) call.scope.context.integrationLatency = Math.round(performance.now() - started);
        throw err;
      }
    },
  };
}
