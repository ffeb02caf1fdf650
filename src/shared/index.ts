// Shared hot-path state: which implementation a process uses, chosen once from the configuration.
//   --redis URL         Redis (every process on every host shares it)
//   --workers N (N > 1) the cluster primary's memory, reached by the workers over IPC
//   otherwise           this process's memory
// docs/shared-state.md describes what lives where and what happens when it cannot be reached.
import nodeCluster, { type Cluster } from 'node:cluster';
import type { GatehouseConfig } from '../config.ts';
import { DEFAULT_UNAVAILABLE_POLICY, withFailurePolicy, type UnavailablePolicy } from './failure-policy.ts';
import { IpcSharedStateClient, servePrimary } from './ipc.ts';
import { MemorySharedState } from './memory.ts';
import { RedisSharedState } from './redis-state.ts';
import type { Clock, SharedState } from './types.ts';

export * from './types.ts';
export { quotaPeriodBounds } from './quota-period.ts';
export { withFailurePolicy, DEFAULT_UNAVAILABLE_POLICY, type UnavailablePolicy, type FailurePolicyOptions } from './failure-policy.ts';
export { MemorySharedState, MemoryNotifier } from './memory.ts';
export { RedisSharedState } from './redis-state.ts';
export { IpcSharedStateClient, SharedStatePrimary, servePrimary, parentChannel, type IpcChannel } from './ipc.ts';

/** 'primary': a process of its own, or the cluster primary; 'worker': a cluster worker. */
export type SharedStateRole = 'primary' | 'worker';

export interface OpenSharedStateOptions {
  /** Limits and quotas while the state cannot be reached (failure-policy.ts; default 'open'). */
  onUnavailable?: UnavailablePolicy;
  /** Told once when the state becomes unreachable and once when it is back (for the log). */
  onAvailability?: (available: boolean, err?: Error) => void;
  /** Prefix of every Redis key and channel (default 'gatehouse:'). */
  redisPrefix?: string;
  /** How long start-up waits for Redis before serving with the failure policy (default 2000 ms). */
  redisStartupWaitMs?: number;
  /** Tests only. */
  clock?: Clock;
  /** The cluster whose workers the primary serves (default node:cluster). */
  cluster?: Cluster;
}

export async function openSharedState(
  config: Pick<GatehouseConfig, 'redis' | 'workers'>,
  role: SharedStateRole,
  options: OpenSharedStateOptions = {},
): Promise<SharedState> {
  const policy = { onUnavailable: options.onUnavailable ?? DEFAULT_UNAVAILABLE_POLICY, onAvailability: options.onAvailability };
  if (config.redis !== '') {
    const state = new RedisSharedState(config.redis, { prefix: options.redisPrefix, clock: options.clock });
    const ready = await state.connection.waitReady(options.redisStartupWaitMs ?? 2000);
    // Serve anyway (the client keeps reconnecting); the log says why limits act as they do.
    if (!ready) options.onAvailability?.(false, state.connection.unavailable());
    return withFailurePolicy(state, { ...policy, initiallyAvailable: ready });
  }
  if (config.workers > 1) {
    if (role === 'primary') return servePrimary(options.cluster ?? nodeCluster, { clock: options.clock }).state;
    return withFailurePolicy(new IpcSharedStateClient(), policy);
  }
  return new MemorySharedState({ clock: options.clock });
}
