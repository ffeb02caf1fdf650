// GetUsage and UpdateUsage: the requests the execution plane counted for each key of a usage plan
// (src/access/throttle.ts counts them in the shared state, src/shared: per key per UTC day, and
// per quota period), and UpdateUsage's grant of remaining quota.
//
// The counters' key is `${usagePlanId}/${apiKeyId}`, as the throttling step counts. A day's
// `remaining` is what the key had left of its quota period at the end of that day: the quota
// limit less what was used in the period up to then, or, from the day UpdateUsage granted a
// remaining quota, that grant less what was used after it. For the current period the figure is
// the live one (so a grant and the requests after it show at once). Periods are quotaPeriodBounds'
// (WEEK from Sunday plus the offset, MONTH from the 1st plus the offset), the same the counters use.
import type { GetUsageRequest, UpdateUsageRequest, Usage, UsagePlan } from '../../model/generated/types.ts';
import { quotaPeriodBounds, utcDay, type QuotaCounters, type QuotaPeriod } from '../../shared/index.ts';
import type { ReadTx } from '../../store/index.ts';
import type { OpContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { pageArray } from '../paging.ts';
import { splitPointer, toInteger } from '../patch.ts';
import { getUsagePlanDoc, KK, listAll } from './common.ts';

/** UpdateUsage's grants, by the UTC day they were made (for the days GetUsage shows). */
interface UsageAdjustments {
  overrides: { date: string; remaining: number }[];
}

interface PlanQuota extends QuotaPeriod {
  readonly limit: number;
}

const DAY_MS = 86_400_000;
const MAX_USAGE_DAYS = 90;

/** The counters' key of one API key in one plan (src/access/throttle.ts counts under it). */
export const usageKey = (usagePlanId: string, keyId: string): string => `${usagePlanId}/${keyId}`;

function parseDay(text: string, name: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const t = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text) throw badRequest(`Invalid ${name} '${text}': expected a date as yyyy-MM-dd`);
  return t / DAY_MS;
}

const dayText = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

function planQuota(plan: UsagePlan): PlanQuota | null {
  const q = plan.quota;
  if (q === undefined || typeof q.limit !== 'number' || q.period === undefined) return null;
  return { limit: q.limit, period: q.period, offset: q.offset ?? 0 };
}

interface UsageScope {
  plan: UsagePlan;
  keyIds: string[];
  position?: string;
  adjustments: Map<string, UsageAdjustments>;
}

async function usageScope(tx: ReadTx, input: GetUsageRequest): Promise<UsageScope> {
  const plan = await getUsagePlanDoc(tx, input.usagePlanId);
  let keyIds: string[];
  if (input.keyId !== undefined) {
    if ((await tx.get(KK.usagePlanKey, plan.id!, input.keyId)) === undefined) throw notFound('Invalid Key identifier specified');
    keyIds = [input.keyId];
  } else {
    keyIds = (await listAll<{ id: string }>(tx, KK.usagePlanKey, plan.id!)).map((k) => k.id);
  }
  const page = pageArray(keyIds, input);
  const adjustments = new Map<string, UsageAdjustments>();
  for (const keyId of page.items) {
    const adj = await tx.get<UsageAdjustments>(KK.usageAdjustment, plan.id!, keyId);
    if (adj !== undefined) adjustments.set(keyId, adj);
  }
  return { plan, keyIds: page.items, position: page.position, adjustments };
}

export async function getUsage(ctx: OpContext, input: GetUsageRequest): Promise<Usage> {
  const from = parseDay(input.startDate, 'startDate');
  const to = parseDay(input.endDate, 'endDate');
  if (to < from) throw badRequest('The end date must not be before the start date');
  if (to - from + 1 > MAX_USAGE_DAYS) throw badRequest(`The usage date range can span at most ${MAX_USAGE_DAYS} days`);
  const scope = await ctx.read((tx) => usageScope(tx, input));
  const today = utcDay(ctx.now());
  const items: Record<string, number[][]> = {};
  for (const keyId of scope.keyIds) {
    items[keyId] = await dailyUsage(ctx.shared.quotas, scope.plan, keyId, scope.adjustments.get(keyId), from, to, today);
  }
  const out: Usage = { usagePlanId: scope.plan.id, startDate: input.startDate, endDate: input.endDate, items };
  if (scope.position !== undefined) out.position = scope.position;
  return out;
}

/** [used, remaining] for each day from `from` to `to` (UTC days since 1970-01-01). */
async function dailyUsage(
  quotas: QuotaCounters, plan: UsagePlan, keyId: string, adj: UsageAdjustments | undefined, from: number, to: number, today: number,
): Promise<number[][]> {
  const key = usageKey(plan.id!, keyId);
  const quota = planQuota(plan);
  if (quota === null) return (await quotas.usage(key, from, to)).map((used) => [used, 0]);
  // Counts from the start of the period that holds `from`, for the period's running total.
  const first = quotaPeriodBounds(from, quota).start;
  const counts = await quotas.usage(key, first, to);
  const current = quotaPeriodBounds(today, quota);
  const live = current.start <= to && current.end > from ? await quotas.peek(key, quota, quota.limit) : null;
  const grants = new Map((adj?.overrides ?? []).map((o) => [o.date, o.remaining]));
  const out: number[][] = [];
  let periodEnd = first;
  let used = 0;
  let grant: { remaining: number; usedThen: number } | null = null;
  for (let day = first; day <= to; day++) {
    if (day >= periodEnd) {
      periodEnd = quotaPeriodBounds(day, quota).end;
      used = 0;
      grant = null;
    }
    const count = counts[day - first] ?? 0;
    used += count;
    const granted = grants.get(dayText(day));
    if (granted !== undefined) grant = { remaining: granted, usedThen: used };
    if (day < from) continue;
    let remaining: number;
    if (live !== null && day >= today && day < current.end) remaining = live.remaining;
    else if (day > today) remaining = quota.limit;
    else if (grant !== null) remaining = grant.remaining - (used - grant.usedThen);
    else remaining = quota.limit - used;
    out.push([count, Math.max(0, remaining)]);
  }
  return out;
}

export async function updateUsage(ctx: OpContext, input: UpdateUsageRequest): Promise<Usage> {
  const today = utcDay(ctx.now());
  const date = dayText(today);
  const { plan, remaining } = await ctx.write(async (tx) => {
    const plan = await getUsagePlanDoc(tx, input.usagePlanId);
    if ((await tx.get(KK.usagePlanKey, plan.id!, input.keyId)) === undefined) throw notFound('Invalid Key identifier specified');
    const adj = (await tx.get<UsageAdjustments>(KK.usageAdjustment, plan.id!, input.keyId)) ?? { overrides: [] };
    let remaining: number | null = null;
    for (const p of input.patchOperations ?? []) {
      const segs = splitPointer(p.path ?? '');
      if (p.op !== 'replace' || segs.length !== 1 || segs[0] !== 'remaining') {
        throw badRequest(`Invalid patch path  '${p.path ?? ''}' specified for op '${p.op ?? ''}'. Must be one of: [/remaining]`);
      }
      if (planQuota(plan) === null) throw badRequest(`Usage plan ${plan.id} has no quota to update`);
      remaining = toInteger(p.value, '/remaining');
      if (remaining < 0) throw badRequest('Invalid value for /remaining: it must be a non-negative integer');
      adj.overrides = adj.overrides.filter((o) => o.date !== date);
      adj.overrides.push({ date, remaining });
    }
    // Grants older than the longest period (a month) can no longer show on any day GetUsage answers for.
    adj.overrides = adj.overrides.filter((o) => o.date >= dayText(today - MAX_USAGE_DAYS - 31));
    await tx.put(KK.usageAdjustment, plan.id!, input.keyId, adj);
    return { plan, remaining };
  });
  // The grant takes effect where requests are counted. Should the shared state be unreachable the
  // call fails (5xx) after the day's record was written; repeating it writes the same again.
  const quota = planQuota(plan);
  if (remaining !== null && quota !== null) await ctx.shared.quotas.adjust(usageKey(plan.id!, input.keyId), quota, remaining);
  return getUsage(ctx, { usagePlanId: plan.id!, keyId: input.keyId, startDate: date, endDate: date });
}
