import { addDays, addMonths, dayStart, formatDateTime, formatDay, formatDuration, formatMonth, formatNumber, formatPercent, formatQuantity, localDay, massUnit, setReportTimeZone } from './format';

describe('dashboard number formats', () => {
  it('writes Norwegian numbers with a decimal comma and a space as thousands separator', () => {
    expect(formatNumber(12345.678, 1, 'nb')).toBe('12\u00a0345,7');
    expect(formatQuantity(1234567.5, 'km', 1, 'nb')).toBe('1\u00a0234\u00a0567,5\u00a0km');
    expect(formatPercent(81.5, 1, 'nb')).toBe('81,5\u00a0%');
  });

  it('writes English numbers with a decimal point', () => {
    expect(formatQuantity(12345.6, 'km', 1, 'en')).toBe('12,345.6\u00a0km');
    expect(formatPercent(81.5, 1, 'en')).toBe('81.5%');
  });

  it('shows a dash for missing values, not 0', () => {
    expect(formatQuantity(null, 'km', 1, 'nb')).toBe('–');
    expect(formatPercent(undefined, 0, 'nb')).toBe('–');
    expect(formatNumber(Number.NaN, 0, 'nb')).toBe('–');
  });

  it('writes durations in hours and minutes', () => {
    expect(formatDuration(3900, 'nb')).toBe('1\u00a0t 05\u00a0min');
    expect(formatDuration(720, 'en')).toBe('12\u00a0min');
  });

  it('counts days in the report time zone it was given', () => {
    setReportTimeZone('Europe/Oslo');
    // 23:30 UTC on 31 December is already 1 January in Oslo, still 31 December in New York.
    expect(localDay(0, new Date('2019-12-31T23:30:00Z'))).toBe('2020-01-01');
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    setReportTimeZone('America/New_York');
    expect(localDay(0, new Date('2019-12-31T23:30:00Z'))).toBe('2019-12-31');
    expect(formatDateTime('2019-12-31T23:30:00Z', 'nb')).toBe('31.12.2019, 18:30:00');
    setReportTimeZone('Europe/Oslo');
  });

  it('knows the 23-hour and 25-hour days of summer time in Oslo', () => {
    setReportTimeZone('Europe/Oslo');
    const hours = (day: string) => (dayStart(addDays(day, 1)).getTime() - dayStart(day).getTime()) / 3_600_000;
    expect(dayStart('2019-03-31').toISOString()).toBe('2019-03-30T23:00:00.000Z');
    expect(hours('2019-03-31')).toBe(23);
    expect(hours('2019-10-27')).toBe(25);
    expect(hours('2019-10-28')).toBe(24);
    // The repeated hour: 02:30 summer time, then 02:30 winter time.
    expect(formatDateTime('2019-10-27T00:30:00Z', 'en')).toBe('27/10/2019, 02:30:00');
    expect(formatDateTime('2019-10-27T01:30:00Z', 'en')).toBe('27/10/2019, 02:30:00');
    expect(localDay(0, new Date('2019-10-27T22:59:59Z'))).toBe('2019-10-27');
    expect(localDay(0, new Date('2019-10-27T23:00:00Z'))).toBe('2019-10-28');
    expect(formatDay('2019-03-31', 'nb')).toBe('31.03.2019');
  });

  it('writes months and shifts them across year ends', () => {
    expect(formatMonth('2026-11', 'nb')).toBe('nov. 2026');
    expect(formatMonth('2026-11', 'en')).toBe('Nov 2026');
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });

  it('shows mass in kg for small figures and in tonnes from 10 t', () => {
    expect(massUnit(9_999)).toEqual({ unit: 'kg CO₂e', divisor: 1, digits: 1 });
    expect(massUnit(-25_000).unit).toBe('t CO₂e');
  });
});
