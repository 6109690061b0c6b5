/**
 * Days to re-derive, collected per device as a few contiguous ranges: a backfill touching a
 * vehicle's every day for two years becomes one job instead of seven hundred, while late samples
 * a month apart stay two small ranges instead of one that re-derives everything between them.
 */
export interface DayRange {
  key: string;
  /** YYYY-MM-DD, inclusive. */
  firstDay: string;
  /** YYYY-MM-DD, inclusive. */
  lastDay: string;
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
      for (const [first, last] of list) out.push({ key, firstDay: dayString(first), lastDay: dayString(last) });
    }
    this.ranges.clear();
    return out;
  }
}

/** The day `days` after (or before, when negative) `day`. */
export function shiftDay(day: string, days: number): string {
  return dayString(dayNumber(day) + days);
}
