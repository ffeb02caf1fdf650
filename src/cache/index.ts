// The stage response cache (the guide's "Enable API caching"): a stage with cacheClusterEnabled
// answers GET requests (and other verbs a method's own settings enable) from a cache of earlier
// 2xx method responses for the method's TTL, keyed by the cache key parameters, without running
// the integration. The cache lives in the shared state (src/shared): this process's memory, the
// cluster primary's (--workers) or Redis (--redis), so every process of a gateway reads and fills
// one cache, and FlushStageCache through any of them empties it for all. docs/cache.md.
//
// The pipeline asks `forMethod` once per request; the answer is decided once per compiled method
// (a WeakMap entry that lives as long as the method), so a method that does not cache pays one
// lookup and nothing else.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { GatewayError } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest, MethodResponse } from '../execute/types.ts';
import { log } from '../observe/log.ts';
import type { SharedCache, SharedState } from '../shared/index.ts';
import { MemoryCache } from '../shared/memory-cache.ts';
import { decodeResponse, encodeResponse } from './entry.ts';
import type { InvalidationCheck } from './invalidation.ts';
import { asksForFreshResponse, isSignedRequest, methodCacheSettings, type MethodCacheSettings } from './plan.ts';
import { stageCacheBytes, stageCacheName, type StageId } from './stage.ts';

export { CACHE_CLUSTER_SIZES, DEFAULT_CACHE_CLUSTER_SIZE, flushStageCache, stageCacheBytes, stageCacheName, type StageId } from './stage.ts';
export { MAX_CACHED_BODY_BYTES } from './entry.ts';
export { invalidationCheck, INVALIDATE_CACHE_ACTION, type InvalidationCheck } from './invalidation.ts';

/** The warning AWS adds when it ignores an unauthorized caller's `Cache-Control: max-age=0`
 *  (SUCCEED_WITH_RESPONSE_HEADER). */
export const UNAUTHORIZED_CACHE_CONTROL_WARNING = '199 Cache-control headers were ignored because the caller was unauthorized.';


export interface ResponseCacheOptions {
  readonly shared: SharedState;
  /** --stage-cache-max-mb: each stage's cache is bounded by its cacheClusterSize and at most this (0 = the size alone). */
  readonly stageCacheMaxMb?: number;
  /** Decides execute-api:InvalidateCache (invalidation.ts: `invalidationCheck(iam)`). The default,
   *  as --auth open: any SigV4-signed request may. */
  readonly mayInvalidate?: InvalidationCheck;
}

/** CacheHitCount and CacheMissCount of one stage, counted by this process since it started. */
export interface CacheCounts {
  hits: number;
  misses: number;
}

/** A method's cache on its stage, for one request. */
export interface MethodCache {
  /** The cached answer, or `invoke`'s (stored when it is a 2xx): the integration runs only on a miss. */
  respond(request: MethodRequest, scope: InvocationScope, invoke: () => Promise<MethodResponse>): Promise<MethodResponse>;
}

export interface ResponseCache {
  /** The method's cache; null when the stage has no cache or the method's settings do not cache. */
  forMethod(method: CompiledMethod, api: CompiledApi): MethodCache | null;
  /** This process's CacheHitCount / CacheMissCount of a stage (zeros for a stage it never cached for);
   *  the observability issue reads these. */
  counts(stage: StageId): Readonly<CacheCounts>;
  /** Every stage this process has counted for, by `stageCacheName`. */
  allCounts(): ReadonlyMap<string, Readonly<CacheCounts>>;
}

interface StageCache {
  readonly cache: SharedCache;
  /** The same cache when it is this process's memory, read without a promise (a hit then costs
   *  no turn of the event loop). */
  readonly local: MemoryCache | null;
  readonly counts: CacheCounts;
}

const ZERO: Readonly<CacheCounts> = Object.freeze({ hits: 0, misses: 0 });

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { shared } = options;
  const capMb = options.stageCacheMaxMb ?? 0;
  const mayInvalidate: InvalidationCheck = options.mayInvalidate ?? ((_m, request) => isSignedRequest(request));
  const stages = new WeakMap<CompiledApi, StageCache | null>();
  const methods = new WeakMap<CompiledMethod, MethodCache | null>();
  // Counts outlive compiled stages (a redeploy must not reset CacheHitCount); one small object per stage.
  const counts = new Map<string, CacheCounts>();
  // An entry read from the in-process cache is the Buffer that was stored, so its decoded
  // response is kept beside it and a hit decodes nothing; entries from Redis or IPC are new
  // Buffers each time and are decoded (their head is a few hundred bytes of JSON).
  const decoded = new WeakMap<Buffer, MethodResponse>();
  let storeFailureLogged = false;

  function stageCache(api: CompiledApi): StageCache | null {
    let s = stages.get(api);
    if (s !== undefined) return s;
    s = null;
    if (api.stageSettings.cacheClusterEnabled) {
      const name = stageCacheName({ accountId: api.accountId, region: api.region, restApiId: api.restApiId, stageName: api.stageName });
      let c = counts.get(name);
      if (c === undefined) counts.set(name, (c = { hits: 0, misses: 0 }));
      const cache = shared.cache(name, stageCacheBytes(api.stageSettings.cacheClusterSize, capMb));
      s = { cache, local: cache instanceof MemoryCache ? cache : null, counts: c };
    }
    stages.set(api, s);
    return s;
  }

  function decode(data: Buffer): MethodResponse | undefined {
    let out = decoded.get(data);
    if (out === undefined) {
      out = decodeResponse(data);
      if (out !== undefined) decoded.set(data, out);
    }
    return out;
  }

  async function store(stage: StageCache, key: string, out: MethodResponse, ttlSeconds: number): Promise<void> {
    const data = encodeResponse(out);
    if (data === undefined) return;
    try {
      await stage.cache.set(key, data, ttlSeconds);
    } catch (err) {
      // The failure policy already turns an unreachable state into a skipped write; anything
      // else is a fault of the state itself. The client still gets its answer.
      if (!storeFailureLogged) {
        storeFailureLogged = true;
        log().error({ err: (err as Error)?.message }, 'stage cache: storing a response failed; further failures are not logged');
      }
    }
  }

  function methodCache(method: CompiledMethod, stage: StageCache, settings: MethodCacheSettings): MethodCache {
    const { ttlSeconds, forGet, forOtherVerbs, key: keyOf, requireAuthorization, unauthorizedStrategy } = settings;
    return {
      async respond(request, scope, invoke) {
        if (request.httpMethod === 'GET' ? !forGet : !forOtherVerbs) return invoke();
        const key = keyOf(request);
        let read = true;
        let warn = false;
        if (asksForFreshResponse(request)) {
          if (!requireAuthorization || (await mayInvalidate(method, request, scope))) {
            read = false;
          } else if (unauthorizedStrategy === 'FAIL_WITH_403') {
            throw invalidationDenied();
          } else {
            warn = unauthorizedStrategy === 'SUCCEED_WITH_RESPONSE_HEADER';
          }
        }
        if (read) {
          const data = stage.local !== null ? stage.local.getNow(key) : await stage.cache.get(key);
          const hit = data === undefined ? undefined : decode(data);
          if (hit !== undefined) {
            stage.counts.hits++;
            scope.cacheStatus = 'hit';
            return warn ? withWarning(hit) : hit;
          }
        }
        stage.counts.misses++;
        scope.cacheStatus = 'miss';
        const out = await invoke();
        if (out.statusCode >= 200 && out.statusCode < 300) await store(stage, key, out, ttlSeconds);
        return warn ? withWarning(out) : out;
      },
    };
  }

  return {
    forMethod(method, api) {
      let m = methods.get(method);
      if (m !== undefined) return m;
      const stage = stageCache(api);
      const settings = stage === null ? null : methodCacheSettings(method, api);
      m = stage === null || settings === null ? null : methodCache(method, stage, settings);
      methods.set(method, m);
      return m;
    },
    counts(stage) {
      return counts.get(stageCacheName(stage)) ?? ZERO;
    },
    allCounts() {
      return counts;
    },
  };
}

function withWarning(out: MethodResponse): MethodResponse {
  return { ...out, headers: { ...out.headers, Warning: UNAUTHORIZED_CACHE_CONTROL_WARNING } };
}

/**
 * FAIL_WITH_403: "Fail the request with 403 status code: returns a 403 Unauthorized response"
 * (the guide). AWS documents no body; this is ACCESS_DENIED's 403 with that word as its message,
 * so a customised ACCESS_DENIED gateway response applies.
 */
function invalidationDenied(): GatewayError {
  return new GatewayError('ACCESS_DENIED', 'Unauthorized', { log: 'Cache-Control: max-age=0 refused: the caller may not invalidate the cache (execute-api:InvalidateCache)' });
}
