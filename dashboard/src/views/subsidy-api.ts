/** The subsidy follow-up calls of the dashboard (src/charging/follow-up, submissions); types follow the API's answers. */
import { ApiClient } from '../api-client';

export type FollowUpStatus = 'running' | 'due' | 'submitted' | 'late' | 'missing';

export interface PeriodFollowUp {
  from: string;
  to: string;
  deadline: string;
  status: FollowUpStatus;
  submissionId: string | null;
  submittedAt: string | null;
}

export interface GrantFollowUp {
  id: string;
  reference: string;
  organizationId: string;
  organizationName: string;
  grantedOn: string;
  amountNok: number;
  chargePointCount: number;
  followUpEndsOn: string;
  nextDeadline: string | null;
  periods: PeriodFollowUp[];
}

export interface SubmittedReport {
  id: string;
  organizationId: string;
  from: string;
  to: string;
  submittedAt: string;
  submittedOn: string;
}

export interface FollowUp {
  today: string;
  deadlineDays: number;
  grants: GrantFollowUp[];
  submissions: SubmittedReport[];
}

export interface Submission {
  id: string;
  from: string;
  to: string;
  submittedAt: string;
  submittedBy: { keyId: string; keyName: string };
}

export interface CooperativeOverview {
  organizationId: string;
  organizationName: string;
  grantReferences: string[];
  amountNok: number;
  chargePoints: number;
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
  factorSet: string;
  cooperatives: CooperativeOverview[];
}

export function subsidyApi(client: ApiClient) {
  return {
    followUp: (organizationId: string) => client.fetchJson<FollowUp>('subsidy-follow-up', { organizationId }),
    submit: (from: string, to: string) => client.send<Submission>('POST', 'reports/charging-usage/submissions', { from, to }),
    overview: (year: number) => client.fetchJson<SubsidyOverview>('subsidy-follow-up/overview', { year }),
    receipt: (id: string, locale: string, fileName: string) => client.download(`reports/charging-usage/submissions/${encodeURIComponent(id)}/receipt`, { locale }, fileName),
  };
}
