import { addDays, addMonths, formatDateTime, formatDuration, formatMonth, formatNumber, formatPercent, formatQuantity, localDay, massUnit } from './format';

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

  it('writes times in Oslo time, in each language', () => {
    expect(formatDateTime('2026-07-01T10:15:30Z', 'en')).toBe('01/07/2026, 12:15:30');
    expect(formatDateTime('2026-07-01T10:15:30Z', 'nb')).toContain('12:15:30');
    expect(formatDateTime(null, 'nb')).toBe('–');
  });

  it('writes durations in hours and minutes', () => {
    expect(formatDuration(3900, 'nb')).toBe('1\u00a0t 05\u00a0min');
    expect(formatDuration(720, 'en')).toBe('12\u00a0min');
  });

  it('counts days in the Oslo time zone', () => {
    // 23:30 UTC on 31 December is already 1 January in Oslo.
    expect(localDay(0, new Date('2019-12-31T23:30:00Z'))).toBe('2020-01-01');
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
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
