// A stage's response cache in the shared state: its name, its bound, and flushing it. Used by the
// execution plane (reads and fills) and by the management API (FlushStageCache, and UpdateStage
// or DeleteStage dropping a cache that is disabled, resized or gone).
import type { SharedState } from '../shared/index.ts';

/** The cache capacities AWS offers, in GB (Stage.cacheClusterSize). */
export const CACHE_CLUSTER_SIZES: readonly string[] = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'];

export const DEFAULT_CACHE_CLUSTER_SIZE = '0.5';

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface StageId {
  readonly accountId: string;
  readonly region: string;
  readonly restApiId: string;
  readonly stageName: string;
}

/** One cache per stage; the same name on every process, so with Redis (or the cluster primary)
 *  they all read and fill one cache. */
export function stageCacheName(s: StageId): string {
  return `stage/${s.accountId}/${s.region}/${s.restApiId}/${s.stageName}`;
}

/**
 * The cache's bound in bytes: cacheClusterSize read as GiB (0.5 → 536,870,912), and at most
 * `capMb` MiB when the gateway is started with --stage-cache-max-mb (0 = no cap).
 */
export function stageCacheBytes(size: string | null | undefined, capMb = 0): number {
  const gb = Number(size ?? DEFAULT_CACHE_CLUSTER_SIZE);
  const bytes = Math.floor((Number.isFinite(gb) && gb > 0 ? gb : Number(DEFAULT_CACHE_CLUSTER_SIZE)) * GIB);
  return capMb > 0 ? Math.min(bytes, capMb * MIB) : bytes;
}

/** Empties the stage's cache, on every process that shares the state; answers how many entries
 *  were dropped. Rejects (SharedStateUnavailableError) when the shared state cannot be reached. */
export function flushStageCache(shared: SharedState, stage: StageId, size: string | null | undefined, capMb = 0): Promise<number> {
  return shared.cache(stageCacheName(stage), stageCacheBytes(size, capMb)).deletePrefix('');
}
