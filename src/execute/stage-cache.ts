// Compiled stages kept in memory, bounded. A stage is compiled on its first request (the only
// time the hot path waits for the store); ControlPlane.onChange events recompile it in the
// background and swap the entry once ready, so requests in flight finish on the version they
// started with and no request ever sees a half-built stage.
import type { CompiledApi } from '../deploy/index.ts';

export type StageLoader = (restApiId: string, stageName: string) => Promise<CompiledApi | null>;

interface Entry {
  /** The compiled stage; null when the API or stage does not exist. */
  value: CompiledApi | null;
  /** Set while the first load runs; later reloads keep serving `value`. */
  pending: Promise<CompiledApi | null> | null;
  /** Negative entries expire so a stage created by another process is found. */
  expiresAt: number;
  lastUsed: number;
  /** Bumped by every reload, so a slow older reload never overwrites a newer one. */
  version: number;
}

/** How long "no such stage" is remembered. */
const NEGATIVE_TTL_MS = 2_000;

export class StageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #load: StageLoader;
  readonly #max: number;
  #clock = 0;

  constructor(load: StageLoader, maxStages = 1000) {
    this.#load = load;
    this.#max = maxStages;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The compiled stage, synchronously when loaded (the hot path), else a promise of it. */
  get(restApiId: string, stageName: string): CompiledApi | null | Promise<CompiledApi | null> {
    const key = restApiId + '/' + stageName;
    const e = this.#entries.get(key);
    if (e !== undefined) {
      e.lastUsed = ++this.#clock;
      if (e.pending !== null) return e.pending;
      if (e.value !== null || Date.now() < e.expiresAt) return e.value;
    }
    return this.#start(key, restApiId, stageName, e);
  }

  /** A stage changed (redeployed, variables edited, deleted): recompile it if it is cached. */
  refresh(restApiId: string, stageName: string): void {
    const key = restApiId + '/' + stageName;
    const e = this.#entries.get(key);
    if (e !== undefined) void this.#start(key, restApiId, stageName, e);
  }

  dropApi(restApiId: string): void {
    if (restApiId === '*') {
      this.#entries.clear();
      return;
    }
    for (const key of [...this.#entries.keys()]) if (key.startsWith(restApiId + '/')) this.#entries.delete(key);
  }

  #start(key: string, restApiId: string, stageName: string, existing: Entry | undefined): Promise<CompiledApi | null> {
    let e = existing;
    if (e === undefined) {
      e = { value: null, pending: null, expiresAt: 0, lastUsed: ++this.#clock, version: 0 };
      this.#entries.set(key, e);
      this.#evict();
    }
    const entry = e;
    const version = ++entry.version;
    const first = entry.value === null;
    const p = this.#load(restApiId, stageName).then(
      (value) => {
        if (entry.version === version) {
          entry.value = value;
          entry.expiresAt = Date.now() + NEGATIVE_TTL_MS;
          entry.pending = null;
        }
        return value;
      },
      (err: unknown) => {
        if (entry.version === version) {
          entry.pending = null;
          if (entry.value === null) this.#entries.delete(key);
        }
        throw err;
      },
    );
    if (first) entry.pending = p;
    else p.catch(() => undefined);
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
