import { Candidate } from './plan.repository';
import { chooseCandidate, verdictOf } from './plan-verdict';

const candidate = (name: string, wltpRangeKm: number, kwhPerKm: number): Candidate => ({ id: name, vehicleClass: 'passenger_car', name, wltpRangeKm, kwhPerKm, priceNok: null, note: null });
const compact = candidate('compact', 300, 0.18);
const long = candidate('long', 500, 0.2);

describe('electrification verdicts', () => {
  it('chooses the most frugal candidate whose winter range covers the p95 day, else the longest range', () => {
    expect(chooseCandidate([long, compact], 200, 0.7)).toBe(compact); // 210 km covers 200
    expect(chooseCandidate([long, compact], 250, 0.7)).toBe(long); // only 350 km covers 250
    expect(chooseCandidate([long, compact], 400, 0.7)).toBe(long);
    expect(chooseCandidate([], 10, 0.7)).toBeNull();
  });

  const fits = { drivingDays: 200, p95Km: 100, winterRangeKm: 210, daysAboveWinterRange: 0, chargerKw: 11, overnightDwellHours: 12, hoursNeeded: 1.6 };

  it('says why, in the order: range, depot, overnight stop, long days', () => {
    expect(verdictOf({ ...fits, p95Km: 250 }, compact)).toEqual({ verdict: 'not_suitable', reasonCode: 'p95_above_range', reason: 'p95 day 250 km is above the winter range 210 km of compact' });
    expect(verdictOf({ ...fits, chargerKw: null }, compact).verdict).toBe('suitable_with_daytime_charging');
    expect(verdictOf({ ...fits, overnightDwellHours: 1 }, compact).reason).toBe('overnight stop at the depot 1 h is shorter than the 1.6 h needed at 11 kW');
    expect(verdictOf({ ...fits, daysAboveWinterRange: 3 }, compact).reason).toBe('3 day(s) above the winter range 210 km need a top-up');
    expect(verdictOf(fits, compact).verdict).toBe('suitable');
    expect(verdictOf({ ...fits, drivingDays: 0, p95Km: null }, compact).verdict).toBe('not_suitable');
    expect(verdictOf(fits, null).reason).toBe('no candidate EV for its class in the catalogue');
  });

  it('names the deciding rule with a stable code, one per rule', () => {
    const codes = [
      verdictOf(fits, null),
      verdictOf({ ...fits, drivingDays: 0, p95Km: null }, compact),
      verdictOf({ ...fits, p95Km: 250 }, compact),
      verdictOf({ ...fits, chargerKw: null }, compact),
      verdictOf({ ...fits, overnightDwellHours: null }, compact),
      verdictOf({ ...fits, overnightDwellHours: 1 }, compact),
      verdictOf({ ...fits, daysAboveWinterRange: 3 }, compact),
      verdictOf(fits, compact),
    ].map((v) => v.reasonCode);
    expect(codes).toEqual(['no_candidate', 'no_distances', 'p95_above_range', 'no_depot', 'no_overnight_stop', 'stop_too_short', 'days_above_range', 'fits']);
  });
});
