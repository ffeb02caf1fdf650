// Usage plans, the API keys in them (usage plan keys), and their usage (GetUsage/UpdateUsage, in usage.ts).
import type { ApiKey, ApiStage, QuotaSettings, ThrottleSettings, UsagePlan, UsagePlanKey } from '../../model/generated/types.ts';
import type { ReadTx, WriteTx } from '../../store/index.ts';
import type { HandlerTable, OpContext } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { K } from '../kinds.ts';
import { listPage } from '../paging.ts';
import { applyPatch, field, requireValue, toInteger, toNumber, type PatchOperation, type PatchRule } from '../patch.ts';
import { getApi } from '../apis/lookups.ts';
import { getApiKeyDoc, getUsagePlanDoc, KK, listAll, scanPage, withTags } from './common.ts';
import { getUsage, updateUsage } from './usage.ts';

const PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;

// ---------------------------------------------------------------- validation

function checkThrottle(t: ThrottleSettings | undefined, where = 'throttle'): void {
  if (t === undefined) return;
  if (t.burstLimit !== undefined && (!Number.isInteger(t.burstLimit) || t.burstLimit < 0)) {
    throw badRequest(`Invalid ${where} burstLimit ${t.burstLimit}: it must be a non-negative integer`);
  }
  if (t.rateLimit !== undefined && (!Number.isFinite(t.rateLimit) || t.rateLimit < 0)) {
    throw badRequest(`Invalid ${where} rateLimit ${t.rateLimit}: it must be a non-negative number`);
  }
}

function checkQuota(q: QuotaSettings | undefined): void {
  if (q === undefined) return;
  if (q.limit === undefined || !Number.isInteger(q.limit) || q.limit < 0) throw badRequest('Invalid quota limit: it must be a non-negative integer');
  if (q.period === undefined || !PERIODS.includes(q.period)) throw badRequest(`Invalid quota period: it must be one of ${PERIODS.join(', ')}`);
  const offset = q.offset ?? 0;
  const max = q.period === 'DAY' ? 0 : q.period === 'WEEK' ? 6 : 27;
  if (!Number.isInteger(offset) || offset < 0 || offset > max) {
    throw badRequest(q.period === 'DAY' ? 'Quota offset must be 0 for a DAY period' : `Quota offset must be between 0 and ${max} for a ${q.period} period`);
  }
}

/** '/pets/{id}/GET' → ['/pets/{id}', 'GET']; the root resource is written '//GET' (or '/GET'). */
function splitThrottleKey(key: string): [string, string] | null {
  const i = key.lastIndexOf('/');
  if (i < 0 || !key.startsWith('/')) return null;
  const method = key.slice(i + 1);
  let path = key.slice(0, i);
  if (path === '') path = '/';
  if (method === '') return null;
  return [path, method];
}

async function checkApiStage(tx: ReadTx, ctx: OpContext, s: ApiStage, planName: string | undefined): Promise<void> {
  const invalid = () => badRequest(`Invalid API Stage {api: ${s.apiId ?? ''}, stage: ${s.stage ?? ''}} specified for usageplan ${planName ?? ''}`);
  if (!s.apiId || !s.stage) throw invalid();
  await getApi(tx, ctx.accountId, s.apiId);
  if ((await tx.get(K.stage, s.apiId, s.stage)) === undefined) throw invalid();
  for (const [key, t] of Object.entries(s.throttle ?? {})) {
    const parts = splitThrottleKey(key);
    const resource = parts === null ? undefined : await tx.get<{ id: string }>(K.resourcePath, s.apiId, parts[0]);
    let found = false;
    if (resource !== undefined) {
      const [, method] = parts!;
      found = method === '*' || (await tx.get(K.method, s.apiId, `${resource.id}/${method}`)) !== undefined
        || (await tx.get(K.method, s.apiId, `${resource.id}/ANY`)) !== undefined;
    }
    if (!found) throw badRequest(`Invalid method throttle key '${key}' for API Stage {api: ${s.apiId}, stage: ${s.stage}}: no such resource path and method`);
    checkThrottle(t, `throttle for ${key}`);
  }
}

const stageId = (s: ApiStage) => `${s.apiId}:${s.stage}`;

async function checkPlan(tx: ReadTx, ctx: OpContext, plan: UsagePlan): Promise<void> {
  if (!plan.name) throw badRequest('Invalid usage plan name specified');
  checkThrottle(plan.throttle);
  checkQuota(plan.quota);
  const seen = new Set<string>();
  for (const s of plan.apiStages ?? []) {
    await checkApiStage(tx, ctx, s, plan.name);
    if (seen.has(stageId(s))) throw badRequest(`API Stage ${stageId(s)} is specified more than once for usageplan ${plan.name}`);
    seen.add(stageId(s));
  }
}

// ---------------------------------------------------------------- keys in plans

/** Adds an API key to a plan, refusing a key whose other plans share an API stage with this one. */
export async function addKeyToPlan(tx: WriteTx, plan: UsagePlan, keyId: string, existingIsOk = false): Promise<void> {
  if ((await tx.get(KK.usagePlanKey, plan.id!, keyId)) !== undefined) {
    if (existingIsOk) return;
    throw conflict('Usage Plan Key already exists');
  }
  await checkSharedStages(tx, plan, keyId, plan.apiStages ?? []);
  await tx.put(KK.usagePlanKey, plan.id!, keyId, { id: keyId, type: 'API_KEY' });
  await tx.put(KK.keyPlan, keyId, plan.id!, { id: plan.id });
}

/** A key can't be in two plans that share an API stage: AWS's ConflictException. */
async function checkSharedStages(tx: ReadTx, plan: UsagePlan, keyId: string, stages: readonly ApiStage[]): Promise<void> {
  if (stages.length === 0) return;
  const wanted = new Set(stages.map(stageId));
  for (const { id: otherId } of await listAll<{ id: string }>(tx, KK.keyPlan, keyId)) {
    if (otherId === plan.id) continue;
    const other = await tx.get<UsagePlan>(KK.usagePlan, '', otherId);
    const shared = other?.apiStages?.find((s) => wanted.has(stageId(s)));
    if (shared !== undefined) {
      throw conflict(`Usage Plan ${plan.id} cannot be added because API Key ${keyId} cannot reference multiple Usage Plans with the same API Stage: ${stageId(shared)}`);
    }
  }
}

export async function removeKeyFromAllPlans(tx: WriteTx, keyId: string): Promise<void> {
  for (const { id: planId } of await listAll<{ id: string }>(tx, KK.keyPlan, keyId)) {
    await tx.delete(KK.usagePlanKey, planId, keyId);
    await tx.delete(KK.usageAdjustment, planId, keyId);
  }
  await tx.deleteChildren(keyId, [KK.keyPlan]);
}

function usagePlanKey(k: ApiKey): UsagePlanKey {
  const out: UsagePlanKey = { id: k.id, type: 'API_KEY', value: k.value };
  if (k.name !== undefined) out.name = k.name;
  return out;
}

async function getPlanKey(tx: ReadTx, planId: string, keyId: string): Promise<UsagePlanKey> {
  await getUsagePlanDoc(tx, planId);
  if ((await tx.get(KK.usagePlanKey, planId, keyId)) === undefined) throw notFound('Invalid Usage Plan Key identifier specified');
  return usagePlanKey(await getApiKeyDoc(tx, keyId));
}

// ---------------------------------------------------------------- patch rules

function stageIndex(doc: UsagePlan, key: string): ApiStage {
  const s = (doc.apiStages ?? []).find((x) => stageId(x) === key);
  if (s === undefined) throw badRequest(`Invalid API Stage ${key}: the usage plan does not include it`);
  return s;
}

function methodThrottle(name: 'burstLimit' | 'rateLimit'): PatchRule<UsagePlan> {
  return {
    path: `/apiStages/*/throttle/*/${name}`,
    ops: ['replace', 'add', 'remove'],
    apply(doc, op, value, keys) {
      const s = stageIndex(doc, keys[0]!);
      const throttle = (s.throttle ??= {});
      if (op === 'remove') {
        if (throttle[keys[1]!]) delete throttle[keys[1]!]![name];
        return;
      }
      const t = (throttle[keys[1]!] ??= {});
      t[name] = name === 'burstLimit' ? toInteger(value, `/apiStages/${keys[0]}/throttle/${keys[1]}/${name}`) : toNumber(value, `/apiStages/${keys[0]}/throttle/${keys[1]}/${name}`);
    },
  };
}

function parseStageValue(value: string | undefined): ApiStage {
  const v = requireValue(value, '/apiStages');
  const i = v.indexOf(':');
  if (i <= 0 || i === v.length - 1) throw badRequest(`Invalid API Stage value '${v}': expected 'apiId:stage'`);
  return { apiId: v.slice(0, i), stage: v.slice(i + 1) };
}

const rules: PatchRule<UsagePlan>[] = [
  field('name'),
  field('description', { ops: ['replace', 'add', 'remove'] }),
  field('productCode', { ops: ['replace', 'add', 'remove'] }),
  {
    path: '/throttle/burstLimit',
    ops: ['replace', 'add', 'remove'],
    apply(doc, op, value) {
      if (op === 'remove') {
        if (doc.throttle) delete doc.throttle.burstLimit;
      } else (doc.throttle ??= {}).burstLimit = toInteger(value, '/throttle/burstLimit');
    },
  },
  {
    path: '/throttle/rateLimit',
    ops: ['replace', 'add', 'remove'],
    apply(doc, op, value) {
      if (op === 'remove') {
        if (doc.throttle) delete doc.throttle.rateLimit;
      } else (doc.throttle ??= {}).rateLimit = toNumber(value, '/throttle/rateLimit');
    },
  },
  field('throttle', { ops: ['remove'] }),
  {
    path: '/quota/limit',
    ops: ['replace', 'add'],
    apply(doc, _op, value) {
      (doc.quota ??= {}).limit = toInteger(value, '/quota/limit');
    },
  },
  {
    path: '/quota/offset',
    ops: ['replace', 'add'],
    apply(doc, _op, value) {
      (doc.quota ??= {}).offset = toInteger(value, '/quota/offset');
    },
  },
  {
    path: '/quota/period',
    ops: ['replace', 'add'],
    apply(doc, _op, value) {
      const v = requireValue(value, '/quota/period');
      if (!(PERIODS as readonly string[]).includes(v)) throw badRequest(`Invalid quota period: it must be one of ${PERIODS.join(', ')}`);
      (doc.quota ??= {}).period = v as QuotaSettings['period'];
    },
  },
  field('quota', { ops: ['remove'] }),
  {
    // add/remove an API stage by value 'apiId:stage'
    path: '/apiStages',
    ops: ['add', 'remove'],
    apply(doc, op, value) {
      const s = parseStageValue(value);
      const list = doc.apiStages ?? [];
      const i = list.findIndex((x) => stageId(x) === stageId(s));
      if (op === 'add') {
        if (i !== -1) throw badRequest(`API Stage ${stageId(s)} is already in the usage plan`);
        list.push(s);
      } else {
        if (i === -1) throw badRequest(`Invalid API Stage ${stageId(s)}: the usage plan does not include it`);
        list.splice(i, 1);
      }
      doc.apiStages = list;
    },
  },
  {
    path: '/apiStages/*/throttle',
    ops: ['remove'],
    apply(doc, _op, _value, keys) {
      delete stageIndex(doc, keys[0]!).throttle;
    },
  },
  {
    path: '/apiStages/*/throttle/*',
    ops: ['remove'],
    apply(doc, _op, _value, keys) {
      const s = stageIndex(doc, keys[0]!);
      if (s.throttle) delete s.throttle[keys[1]!];
    },
  },
  methodThrottle('burstLimit'),
  methodThrottle('rateLimit'),
];

function tidy(plan: UsagePlan): UsagePlan {
  if (plan.throttle && Object.keys(plan.throttle).length === 0) delete plan.throttle;
  for (const s of plan.apiStages ?? []) {
    for (const [k, t] of Object.entries(s.throttle ?? {})) if (Object.keys(t).length === 0) delete s.throttle![k];
    if (s.throttle && Object.keys(s.throttle).length === 0) delete s.throttle;
  }
  if (plan.quota && plan.quota.offset === undefined) plan.quota.offset = 0;
  return plan;
}

async function updateUsagePlan(tx: WriteTx, ctx: OpContext, id: string, ops: PatchOperation[] | undefined): Promise<UsagePlan> {
  const plan = await getUsagePlanDoc(tx, id);
  const next = tidy(applyPatch(plan, ops, rules));
  await checkPlan(tx, ctx, next);
  const before = new Set((plan.apiStages ?? []).map(stageId));
  const added = (next.apiStages ?? []).filter((s) => !before.has(stageId(s)));
  if (added.length > 0) {
    for (const { id: keyId } of await listAll<{ id: string }>(tx, KK.usagePlanKey, id)) await checkSharedStages(tx, next, keyId, added);
  }
  await tx.put(KK.usagePlan, '', id, next);
  return next;
}

// ---------------------------------------------------------------- handlers

export const usagePlanHandlers: HandlerTable = {
  async CreateUsagePlan(input, ctx) {
    return ctx.write(async (tx) => {
      const plan: UsagePlan = { id: newId(6), name: input.name };
      if (input.description !== undefined) plan.description = input.description;
      plan.apiStages = (input.apiStages ?? []).map((s) => {
        const out: ApiStage = { apiId: s.apiId, stage: s.stage };
        if (s.throttle !== undefined && Object.keys(s.throttle).length > 0) out.throttle = s.throttle;
        return out;
      });
      if (input.throttle !== undefined) plan.throttle = input.throttle;
      if (input.quota !== undefined) plan.quota = { ...input.quota };
      withTags(plan, input.tags);
      await checkPlan(tx, ctx, plan);
      tidy(plan);
      await tx.put(KK.usagePlan, '', plan.id!, plan);
      return plan;
    });
  },

  async GetUsagePlan(input, ctx) {
    return ctx.read((tx) => getUsagePlanDoc(tx, input.usagePlanId));
  },

  async GetUsagePlans(input, ctx) {
    return ctx.read(async (tx) => {
      if (input.keyId === undefined) return listPage<UsagePlan>(tx, KK.usagePlan, '', input);
      return scanPage<{ id: string }, UsagePlan>(tx, KK.keyPlan, input.keyId, input, ({ id }) => tx.get<UsagePlan>(KK.usagePlan, '', id));
    });
  },

  async UpdateUsagePlan(input, ctx) {
    return ctx.write((tx) => updateUsagePlan(tx, ctx, input.usagePlanId, input.patchOperations));
  },

  async DeleteUsagePlan(input, ctx) {
    await ctx.write(async (tx) => {
      await getUsagePlanDoc(tx, input.usagePlanId);
      for (const { id: keyId } of await listAll<{ id: string }>(tx, KK.usagePlanKey, input.usagePlanId)) {
        await tx.delete(KK.keyPlan, keyId, input.usagePlanId);
      }
      await tx.deleteChildren(input.usagePlanId, [KK.usagePlanKey, KK.usageAdjustment]);
      await tx.delete(KK.usagePlan, '', input.usagePlanId);
    });
  },

  async CreateUsagePlanKey(input, ctx) {
    return ctx.write(async (tx) => {
      const plan = await getUsagePlanDoc(tx, input.usagePlanId);
      if (input.keyType !== 'API_KEY') throw badRequest(`Invalid key type specified: ${input.keyType}. Valid values are API_KEY`);
      const key = await getApiKeyDoc(tx, input.keyId);
      await addKeyToPlan(tx, plan, key.id!);
      return usagePlanKey(key);
    });
  },

  async GetUsagePlanKey(input, ctx) {
    return ctx.read((tx) => getPlanKey(tx, input.usagePlanId, input.keyId));
  },

  async GetUsagePlanKeys(input, ctx) {
    return ctx.read(async (tx) => {
      // AWS answers an unknown usage plan with an empty list, not a 404 (recorded).
      if ((await tx.get(KK.usagePlan, '', input.usagePlanId)) === undefined) return { items: [] };
      const q = input.nameQuery;
      return scanPage<{ id: string }, UsagePlanKey>(tx, KK.usagePlanKey, input.usagePlanId, input, async ({ id }) => {
        const k = await tx.get<ApiKey>(KK.apiKey, '', id);
        if (k === undefined || (q !== undefined && q !== '' && !(k.name ?? '').startsWith(q))) return undefined;
        return usagePlanKey(k);
      });
    });
  },

  async DeleteUsagePlanKey(input, ctx) {
    await ctx.write(async (tx) => {
      await getUsagePlanDoc(tx, input.usagePlanId);
      if (!(await tx.delete(KK.usagePlanKey, input.usagePlanId, input.keyId))) throw notFound('Invalid Usage Plan Key identifier specified');
      await tx.delete(KK.keyPlan, input.keyId, input.usagePlanId);
      await tx.delete(KK.usageAdjustment, input.usagePlanId, input.keyId);
    });
  },

  async GetUsage(input, ctx) {
    return getUsage(ctx, input);
  },

  async UpdateUsage(input, ctx) {
    return updateUsage(ctx, input);
  },
};
