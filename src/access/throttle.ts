// Throttling and usage-plan quotas, after the API key check, in the order API Gateway applies its
// limits ("How throttling limit settings are applied"):
//   1. per client: the usage plan's throttle for this method (apiStages[].throttle), per API key
//   2. per client: the usage plan's own throttle, per API key over all the plan's stages
//   3. the stage's limit for this method (methodSettings `{path}/{VERB}`, else `*/*`)
//   4. the account's limit, over all APIs of the account and region (--account-rate/--account-burst)
// then the plan's quota, per key over DAY, WEEK or MONTH. Every limit that applies is a token
// bucket a request must pass; the first that refuses answers 429 {"message":"Too Many Requests"}
// (THROTTLED), and an exhausted quota 429 {"message":"Limit Exceeded"} (QUOTA_EXCEEDED). Usage-plan
// limits apply only to methods that require an API key, as on AWS. The quota is counted last, so a
// throttled request does not use it.
import type { CompiledApi, CompiledMethod } from '../deploy/index.ts';
import { quotaExceeded, throttled } from '../execute/errors.ts';
import type { GatewayError } from '../execute/errors.ts';
import type { InvocationScope, MethodRequest } from '../execute/types.ts';
import type { AccessServices, AccessStep } from './index.ts';
import { masked } from './api-keys.ts';
import { closeKeyIndex, keyIndexFor, stageRef, type KeyIndex, type Limits, type PlanStage, type StageRef } from './key-index.ts';
import { createLimiter, type Limiter } from './limits.ts';

/** A bucket: its key in the shared state and its limits. */
interface Bucket extends Limits {
  readonly key: string;
}

/** What a compiled method needs at request time, worked out on its first request. */
interface MethodLimits {
  readonly ref: StageRef;
  /** Usage-plan limits apply (the method requires an API key). */
  readonly keyed: boolean;
  /** The names a plan's per-method throttle may have for this method, most specific first. */
  readonly planMethodKeys: readonly string[];
  /** Identifies the method in per-key bucket keys. */
  readonly methodId: string;
  readonly method: Bucket | null;
  readonly account: Bucket | null;
  /** For log lines: RestApi, Stage, Resource and HttpMethod. */
  readonly where: string;
}

/** The names of one API key's buckets and counter in one plan's stage. Made once and reused: a
 *  name built per request would be a new string to hash on every lookup in the shared state. */
interface KeyNames {
  /** The plan's throttle for this key. */
  readonly plan: string;
  /** The plan's quota counter for this key (src/control/keys/usage.ts reads it under this name). */
  readonly quota: string;
  /** The plan's per-method throttles for this key, by method. */
  readonly methods: Map<string, string>;
}

/** AWS's method settings when a stage sets none: such a method has no bucket of its own. */
const DEFAULT_RATE = 10000;
const DEFAULT_BURST = 5000;

/** The levels in the order they are asked. */
const Level = { PlanMethod: 0, Plan: 1, Method: 2, Account: 3, Quota: 4, End: 5 } as const;
type Level = number;

export function throttleStep(services: AccessServices): AccessStep {
  const { accountRate, accountBurst } = services.config;
  return new ThrottleStep(services, keyIndexFor(services), createLimiter(services.shared, services.clock), accountRate > 0 ? { rate: accountRate, burst: accountBurst } : null);
}

class ThrottleStep implements AccessStep {
  readonly name = 'throttle';
  readonly #services: AccessServices;
  readonly #index: KeyIndex;
  readonly #limiter: Limiter;
  readonly #account: Limits | null;
  // Compiled methods are immutable and replaced on every change: an entry lives as long as its method.
  readonly #methods = new WeakMap<CompiledMethod, MethodLimits>();
  // A plan's stages are replaced when the plan changes; their keys' names go with them.
  readonly #names = new WeakMap<PlanStage, Map<string, KeyNames>>();

  constructor(services: AccessServices, index: KeyIndex, limiter: Limiter, account: Limits | null) {
    this.#services = services;
    this.#index = index;
    this.#limiter = limiter;
    this.#account = account;
  }

  applies(method: CompiledMethod, api: CompiledApi): boolean {
    const m = this.#limitsOf(method, api);
    return m.keyed || m.method !== null || m.account !== null;
  }

  check(method: CompiledMethod, _request: MethodRequest, scope: InvocationScope): Promise<void> | undefined {
    const m = this.#limitsOf(method, scope.api);
    const key = scope.grants.apiKey;
    // The API key step ran first and waited for the index; a plan removed since then means no plan limits.
    const stage = m.keyed && key !== undefined ? this.#index.partition(m.ref.partition).stageOf(key.id, m.ref.stageId) : undefined;
    const names = stage === undefined ? undefined : this.#namesOf(stage, key!.id);
    return this.#run(m, stage, key, names, Level.PlanMethod);
  }

  async close(): Promise<void> {
    closeKeyIndex(this.#services);
  }

  /** Asks each level from `from` on; returns a promise only when one needs the shared state. */
  #run(m: MethodLimits, stage: PlanStage | undefined, key: { id: string; value: string } | undefined, names: KeyNames | undefined, from: Level): Promise<void> | undefined {
    for (let level = from; level < Level.End; level++) {
      const r = this.#ask(level, m, stage, names);
      if (r === undefined || r === true) continue;
      if (r === false) throw refusal(level, m, stage, key);
      const at = level;
      return r.then((ok) => {
        if (!ok) throw refusal(at, m, stage, key);
        return this.#run(m, stage, key, names, at + 1);
      });
    }
    return undefined;
  }

  /** undefined: nothing to ask at this level. */
  #ask(level: Level, m: MethodLimits, stage: PlanStage | undefined, names: KeyNames | undefined): boolean | Promise<boolean> | undefined {
    switch (level) {
      case Level.PlanMethod: {
        if (stage === undefined || stage.methods.size === 0) return undefined;
        const l = planMethodLimits(stage, m);
        if (l === undefined) return undefined;
        let name = names!.methods.get(m.methodId);
        if (name === undefined) names!.methods.set(m.methodId, (name = `pm:${names!.plan.slice(2)}:${m.methodId}`));
        return this.#limiter.take(name, l.rate, l.burst);
      }
      case Level.Plan: {
        const t = stage?.plan.throttle;
        return t == null ? undefined : this.#limiter.take(names!.plan, t.rate, t.burst);
      }
      case Level.Method:
        return m.method === null ? undefined : this.#limiter.take(m.method.key, m.method.rate, m.method.burst);
      case Level.Account:
        return m.account === null ? undefined : this.#limiter.take(m.account.key, m.account.rate, m.account.burst);
      case Level.Quota: {
        const q = stage?.plan.quota;
        return q == null ? undefined : this.#limiter.consume(names!.quota, q, q.limit);
      }
      default:
        return undefined;
    }
  }

  #namesOf(stage: PlanStage, keyId: string): KeyNames {
    let byKey = this.#names.get(stage);
    if (byKey === undefined) this.#names.set(stage, (byKey = new Map()));
    let names = byKey.get(keyId);
    if (names === undefined) {
      const planId = stage.plan.id;
      names = { plan: `p:${planId}:${keyId}`, quota: `${planId}/${keyId}`, methods: new Map() };
      byKey.set(keyId, names);
    }
    return names;
  }

  #limitsOf(method: CompiledMethod, api: CompiledApi): MethodLimits {
    let m = this.#methods.get(method);
    if (m === undefined) {
      m = methodLimits(method, api, this.#account);
      this.#methods.set(method, m);
    }
    return m;
  }
}

function methodLimits(method: CompiledMethod, api: CompiledApi, account: Limits | null): MethodLimits {
  const ref = stageRef(api);
  const path = method.resourcePath;
  const verb = method.httpMethod;
  const methodId = `${api.restApiId}/${api.stageName}/${verb}${path}`;
  const rate = method.settings.throttlingRateLimit;
  const burst = method.settings.throttlingBurstLimit;
  // A negative limit is how AWS writes "not set"; AWS's own defaults add no bucket to the account's.
  const own = typeof rate === 'number' && typeof burst === 'number' && rate >= 0 && burst >= 0 && !(rate === DEFAULT_RATE && burst === DEFAULT_BURST);
  return Object.freeze({
    ref,
    keyed: method.access.apiKeyRequired,
    planMethodKeys: Object.freeze([`${path}/${verb}`, `${path}/*`, '/*/*']),
    methodId,
    method: own ? Object.freeze({ key: `m:${methodId}`, rate: rate!, burst: burst! }) : null,
    account: account === null ? null : Object.freeze({ key: `a:${ref.partition}`, ...account }),
    where: `RestApi ${api.restApiId}, Stage ${api.stageName}, Resource ${method.resourceId}, HttpMethod ${verb}`,
  });
}

function planMethodLimits(stage: PlanStage, m: MethodLimits): Limits | undefined {
  for (const k of m.planMethodKeys) {
    const l = stage.methods.get(k);
    if (l !== undefined) return l;
  }
  return undefined;
}

// The execution-log lines follow AWS's ("API Key **** exceeded throttle limit for API Stage ...").
function refusal(level: Level, m: MethodLimits, stage: PlanStage | undefined, key: { value: string } | undefined): GatewayError {
  const apiStage = m.ref.stageId.replace(':', '/');
  const who = key === undefined ? '' : `API Key ${masked(key.value)} `;
  switch (level) {
    case Level.PlanMethod:
    case Level.Plan: {
      const l = level === Level.Plan ? stage!.plan.throttle! : planMethodLimits(stage!, m)!;
      return throttled(`${who}exceeded throttle limit for API Stage ${apiStage}: Key throttle limit exceeded for Usage Plan ID ${stage!.plan.id}, ${m.where}. Limit: ${l.rate.toFixed(2)} Burst: ${l.burst}`);
    }
    case Level.Method:
      return throttled(`Method throttle limit exceeded for ${m.where}. Limit: ${m.method!.rate.toFixed(2)} Burst: ${m.method!.burst}`);
    case Level.Account:
      return throttled(`Account throttle limit exceeded for ${m.ref.partition}. Limit: ${m.account!.rate.toFixed(2)} Burst: ${m.account!.burst}`);
    default: {
      const q = stage!.plan.quota!;
      return quotaExceeded(`${who}exceeded quota limit for API Stage ${apiStage}: Key quota exhausted for Usage Plan ID ${stage!.plan.id}. Limit: ${q.limit} Period: ${q.period}`);
    }
  }
}
