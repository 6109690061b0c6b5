import { Candidate } from './plan.repository';

export const VERDICTS = ['suitable', 'suitable_with_daytime_charging', 'not_suitable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const DEFAULT_WINTER_FACTOR = 0.7;

/**
 * The candidate for a vehicle: of its class's candidates whose winter range covers the vehicle's
 * p95 day, the one using least energy per km (then the cheapest); when none covers it, the one
 * with the longest range (the verdict then says why it does not fit).
 */
export function chooseCandidate(candidates: readonly Candidate[], p95Km: number, winterFactor: number): Candidate | null {
  if (candidates.length === 0) return null;
  const fitting = candidates.filter((c) => c.wltpRangeKm * winterFactor >= p95Km);
  if (fitting.length > 0) return [...fitting].sort((a, b) => a.kwhPerKm - b.kwhPerKm || (a.priceNok ?? Infinity) - (b.priceNok ?? Infinity))[0];
  return [...candidates].sort((a, b) => b.wltpRangeKm - a.wltpRangeKm)[0];
}

export interface VerdictInput {
  drivingDays: number;
  p95Km: number | null;
  winterRangeKm: number | null;
  daysAboveWinterRange: number;
  /** Null when the department has no depot. */
  chargerKw: number | null;
  /** Median overnight stop at the home depot; null when none was seen. */
  overnightDwellHours: number | null;
  /** Hours to recharge the p95 day at the depot's charger. */
  hoursNeeded: number | null;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Which rule decided the verdict, beside the reason's English text: a stable code that a user
 * interface words in its own language from the row's figures.
 */
export const REASON_CODES = ['no_candidate', 'no_distances', 'p95_above_range', 'no_depot', 'no_overnight_stop', 'stop_too_short', 'days_above_range', 'fits'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * Not suitable: the p95 day does not fit in the candidate's winter range (or there is nothing to
 * judge by). Suitable with daytime charging: the p95 day fits, but some days exceed the winter
 * range, or the overnight stop at the home depot is too short (or unknown) to recharge the p95
 * day. Suitable: the p95 day and every day fit, and the depot stop recharges the p95 day.
 */
export function verdictOf(input: VerdictInput, candidate: Candidate | null): { verdict: Verdict; reasonCode: ReasonCode; reason: string } {
  if (!candidate) return { verdict: 'not_suitable', reasonCode: 'no_candidate', reason: 'no candidate EV for its class in the catalogue' };
  if (input.drivingDays === 0 || input.p95Km === null || input.winterRangeKm === null)
    return { verdict: 'not_suitable', reasonCode: 'no_distances', reason: 'no daily distances in the 12 months before asOf: cannot be assessed' };
  const range = round1(input.winterRangeKm);
  if (input.p95Km > input.winterRangeKm)
    return { verdict: 'not_suitable', reasonCode: 'p95_above_range', reason: `p95 day ${round1(input.p95Km)} km is above the winter range ${range} km of ${candidate.name}` };
  if (input.chargerKw === null) return { verdict: 'suitable_with_daytime_charging', reasonCode: 'no_depot', reason: 'its department has no depot with a charger registered' };
  if (input.overnightDwellHours === null) return { verdict: 'suitable_with_daytime_charging', reasonCode: 'no_overnight_stop', reason: 'no overnight stop at its home depot seen in its trips' };
  if (input.overnightDwellHours < input.hoursNeeded!) {
    return {
      verdict: 'suitable_with_daytime_charging',
      reasonCode: 'stop_too_short',
      reason: `overnight stop at the depot ${round1(input.overnightDwellHours)} h is shorter than the ${round1(input.hoursNeeded!)} h needed at ${input.chargerKw} kW`,
    };
  }
  if (input.daysAboveWinterRange > 0)
    return { verdict: 'suitable_with_daytime_charging', reasonCode: 'days_above_range', reason: `${input.daysAboveWinterRange} day(s) above the winter range ${range} km need a top-up` };
  return {
    verdict: 'suitable',
    reasonCode: 'fits',
    reason: `p95 day ${round1(input.p95Km)} km within the winter range ${range} km; overnight stop ${round1(input.overnightDwellHours)} h covers the ${round1(input.hoursNeeded!)} h needed at ${input.chargerKw} kW`,
  };
}
