import { Settings } from 'luxon';
import { addDays, addMonths, addYears } from './calendar';
import { localDay, localDayStartMs, localToInstant, wallClockInstant } from './local-time';
import { dayStart } from './service-time';

const OSLO = 'Europe/Oslo';
const HOUR = 3_600_000;

describe('local time', () => {
  const realNow = Settings.now;
  afterEach(() => {
    Settings.now = realNow;
  });

  it('has a 23-hour day on the last Sunday of March and a 25-hour day on the last Sunday of October in Oslo', () => {
    const hours = (day: string) => (localDayStartMs(addDays(day, 1), OSLO) - localDayStartMs(day, OSLO)) / HOUR;
    expect([hours('2019-03-30'), hours('2019-03-31'), hours('2019-04-01')]).toEqual([24, 23, 24]);
    expect([hours('2019-10-26'), hours('2019-10-27'), hours('2019-10-28')]).toEqual([24, 25, 24]);
    expect([hours('2024-03-31'), hours('2024-10-27')]).toEqual([23, 25]);
    expect(dayStart('2019-10-27', OSLO).toISOString()).toBe('2019-10-26T22:00:00.000Z');
    expect(dayStart('2019-10-28', OSLO).toISOString()).toBe('2019-10-27T23:00:00.000Z');
  });

  it('takes the first instant of the repeated hour whatever the season it runs in', () => {
    // Luxon alone answers 00:30Z in summer and 01:30Z in winter: the choice must not depend on now.
    for (const now of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
      Settings.now = () => Date.parse(now);
      expect(localToInstant(2019, 10, 27, 2, 30, 0, OSLO).toISOString()).toBe('2019-10-27T00:30:00.000Z');
      expect(new Date(wallClockInstant({ year: 2019, month: 10, day: 27, hour: 2, minute: 30 }, OSLO, 'later')).toISOString()).toBe('2019-10-27T01:30:00.000Z');
    }
  });

  it('moves a time in the skipped hour forward by the gap', () => {
    expect(localToInstant(2019, 3, 31, 2, 30, 0, OSLO).toISOString()).toBe('2019-03-31T01:30:00.000Z');
    expect(localToInstant(2019, 3, 31, 3, 0, 0, OSLO).toISOString()).toBe('2019-03-31T01:00:00.000Z');
  });

  it('gives the local day of an instant on both sides of a change of offset', () => {
    expect(localDay(new Date('2019-10-27T22:59:59Z'), OSLO)).toBe('2019-10-27');
    expect(localDay(new Date('2019-10-27T23:00:00Z'), OSLO)).toBe('2019-10-28');
    expect(localDay(new Date('2019-03-30T22:59:59Z'), OSLO)).toBe('2019-03-30');
    expect(localDay(new Date('2019-03-30T23:00:00Z'), OSLO)).toBe('2019-03-31');
    expect(localDay(Date.parse('2019-03-31T22:00:00Z'), OSLO)).toBe('2019-04-01');
  });

  it('counts calendar days, months and years without a time zone', () => {
    expect(addDays('2019-03-31', 1)).toBe('2019-04-01');
    expect(addDays('2019-10-27', 1)).toBe('2019-10-28');
    expect(addMonths('2019-12-01', 1)).toBe('2020-01-01');
    expect(addMonths('2019-01-31', 1)).toBe('2019-02-28');
    expect(addYears('2020-02-29', 1)).toBe('2021-02-28');
  });
});
