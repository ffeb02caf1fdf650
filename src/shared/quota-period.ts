// The quota period that holds a given UTC day. AWS documents QuotaSettings.offset as "the day
// that a time period starts. For example, with a time period of WEEK, an offset of 0 starts on
// Sunday, and an offset of 1 starts on Monday"; for MONTH the offset (0-27) counts days from the
// 1st, so every month has the start day. Periods are whole UTC days, as AWS counts them.
import type { QuotaPeriod } from './types.ts';

const DAY_MS = 86_400_000;

export interface PeriodBounds {
  /** First day of the period (UTC days since 1970-01-01). */
  readonly start: number;
  /** First day after the period. */
  readonly end: number;
}

export function quotaPeriodBounds(day: number, quota: QuotaPeriod): PeriodBounds {
  const offset = quota.offset ?? 0;
  switch (quota.period) {
    case 'DAY':
      return { start: day, end: day + 1 };
    case 'WEEK': {
      // 1970-01-01 was a Thursday: day 0 is weekday 4 counting from Sunday.
      const weekday = (((day + 4) % 7) + 7) % 7;
      const start = day - ((weekday - (offset % 7) + 7) % 7);
      return { start, end: start + 7 };
    }
    case 'MONTH': {
      const d = new Date(day * DAY_MS);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      let start = Date.UTC(y, m, 1 + offset) / DAY_MS;
      let end = Date.UTC(y, m + 1, 1 + offset) / DAY_MS;
      if (start > day) {
        end = start;
        start = Date.UTC(y, m - 1, 1 + offset) / DAY_MS;
      }
      return { start, end };
    }
  }
}

/** Most days one usage() call answers: a guard against a caller's mistake allocating a huge array. */
export const MAX_USAGE_DAYS = 1000;

/** The quota left in a period record, with UpdateUsage's grant taking the place of the limit. */
export function remainingOf(used: number, limit: number, adjusted: boolean, granted: number, usedAt: number): number {
  return adjusted ? granted - (used - usedAt) : limit - used;
}

export function checkUsageRange(fromDay: number, toDay: number): void {
  if (!Number.isInteger(fromDay) || !Number.isInteger(toDay) || toDay - fromDay >= MAX_USAGE_DAYS) {
    throw new RangeError(`usage: a range of whole days of at most ${MAX_USAGE_DAYS}, got ${fromDay}..${toDay}`);
  }
}
