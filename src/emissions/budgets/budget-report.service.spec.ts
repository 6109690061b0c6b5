import { inServiceSeconds } from '../../platform/time/service-time';
import { lastEndedMonth, monthlyInServiceSeconds } from './budget-report.service';

describe('climate budget report helpers', () => {
  it("gives each month's in-service seconds as inServiceSeconds does, across DST and service dates", () => {
    const vehicles = [
      { inServiceFrom: '2018-01-01', inServiceTo: null },
      { inServiceFrom: '2020-03-15', inServiceTo: '2020-10-31' },
      { inServiceFrom: '2020-07-01', inServiceTo: '2020-07-01' },
      { inServiceFrom: '2021-01-01', inServiceTo: null },
    ];
    const now = new Date('2020-08-20T12:00:00Z');
    const months = monthlyInServiceSeconds(vehicles, 2020, now, 'Europe/Oslo');
    for (let m = 1; m <= 12; m++) {
      const from = `2020-${String(m).padStart(2, '0')}-01`;
      const to = m === 12 ? '2021-01-01' : `2020-${String(m + 1).padStart(2, '0')}-01`;
      expect(months[m - 1]).toBe(vehicles.reduce((sum, v) => sum + inServiceSeconds(v, from, to, now, 'Europe/Oslo'), 0));
    }
    expect(months[6]).toBe(2 * 31 * 86_400 + 86_400); // July: the first two all month, the third one day
  });

  it('makes the forecast at the end of the last month that has ended', () => {
    expect(lastEndedMonth(2020, '2026-12-03')).toBe(12);
    expect(lastEndedMonth(2026, '2026-12-03')).toBe(11);
    expect(lastEndedMonth(2026, '2026-01-15')).toBe(0);
    expect(lastEndedMonth(2027, '2026-12-03')).toBe(0);
  });
});
