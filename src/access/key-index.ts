// API keys, usage plans and which keys are in which plans, in this process's memory, so that
// the API-key and throttling steps answer from maps and never read the store per request.
//
// The index is per store partition (account and region: keys and plans are account-level
// resources there). A partition is loaded from the store the first time a request needs it and
// is kept current by the change feed: a change to a key, a plan or a plan's key is re-read from
// the store and applied, in the feed's order, one read at a time per partition. A request that
// arrives while a partition has reads outstanding waits for them, so a change made through this
// process is in force for its very next request, and one made through another process as soon
// as this process's feed delivers it (well within a second: docs/scale-out.md).
import type { CompiledApi } from '../deploy/index.ts';
import type { ChangeFeed, FeedBatch } from '../feed/index.ts';
import type { AccessServices } from './index.ts';
import { K } from '../kinds.ts';
import type { ApiKey, QuotaPeriodType, ThrottleSettings, UsagePlan } from '../model/generated/types.ts';
import { log } from '../observe/log.ts';
import type { ReadTx, Store } from '../store/index.ts';

/** A token bucket's limits: `rate` tokens a second, `burst` the bucket's size. */
export interface Limits {
  readonly rate: number;
  readonly burst: number;
}

export interface KeyEntry {
  readonly id: string;
  readonly value: string;
  readonly enabled: boolean;
}

export interface PlanQuota {
  readonly limit: number;
  readonly period: QuotaPeriodType;
  readonly offset: number;
}

export interface CompiledPlan {
  readonly id: string;
  /** The plan's own throttle, per API key over all its stages; null when it sets none. */
  readonly throttle: Limits | null;
  readonly quota: PlanQuota | null;
  /** By `${restApiId}:${stageName}`. */
  readonly stages: ReadonlyMap<string, PlanStage>;
}

/** A plan's API stage, with its per-method throttles by `{resourcePath}/{METHOD}` (root: `//GET`). */
export interface PlanStage {
  readonly plan: CompiledPlan;
  readonly methods: ReadonlyMap<string, Limits>;
}

const PAGE = 1000;

/** One partition's keys and plans. Read by the steps; written only by the index. */
export class PartitionKeys {
  readonly name: string;
  /** Set while reads are outstanding: a request awaits it before looking anything up. */
  ready: Promise<void> | null = null;
  /** False until the partition has been read from the store once. */
  loaded = false;
  #keysById = new Map<string, KeyEntry>();
  #keysByValue = new Map<string, KeyEntry>();
  #plans = new Map<string, CompiledPlan>();
  /** key id → the ids of the plans that hold it */
  #plansOfKey = new Map<string, Set<string>>();

  // Work not yet applied: a whole reload, or documents to re-read (`${kind}\n${parent}\n${id}`).
  #reload = true;
  readonly #refs = new Set<string>();
  #running = false;
  #retry: NodeJS.Timeout | null = null;
  readonly #store: Store;
  readonly #onError: (err: unknown) => void;

  /** `onError` hears every failed read (null after one succeeds). */
  constructor(name: string, store: Store, onError: (err: unknown) => void) {
    this.name = name;
    this.#store = store;
    this.#onError = onError;
    this.#schedule();
  }

  /** The key with this value, enabled or not. */
  key(value: string): KeyEntry | undefined {
    return this.#keysByValue.get(value);
  }

  /** The plan that holds key `keyId` for API stage `stageId` (`${restApiId}:${stageName}`): at most
   *  one, since a key cannot be in two plans that share a stage (the management API refuses it). */
  stageOf(keyId: string, stageId: string): PlanStage | undefined {
    const plans = this.#plansOfKey.get(keyId);
    if (plans === undefined) return undefined;
    for (const planId of plans) {
      const s = this.#plans.get(planId)?.stages.get(stageId);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  /** A committed change to one of the kinds this index holds. */
  changed(kind: string, parent: string, id: string): void {
    if (!this.#reload) this.#refs.add(`${kind}\n${parent}\n${id}`);
    this.#schedule();
  }

  reloadAll(): void {
    this.#reload = true;
    this.#refs.clear();
    this.#schedule();
  }

  close(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
  }

  #schedule(): void {
    if (this.#running || this.#retry !== null || (!this.#reload && this.#refs.size === 0)) return;
    this.#running = true;
    this.ready = this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      while (this.#reload || this.#refs.size > 0) {
        const reload = this.#reload;
        const refs = [...this.#refs];
        this.#reload = false;
        this.#refs.clear();
        try {
          if (reload) await this.#store.read(this.name, (tx) => this.#loadAll(tx));
          else await this.#store.read(this.name, (tx) => this.#reread(tx, refs));
          this.#onError(null);
        } catch (err) {
          // Serve what is known and try again in a second (the store is down, or closed).
          if (reload) this.#reload = true;
          else for (const r of refs) this.#refs.add(r);
          this.#onError(err);
          this.#retry = setTimeout(() => {
            this.#retry = null;
            this.#schedule();
          }, 1000);
          this.#retry.unref();
          return;
        }
      }
    } finally {
      this.#running = false;
      this.ready = null;
    }
  }

  async #loadAll(tx: ReadTx): Promise<void> {
    const keysById = new Map<string, KeyEntry>();
    const keysByValue = new Map<string, KeyEntry>();
    const plans = new Map<string, CompiledPlan>();
    const plansOfKey = new Map<string, Set<string>>();
    for await (const doc of listEvery<ApiKey>(tx, K.apiKey, '')) {
      const k = keyEntry(doc);
      if (k === null) continue;
      keysById.set(k.id, k);
      keysByValue.set(k.value, k);
    }
    for await (const doc of listEvery<UsagePlan>(tx, K.usagePlan, '')) {
      const p = compilePlan(doc);
      if (p === null) continue;
      plans.set(p.id, p);
      for await (const pk of listEvery<{ id: string }>(tx, K.usagePlanKey, p.id)) addTo(plansOfKey, pk.id, p.id);
    }
    this.#keysById = keysById;
    this.#keysByValue = keysByValue;
    this.#plans = plans;
    this.#plansOfKey = plansOfKey;
    this.loaded = true;
  }

  async #reread(tx: ReadTx, refs: readonly string[]): Promise<void> {
    // Read everything first, then apply: the maps change in one synchronous step.
    const docs = await Promise.all(refs.map((ref) => {
      const [kind, parent, id] = ref.split('\n') as [string, string, string];
      return tx.get<unknown>(kind, parent, id);
    }));
    refs.forEach((ref, i) => {
      const [kind, parent, id] = ref.split('\n') as [string, string, string];
      const doc = docs[i];
      if (kind === K.apiKey) this.#putKey(id, doc === undefined ? null : keyEntry(doc as ApiKey));
      else if (kind === K.usagePlan) this.#putPlan(id, doc === undefined ? null : compilePlan(doc as UsagePlan));
      else if (kind === K.usagePlanKey) {
        if (doc === undefined) removeFrom(this.#plansOfKey, id, parent);
        else addTo(this.#plansOfKey, id, parent);
      }
    });
  }

  #putKey(id: string, k: KeyEntry | null): void {
    const old = this.#keysById.get(id);
    if (old !== undefined && this.#keysByValue.get(old.value) === old) this.#keysByValue.delete(old.value);
    if (k === null) {
      this.#keysById.delete(id);
      return;
    }
    this.#keysById.set(id, k);
    this.#keysByValue.set(k.value, k);
  }

  #putPlan(id: string, p: CompiledPlan | null): void {
    if (p === null) this.#plans.delete(id);
    else this.#plans.set(id, p);
  }
}

/** The index of every partition this process has served; one per process (per AccessServices). */
export class KeyIndex {
  readonly #partitions = new Map<string, PartitionKeys>();
  readonly #store: Store;
  readonly #unsubscribe: () => void;
  readonly #onError: (err: unknown) => void;

  /** `onAvailability` is told once when reads start failing and once when they succeed again. */
  constructor(store: Store, feed: ChangeFeed, onAvailability: (available: boolean, err?: unknown) => void = () => {}) {
    this.#store = store;
    let failing = false;
    this.#onError = (err) => {
      if ((err !== null) === failing) return;
      failing = err !== null;
      onAvailability(!failing, err ?? undefined);
    };
    this.#unsubscribe = feed.subscribe((batch) => this.#follow(batch));
  }

  /** The partition's keys and plans, loading them on first use (await `ready` when set). */
  partition(name: string): PartitionKeys {
    let p = this.#partitions.get(name);
    if (p === undefined) {
      p = new PartitionKeys(name, this.#store, this.#onError);
      this.#partitions.set(name, p);
    }
    return p;
  }

  close(): void {
    this.#unsubscribe();
    for (const p of this.#partitions.values()) p.close();
    this.#partitions.clear();
  }

  #follow(batch: FeedBatch): void {
    if (batch.resync) {
      for (const p of this.#partitions.values()) p.reloadAll();
      return;
    }
    for (const c of batch.changes) {
      if (c.op === 'clear') {
        for (const p of this.#partitions.values()) p.reloadAll();
        continue;
      }
      if (c.kind !== K.apiKey && c.kind !== K.usagePlan && c.kind !== K.usagePlanKey) continue;
      // A partition not loaded yet will read the change with everything else when it is.
      this.#partitions.get(c.partition)?.changed(c.kind, c.parent, c.id);
    }
  }
}

// ---------------------------------------------------------------- documents → entries

function keyEntry(doc: ApiKey): KeyEntry | null {
  if (typeof doc.id !== 'string' || typeof doc.value !== 'string') return null;
  return Object.freeze({ id: doc.id, value: doc.value, enabled: doc.enabled === true });
}

/**
 * A plan's throttle as a bucket. AWS's documentation does not say what a throttle with only one
 * of its two numbers means; Gatehouse reads a missing rateLimit as no limit at that level and a
 * missing burstLimit as a burst of one second at the rate (at least 1). Zeros are kept: a rate and
 * burst of 0 refuse every request, as they do on a stage.
 */
export function throttleLimits(t: ThrottleSettings | undefined): Limits | null {
  if (t === undefined || typeof t.rateLimit !== 'number' || !(t.rateLimit >= 0)) return null;
  const burst = typeof t.burstLimit === 'number' && t.burstLimit >= 0 ? t.burstLimit : Math.max(1, Math.ceil(t.rateLimit));
  return Object.freeze({ rate: t.rateLimit, burst });
}

export function compilePlan(doc: UsagePlan): CompiledPlan | null {
  if (typeof doc.id !== 'string') return null;
  const stages = new Map<string, PlanStage>();
  const q = doc.quota;
  const plan: CompiledPlan = {
    id: doc.id,
    throttle: throttleLimits(doc.throttle),
    quota: q !== undefined && typeof q.limit === 'number' && q.period !== undefined
      ? Object.freeze({ limit: q.limit, period: q.period, offset: q.offset ?? 0 })
      : null,
    stages,
  };
  for (const s of doc.apiStages ?? []) {
    const methods = new Map<string, Limits>();
    for (const [path, t] of Object.entries(s.throttle ?? {})) {
      const limits = throttleLimits(t);
      if (limits !== null) methods.set(path, limits);
    }
    stages.set(`${s.apiId}:${s.stage}`, Object.freeze({ plan, methods }));
  }
  return Object.freeze(plan);
}

async function* listEvery<T>(tx: ReadTx, kind: string, parent: string): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await tx.list<T>(kind, parent, { limit: PAGE, after });
    yield* page.items;
    after = page.next;
  } while (after !== undefined);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let s = map.get(key);
  if (s === undefined) map.set(key, (s = new Set()));
  s.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const s = map.get(key);
  if (s === undefined) return;
  s.delete(value);
  if (s.size === 0) map.delete(key);
}

// ---------------------------------------------------------------- one index per process

const INDEXES = new WeakMap<AccessServices, KeyIndex>();

/** The index the API-key and throttling steps share (they are built from one AccessServices). */
export function keyIndexFor(services: AccessServices): KeyIndex {
  let index = INDEXES.get(services);
  if (index === undefined) {
    index = new KeyIndex(services.store, services.feed, (available, err) => {
      if (available) log().info('API keys and usage plans: the store is readable again; changes are applied');
      else log().error({ err: (err as Error)?.message }, 'API keys and usage plans: cannot read the store; requests are checked against what was last read');
    });
    INDEXES.set(services, index);
  }
  return index;
}

export function closeKeyIndex(services: AccessServices): void {
  INDEXES.get(services)?.close();
  INDEXES.delete(services);
}

// ---------------------------------------------------------------- a compiled stage's address

export interface StageRef {
  /** The store partition of the stage's API: `${accountId}/${region}`. */
  readonly partition: string;
  /** As usage plans name it: `${restApiId}:${stageName}`. */
  readonly stageId: string;
}

// Compiled stages are immutable and replaced on every change, so an entry lives as long as its stage.
const STAGE_REFS = new WeakMap<CompiledApi, StageRef>();

export function stageRef(api: CompiledApi): StageRef {
  let ref = STAGE_REFS.get(api);
  if (ref === undefined) {
    ref = Object.freeze({ partition: `${api.accountId}/${api.region}`, stageId: `${api.restApiId}:${api.stageName}` });
    STAGE_REFS.set(api, ref);
  }
  return ref;
}
