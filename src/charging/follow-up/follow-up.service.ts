import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { FOLLOW_UP_DEADLINE_DAYS, FollowUpPeriod, FollowUpStatus, followUpPeriods, followUpStatus } from './follow-up-periods';
import { FollowUpRepository, GrantRow, SubmissionRow } from './follow-up.repository';

export interface PeriodFollowUp extends FollowUpPeriod {
  status: FollowUpStatus;
  submissionId: string | null;
  submittedAt: Date | null;
}

export interface GrantFollowUp extends GrantRow {
  /** The deadline of the first period not yet submitted whose deadline has not passed; null when none is left. */
  nextDeadline: string | null;
  periods: PeriodFollowUp[];
}

export interface FollowUp {
  /** The day the statuses were read on (reporting time zone). */
  today: string;
  deadlineDays: number;
  grants: GrantFollowUp[];
  /** Every submitted report of the cooperative(s), newest period first, follow-up period or not. */
  submissions: SubmissionRow[];
}

/**
 * The follow-up calendar of subsidy grants: each grant's periods with their deadlines and whether
 * the cooperative submitted its report for exactly that period, on time or late.
 */
@Injectable()
export class FollowUpService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: FollowUpRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async followUp(organizationId: string | null): Promise<FollowUp> {
    const timeZone = this.config.reportTimeZone;
    const { grants, submissions, today } = await this.transactions.run(async (manager) => ({
      grants: await this.repository.grants(manager, organizationId),
      submissions: await this.repository.submissions(manager, organizationId, timeZone),
      today: await this.repository.today(manager, timeZone),
    }));
    return {
      today,
      deadlineDays: FOLLOW_UP_DEADLINE_DAYS,
      grants: grants.map((grant) => grantFollowUp(grant, submissions, today)),
      submissions: [...submissions].sort((a, b) => b.from.localeCompare(a.from) || b.to.localeCompare(a.to)),
    };
  }
}

function grantFollowUp(grant: GrantRow, submissions: SubmissionRow[], today: string): GrantFollowUp {
  const periods = followUpPeriods(grant.grantedOn, grant.followUpEndsOn).map((period): PeriodFollowUp => {
    const submission = submissions.find((s) => s.organizationId === grant.organizationId && s.from === period.from && s.to === period.to) ?? null;
    return { ...period, status: followUpStatus(period, submission, today), submissionId: submission?.id ?? null, submittedAt: submission?.submittedAt ?? null };
  });
  const open = periods.find((p) => p.status === 'running' || p.status === 'due');
  return { ...grant, nextDeadline: open?.deadline ?? null, periods };
}
