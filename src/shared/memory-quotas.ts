// Quota counters in this process's memory: one count per key per day (GetUsage) and one record
// per key per quota period (enforcement, UpdateUsage). Bounded by time: days older than the
// retention and periods that have ended are dropped once a day. The number of keys is that of
// API keys in usage plans, which the store bounds.
import { checkUsageRange, quotaPeriodBounds, remainingOf } from './quota-period.ts';
import { utcDay, type Clock, type QuotaCounters, type QuotaPeriod, type QuotaResult } from './types.ts';

interface PeriodRecord {
  used: number;
  /** UpdateUsage's grant: `remaining` was left when `used` was `usedAt`. */
  adjusted: boolean;
  remaining: number;
  usedAt: number;
  /** First day after the period: the record is dropped then. */
  end: number;
}

/** One day's count of one key, mutated in place. */
interface DayCell {
  n: number;
}

/** Where one key's counts are today: found by one lookup on the hot path, instead of building
 *  the record's and the day's names and working out the period's bounds on every request. */
interface HotSlot {
  day: number;
  period: QuotaPeriod['period'];
  offset: number | undefined;
  record: PeriodRecord;
  cell: DayCell;
}

export interface MemoryQuotasOptions {
  clock?: Clock;
  /** Days of per-day counts kept for GetUsage (default 100: AWS's GetUsage spans up to 90). */
  retentionDays?: number;
}

export class MemoryQuotaCounters implements QuotaCounters {
  readonly #days = new Map<string, DayCell>();
  readonly #periods = new Map<string, PeriodRecord>();
  readonly #hot = new Map<string, HotSlot>();
  readonly #clock: Clock;
  readonly #retention: number;
  #sweptOn = -1;

  constructor(options: MemoryQuotasOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#retention = options.retentionDays ?? 100;
  }

  consume(key: string, quota: QuotaPeriod, limit: number, cost = 1): Promise<QuotaResult> {
    return Promise.resolve(this.consumeNow(key, quota, limit, cost));
  }

  consumeNow(key: string, quota: QuotaPeriod, limit: number, cost = 1): QuotaResult {
    const { record: p, cell } = this.#slot(key, quota);
    const remaining = remainingOf(p.used, limit, p.adjusted, p.remaining, p.usedAt);
    if (remaining < cost) return { allowed: false, used: p.used, remaining: Math.max(remaining, 0) };
    p.used += cost;
    cell.n += cost;
    return { allowed: true, used: p.used, remaining: remaining - cost };
  }

  /** consumeNow of one request, answering only whether it was allowed (no answer object). */
  tryConsumeNow(key: string, quota: QuotaPeriod, limit: number): boolean {
    const { record: p, cell } = this.#slot(key, quota);
    if (remainingOf(p.used, limit, p.adjusted, p.remaining, p.usedAt) < 1) return false;
    p.used++;
    cell.n++;
    return true;
  }

  #slot(key: string, quota: QuotaPeriod): HotSlot {
    const today = this.#today();
    const hot = this.#hot.get(key);
    if (hot !== undefined && hot.day === today && hot.period === quota.period && hot.offset === quota.offset) return hot;
    const record = this.#period(key, quota, today, true)!;
    const dayKey = `${key}\n${today}`;
    let cell = this.#days.get(dayKey);
    if (cell === undefined) this.#days.set(dayKey, (cell = { n: 0 }));
    const slot: HotSlot = { day: today, period: quota.period, offset: quota.offset, record, cell };
    this.#hot.set(key, slot);
    return slot;
  }

  peek(key: string, quota: QuotaPeriod, limit: number): Promise<QuotaResult> {
    return Promise.resolve(this.peekNow(key, quota, limit));
  }

  peekNow(key: string, quota: QuotaPeriod, limit: number): QuotaResult {
    const p = this.#period(key, quota, this.#today(), false);
    if (p === undefined) return { allowed: limit > 0, used: 0, remaining: Math.max(limit, 0) };
    const remaining = Math.max(remainingOf(p.used, limit, p.adjusted, p.remaining, p.usedAt), 0);
    return { allowed: remaining > 0, used: p.used, remaining };
  }

  usage(key: string, fromDay: number, toDay: number): Promise<number[]> {
    return Promise.resolve(this.usageNow(key, fromDay, toDay));
  }

  usageNow(key: string, fromDay: number, toDay: number): number[] {
    checkUsageRange(fromDay, toDay);
    this.#today(); // sweeps, so days past the retention read 0 as they do in Redis
    const out: number[] = [];
    for (let d = fromDay; d <= toDay; d++) out.push(this.#days.get(`${key}\n${d}`)?.n ?? 0);
    return out;
  }

  adjust(key: string, quota: QuotaPeriod, remaining: number): Promise<void> {
    this.adjustNow(key, quota, remaining);
    return Promise.resolve();
  }

  adjustNow(key: string, quota: QuotaPeriod, remaining: number): void {
    const p = this.#period(key, quota, this.#today(), true)!;
    p.adjusted = true;
    p.remaining = remaining;
    p.usedAt = p.used;
  }

  #today(): number {
    const today = utcDay(this.#clock());
    if (today !== this.#sweptOn) this.#sweep(today);
    return today;
  }

  #period(key: string, quota: QuotaPeriod, today: number, create: boolean): PeriodRecord | undefined {
    const { start, end } = quotaPeriodBounds(today, quota);
    const id = `${key}\n${quota.period}:${start}`;
    let p = this.#periods.get(id);
    if (p === undefined && create) {
      p = { used: 0, adjusted: false, remaining: 0, usedAt: 0, end };
      this.#periods.set(id, p);
    }
    return p;
  }

  #sweep(today: number): void {
    this.#sweptOn = today;
    this.#hot.clear();
    for (const [id, p] of this.#periods) if (p.end <= today) this.#periods.delete(id);
    const oldest = today - this.#retention;
    for (const id of this.#days.keys()) {
      if (Number(id.slice(id.lastIndexOf('\n') + 1)) < oldest) this.#days.delete(id);
    }
  }
}
