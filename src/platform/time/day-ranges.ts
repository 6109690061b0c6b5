import { addDays } from './calendar';

/**
 * Two kinds of day ranges travel between the ingest and the derivations: UTC dates of sample
 * timestamps, and calendar days in the report time zone that the derivations cut. The same string
 * means a different day in each, so they are distinct types (the brands exist for the compiler
 * only); `UtcDayRange.localDays` is the one way from the first to the second.
 */

/** UTC dates (YYYY-MM-DD, both inclusive): the days of sample timestamps. */
export class UtcDayRange {
  declare private readonly brand: 'utc';
  constructor(
    readonly firstDay: string,
    readonly lastDay: string,
  ) {}

  /** The local days that overlap these UTC days in any time zone (all are within a day of UTC). */
  localDays(): LocalDayRange {
    return new LocalDayRange(addDays(this.firstDay, -1), addDays(this.lastDay, 1));
  }
}

/** Calendar days in the report time zone (YYYY-MM-DD, both inclusive): the days derivations re-derive. */
export class LocalDayRange {
  declare private readonly brand: 'local';
  constructor(
    readonly firstDay: string,
    readonly lastDay: string,
  ) {}
}

/**
 * UTC days to re-derive, collected per device as a few contiguous ranges: a backfill touching a
 * vehicle's every day for two years becomes one job instead of seven hundred, while late samples
 * a month apart stay two small ranges instead of one that re-derives everything between them.
 */
export interface DayRange {
  key: string;
  days: UtcDayRange;
}

const DAY_MS = 86_400_000;
/** Days apart that are still one range: re-deriving a week in between costs less than another job. */
const JOIN_WITHIN_DAYS = 7;

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayString = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

export class DayRanges {
  private readonly ranges = new Map<string, Array<[number, number]>>();

  get size(): number {
    return this.ranges.size;
  }

  add(key: string, day: string): void {
    this.addDayNumber(key, dayNumber(day));
  }

  /** `add` with the day as days since 1970-01-01 (UTC), for callers that hold epoch times. */
  addDayNumber(key: string, n: number): void {
    const list = this.ranges.get(key);
    if (!list) {
      this.ranges.set(key, [[n, n]]);
      return;
    }
    // The common case on the ingest's hot path: a day already collected.
    for (const [first, last] of list) if (n >= first && n <= last) return;
    const near = list.find(([first, last]) => n >= first - JOIN_WITHIN_DAYS && n <= last + JOIN_WITHIN_DAYS);
    if (!near) {
      list.push([n, n]);
      return;
    }
    near[0] = Math.min(near[0], n);
    near[1] = Math.max(near[1], n);
    // A grown range may now reach its neighbours.
    list.sort((a, b) => a[0] - b[0]);
    for (let i = list.length - 1; i > 0; i--) {
      if (list[i][0] <= list[i - 1][1] + JOIN_WITHIN_DAYS) {
        list[i - 1][1] = Math.max(list[i - 1][1], list[i][1]);
        list.splice(i, 1);
      }
    }
  }

  /** Every range collected so far; the collection is empty afterwards. */
  take(): DayRange[] {
    const out: DayRange[] = [];
    for (const [key, list] of this.ranges) {
      for (const [first, last] of list) out.push({ key, days: new UtcDayRange(dayString(first), dayString(last)) });
    }
    this.ranges.clear();
    return out;
  }
}
