// The single-process default: every piece of shared state in this process's memory. The IPC
// primary (ipc.ts) holds one of these for all the workers of a host.
import { MemoryTokenBuckets } from './memory-buckets.ts';
import { MemoryCache } from './memory-cache.ts';
import { MemoryQuotaCounters } from './memory-quotas.ts';
import type { Clock, Notifier, SharedState } from './types.ts';

/** Calls every listener; one that throws does not keep the others from waking, and its error
 *  surfaces as an uncaught exception (a listener's bug), not as the publisher's failure. */
export function wakeAll(listeners: ReadonlySet<() => void>): void {
  for (const onWake of [...listeners]) {
    try {
      onWake();
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

export class MemoryNotifier implements Notifier {
  readonly #listeners = new Set<() => void>();
  #closed = false;

  /** Wakes on a later turn, so that publishing from inside a commit never re-enters the feed. */
  publish(_seq: number): void {
    if (this.#closed || this.#listeners.size === 0) return;
    queueMicrotask(() => wakeAll(this.#listeners));
  }

  subscribe(onWake: () => void): () => void {
    this.#listeners.add(onWake);
    return () => this.#listeners.delete(onWake);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}

export interface MemorySharedStateOptions {
  clock?: Clock;
  maxBuckets?: number;
  retentionDays?: number;
}

export class MemorySharedState implements SharedState {
  readonly kind = 'memory' as const;
  readonly buckets: MemoryTokenBuckets;
  readonly quotas: MemoryQuotaCounters;
  readonly notifier: Notifier;
  readonly #caches = new Map<string, MemoryCache>();
  readonly #clock: Clock;

  constructor(options: MemorySharedStateOptions = {}, notifier: Notifier = new MemoryNotifier()) {
    this.#clock = options.clock ?? Date.now;
    this.buckets = new MemoryTokenBuckets({ clock: this.#clock, maxBuckets: options.maxBuckets });
    this.quotas = new MemoryQuotaCounters({ clock: this.#clock, retentionDays: options.retentionDays });
    this.notifier = notifier;
  }

  cache(name: string, maxBytes: number): MemoryCache {
    let c = this.#caches.get(name);
    if (c === undefined) {
      c = new MemoryCache(maxBytes, this.#clock);
      this.#caches.set(name, c);
    } else if (c.maxBytes !== maxBytes) {
      c.resize(maxBytes);
    }
    return c;
  }

  async close(): Promise<void> {
    await this.notifier.close();
    this.#caches.clear();
  }
}
