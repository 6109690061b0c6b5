import { ChargingUsageReport, factorSetText } from '../reports/charging-usage.service';
import { FollowUp, GrantFollowUp, PeriodFollowUp } from './follow-up.service';

export interface CooperativeOverview {
  organizationId: string;
  organizationName: string;
  grantReferences: string[];
  amountNok: number;
  chargePoints: number;
  /** Of the overview's year, counted as in the charging-usage report. */
  sessions: number;
  energyKwh: number;
  availabilityBelow90Pct: number;
  silentOver7Days: number;
  submitted: number;
  late: number;
  missing: number;
  due: number;
  nextDeadline: string | null;
  periods: Array<PeriodFollowUp & { grantReference: string }>;
}

export interface SubsidyOverview {
  year: number;
  today: string;
  deadlineDays: number;
  /** The factors behind the year's enabled avoided emissions, as in the charging-usage report. */
  factorSet: string;
  cooperatives: CooperativeOverview[];
}

/**
 * The municipality's subsidy overview: every cooperative that has a grant, with its grants, the
 * year's charging figures from the charging-usage report (not recomputed here) and its follow-up
 * periods counted by status.
 */
export function subsidyOverview(year: number, followUp: FollowUp, usage: ChargingUsageReport): SubsidyOverview {
  const byOrganization = new Map<string, GrantFollowUp[]>();
  for (const grant of followUp.grants) byOrganization.set(grant.organizationId, [...(byOrganization.get(grant.organizationId) ?? []), grant]);
  const cooperatives = [...byOrganization.values()].map((grants): CooperativeOverview => {
    const { organizationId, organizationName } = grants[0];
    const rows = usage.chargePoints.filter((row) => row.organizationId === organizationId);
    const periods = grants.flatMap((g) => g.periods.map((p) => ({ ...p, grantReference: g.reference })));
    const count = (status: PeriodFollowUp['status']) => periods.filter((p) => p.status === status).length;
    const deadlines = grants
      .map((g) => g.nextDeadline)
      .filter((d): d is string => d !== null)
      .sort();
    return {
      organizationId,
      organizationName,
      grantReferences: grants.map((g) => g.reference),
      amountNok: grants.reduce((sum, g) => sum + g.amountNok, 0),
      chargePoints: rows.length,
      sessions: rows.reduce((sum, row) => sum + row.sessions, 0),
      energyKwh: rows.reduce((sum, row) => sum + row.energyKwh, 0),
      availabilityBelow90Pct: rows.filter((row) => row.availabilityBelow90Pct).length,
      silentOver7Days: rows.filter((row) => row.silentOver7Days).length,
      submitted: count('submitted'),
      late: count('late'),
      missing: count('missing'),
      due: count('due'),
      nextDeadline: deadlines[0] ?? null,
      periods,
    };
  });
  cooperatives.sort((a, b) => naturalCompare(a.organizationName, b.organizationName));
  return { year, today: followUp.today, deadlineDays: followUp.deadlineDays, factorSet: factorSetText(usage), cooperatives };
}

const collator = new Intl.Collator('nb', { numeric: true, sensitivity: 'base' });

/** "plass 4" before "plass 10": numbers in names compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b);
}
