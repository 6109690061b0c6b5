import { addDays, addYears } from '../../platform/time/calendar';

/**
 * The follow-up calendar of a subsidy grant. A grant is followed up year by year from the day it
 * was granted until `followUpEndsOn` (the day follow-up ends, exclusive): each grant year is a
 * follow-up period, the last one cut short at `followUpEndsOn`. The cooperative submits its
 * charging-usage report for each period within FOLLOW_UP_DEADLINE_DAYS days of the period's end.
 * Days are calendar days in the reporting time zone, as "YYYY-MM-DD".
 */
export const FOLLOW_UP_DEADLINE_DAYS = 30;

export type FollowUpStatus = 'running' | 'due' | 'submitted' | 'late' | 'missing';

export interface FollowUpPeriod {
  from: string;
  /** Exclusive. */
  to: string;
  /** The last day a submission is on time. */
  deadline: string;
}

export interface PeriodSubmission {
  id: string;
  /** The local day it was submitted on. */
  submittedOn: string;
}

export function followUpPeriods(grantedOn: string, followUpEndsOn: string): FollowUpPeriod[] {
  const periods: FollowUpPeriod[] = [];
  for (let year = 0; ; year++) {
    const from = addYears(grantedOn, year);
    if (from >= followUpEndsOn) return periods;
    const next = addYears(grantedOn, year + 1);
    const to = next < followUpEndsOn ? next : followUpEndsOn;
    periods.push({ from, to, deadline: addDays(to, FOLLOW_UP_DEADLINE_DAYS) });
  }
}

/**
 * Where a period stands on `today`: still running; ended and not submitted yet, before (`due`) or
 * after (`missing`) its deadline; submitted on time or `late`.
 */
export function followUpStatus(period: FollowUpPeriod, submission: PeriodSubmission | null, today: string): FollowUpStatus {
  if (submission) return submission.submittedOn > period.deadline ? 'late' : 'submitted';
  if (today < period.to) return 'running';
  return today > period.deadline ? 'missing' : 'due';
}
