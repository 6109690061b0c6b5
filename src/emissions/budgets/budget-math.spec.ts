import { budgetForecast, forecastFromShares, monthlyShares, statusOf, whatIfForecast } from './budget-math';

describe('climate budget maths', () => {
  // Previous year: 100 kg in each of January-June, 50 kg in each of July-December: 900 kg.
  const previous = [100, 100, 100, 100, 100, 100, 50, 50, 50, 50, 50, 50];

  it("splits the annual budget by the previous year's monthly shares, 1/12 each without a previous year", () => {
    expect(monthlyShares(previous)[0]).toBeCloseTo(100 / 900, 12);
    expect(monthlyShares(previous)[11]).toBeCloseTo(50 / 900, 12);
    expect(monthlyShares(Array(12).fill(0))).toEqual(Array(12).fill(1 / 12));
  });

  it('forecasts at the end of June from the run rate and gives the status', () => {
    const thisYear = [90, 90, 90, 90, 90, 90, 0, 0, 0, 0, 0, 0];
    const f = budgetForecast(720, previous, thisYear, 6);
    // Budget Jan-Jun: 720 x 600/900 = 480; actual 540; run rate 540/480 = 1.125;
    // remaining budget 720 x 300/900 = 240; forecast 540 + 240 x 1.125 = 810 > 1.05 x 720 = 756.
    expect(f.budgetToDateKg).toBeCloseTo(480, 9);
    expect(f.runRate).toBeCloseTo(1.125, 12);
    expect(f.forecastKg).toBeCloseTo(810, 9);
    expect(f.status).toBe('off_track');
    expect(f.months[6]).toMatchObject({ month: 7, actualKg: null, cumulativeActualKg: null });
    expect(f.months[6].budgetKg).toBeCloseTo(40, 9);
    expect(f.months[11].cumulativeForecastKg).toBeCloseTo(810, 9);
    expect(forecastFromShares(previous, thisYear, 6)).toBeCloseTo(810, 9);
  });

  it('draws the status lines at the budget and 5 % over it', () => {
    expect(statusOf(100, 100)).toBe('on_track');
    expect(statusOf(105, 100)).toBe('at_risk');
    expect(statusOf(105.01, 100)).toBe('off_track');
  });

  it('has no forecast before the first month ends, and the actual once the year has ended', () => {
    expect(budgetForecast(720, previous, Array(12).fill(10), 0)).toMatchObject({ forecastKg: null, status: null });
    expect(budgetForecast(720, previous, Array(12).fill(10), 12)).toMatchObject({ forecastKg: 120, status: 'on_track' });
  });

  it("moves the forecast by each replaced vehicle's part of the run rate from its month on", () => {
    const f = budgetForecast(720, previous, [90, 90, 90, 90, 90, 90, 0, 0, 0, 0, 0, 0], 6);
    // A vehicle with 240 kg to date (candidate 0 kg) replaced from October: Oct-Dec budget 120,
    // forecast falls by 120 x 240 / 480 = 60.
    const w = whatIfForecast(f, [{ fromMonth: 10, actualToDateKg: 240, candidateToDateKg: 0 }]);
    expect(w.deltaKg).toBeCloseTo(-60, 9);
    expect(w.forecastKg).toBeCloseTo(750, 9);
    expect(w.status).toBe('at_risk');
  });
});
