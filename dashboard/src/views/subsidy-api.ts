/** The subsidy follow-up calls of the dashboard (src/charging/follow-up, submissions); the types are the API's (api-types.ts). */
import { ApiClient } from '../api-client';
import { Answer, Posted, Schemas } from '../api-types';

export type FollowUp = Answer<'/api/v1/subsidy-follow-up'>;
export type GrantFollowUp = Schemas['GrantFollowUp'];
export type PeriodFollowUp = Schemas['PeriodFollowUp'];
export type FollowUpStatus = PeriodFollowUp['status'];
export type SubmittedReport = FollowUp['submissions'][number];
export type Submission = Posted<'/api/v1/reports/charging-usage/submissions'>;
export type SubsidyOverview = Answer<'/api/v1/subsidy-follow-up/overview'>;
export type CooperativeOverview = SubsidyOverview['cooperatives'][number];

export function subsidyApi(client: ApiClient) {
  return {
    followUp: (organizationId: string) => client.fetchJson<FollowUp>('subsidy-follow-up', { organizationId }),
    submit: (from: string, to: string) => client.send<Submission>('POST', 'reports/charging-usage/submissions', { from, to }),
    overview: (year: number) => client.fetchJson<SubsidyOverview>('subsidy-follow-up/overview', { year }),
    receipt: (id: string, locale: string, fileName: string) => client.download(`reports/charging-usage/submissions/${encodeURIComponent(id)}/receipt`, { locale }, fileName),
  };
}
