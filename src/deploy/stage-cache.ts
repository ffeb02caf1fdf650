// Compiled stages kept in memory, bounded. A stage is compiled on its first request (the only
// time the hot path waits for the store); a change to it, from the change feed, recompiles it in
// the background and swaps the entry once ready, so requests in flight finish on the version
// they started with and no request ever sees a half-built stage.
import type { CompiledApi } from './types.ts';

/** Loads a stage as of `version` (the feed position when the load begins); null when none. */
export type StageLoader = (restApiId: string, stageName: string, version: number) => Promise<CompiledApi | null>;

interface Entry {
  /** The compiled stage; null when the API or stage does not exist (or before the first load). */
  value: CompiledApi | null;
  /** The first load, which requests wait for; later reloads keep serving `value`. */
  pending: Promise<CompiledApi | null> | null;
  /** The load `value` came from: the feed position at its start, and the order it started in
   *  (0: none yet). A result replaces `value` only when it comes from a later load. */
  version: number;
  order: number;
  /** Loads of this entry running now. */
  loading: number;
  /** The last reload failed (store down): the next request starts another. */
  stale: boolean;
  lastUsed: number;
}

export class StageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #load: StageLoader;
  readonly #position: () => number;
  readonly #max: number;
  #clock = 0;
  #order = 0;

  /** `position` is the change-feed position this process has applied. */
  constructor(load: StageLoader, position: () => number, maxStages = 1000) {
    this.#load = load;
    this.#position = position;
    this.#max = maxStages;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The compiled stage, synchronously when loaded (the hot path), else a promise of it. */
  get(restApiId: string, stageName: string): CompiledApi | null | Promise<CompiledApi | null> {
    const key = restApiId + '/' + stageName;
    const e = this.#entries.get(key);
    if (e === undefined) return this.#start(key, restApiId, stageName, undefined);
    e.lastUsed = ++this.#clock;
    if (e.pending !== null) return e.pending;
    if (e.stale && e.loading === 0) this.#start(key, restApiId, stageName, e).catch(() => undefined);
    return e.value;
  }

  /** A stage changed (created, redeployed, variables edited, deleted): reload it if it is cached;
   *  forget a "no such stage" so the next request looks again. */
  refresh(restApiId: string, stageName: string): void {
    const key = restApiId + '/' + stageName;
    const e = this.#entries.get(key);
    if (e === undefined) return;
    if (e.value === null && e.pending === null) this.#entries.delete(key);
    else this.#start(key, restApiId, stageName, e).catch(() => undefined);
  }

  /** Every stage may have changed (the feed lost track): reload all of them. */
  refreshAll(): void {
    for (const key of [...this.#entries.keys()]) {
      const slash = key.indexOf('/');
      this.refresh(key.slice(0, slash), key.slice(slash + 1));
    }
  }

  dropApi(restApiId: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(restApiId + '/')) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  #start(key: string, restApiId: string, stageName: string, existing: Entry | undefined): Promise<CompiledApi | null> {
    let e = existing;
    if (e === undefined) {
      e = { value: null, pending: null, version: 0, order: 0, loading: 0, stale: false, lastUsed: ++this.#clock };
      this.#entries.set(key, e);
      this.#evict();
    }
    const entry = e;
    // The position is read before the load reads the store, so the result reflects at least it.
    const version = this.#position();
    const order = ++this.#order;
    entry.loading++;
    const p: Promise<CompiledApi | null> = this.#load(restApiId, stageName, version).then(
      (value) => {
        entry.loading--;
        if (entry.pending === p) entry.pending = null;
        if (version > entry.version || (version === entry.version && order > entry.order)) {
          entry.value = value;
          entry.version = version;
          entry.order = order;
          entry.stale = false;
        }
        return value;
      },
      (err: unknown) => {
        entry.loading--;
        if (entry.pending === p) entry.pending = null;
        // Never loaded: forget the entry so the next request tries again; else keep serving the
        // old stage and retry on the next request.
        if (entry.order === 0) {
          if (this.#entries.get(key) === entry) this.#entries.delete(key);
        } else entry.stale = true;
        throw err;
      },
    );
    if (entry.order === 0) entry.pending = p;
    return p;
  }

  #evict(): void {
    if (this.#entries.size <= this.#max) return;
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [k, v] of this.#entries) {
      if (v.pending === null && v.lastUsed < oldest) {
        oldest = v.lastUsed;
        oldestKey = k;
      }
    }
    if (oldestKey !== undefined) this.#entries.delete(oldestKey);
  }
}
