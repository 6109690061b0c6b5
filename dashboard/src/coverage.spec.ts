import { lastDataDayBefore, latestYearCovered } from './coverage';

describe('the year the climate view opens on', () => {
  const month = (group: string, coverage: number, inServiceHours = 744) => ({ group, coverage, inServiceHours });

  it('is the latest year whose coverage, weighted by in-service time, is at least the threshold', () => {
    // The demo's shape: 2018-2019 measured, 2020-2025 a gap (coverage 0), a few live weeks in 2026.
    const rows = [
      ...['01', '06', '12'].map((m) => month(`2018-${m}`, 1)),
      ...['01', '06', '12'].map((m) => month(`2019-${m}`, 0.98)),
      ...['2020', '2024', '2025'].map((y) => month(`${y}-06`, 0)),
      month('2026-10', 0),
      month('2026-11', 0.2),
      month('2026-12', 1, 48),
    ];
    expect(latestYearCovered(rows, 0.5)).toBe(2019);
  });

  it('weights the months by in-service hours, and gives null when no year reaches the threshold', () => {
    // 0.9 x 100 h + 0.2 x 300 h over 400 h = 0.375.
    expect(latestYearCovered([month('2019-01', 0.9, 100), month('2019-02', 0.2, 300)], 0.5)).toBeNull();
    expect(latestYearCovered([month('2019-01', 0.9, 300), month('2019-02', 0.2, 100)], 0.5)).toBe(2019);
    expect(latestYearCovered([month('2019-01', 0, 0)], 0.5)).toBeNull();
    expect(latestYearCovered([], 0.5)).toBeNull();
  });
});

describe('the last day a vehicle page tries when the last seven days are not covered', () => {
  const today = '2026-12-03';

  it('is the earlier of the last sample day and the last day in service', () => {
    // A vehicle retired in 2019 whose tracker went quiet before its last day, and one that sent after it.
    expect(lastDataDayBefore(today, '2019-05-14', '2019-06-30')).toBe('2019-05-14');
    expect(lastDataDayBefore(today, '2019-07-02', '2019-06-30')).toBe('2019-06-30');
    // A silent tracker on a vehicle in service; a retired vehicle that never sent.
    expect(lastDataDayBefore(today, '2026-10-20', null)).toBe('2026-10-20');
    expect(lastDataDayBefore(today, null, '2019-06-30')).toBe('2019-06-30');
  });

  it('is null when that day is today or later, or when nothing is known', () => {
    expect(lastDataDayBefore(today, today, null)).toBeNull();
    expect(lastDataDayBefore(today, today, '2027-12-31')).toBeNull();
    expect(lastDataDayBefore(today, null, '2027-12-31')).toBeNull();
    expect(lastDataDayBefore(today, null, null)).toBeNull();
    expect(lastDataDayBefore(today, '2026-12-02', null)).toBe('2026-12-02');
  });
});
