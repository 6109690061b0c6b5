import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Principal } from '../../platform/access/role';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { visibleTo } from '../../registry/organizations/organizations.service';
import { ChargingUsageService } from '../reports/charging-usage.service';
import { Submission, SubmissionRepository } from './submission.repository';

/**
 * Follow-up workflow: a cooperative submits its charging-usage report for a period; the figures
 * are frozen as they were at submission, with who (API key) and when, and later data does not
 * change them. The municipality lists who has submitted for a period.
 */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly usage: ChargingUsageService,
    private readonly submissions: SubmissionRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async submit(from: string, to: string, principal: Principal): Promise<Submission> {
    const organizationId = principal.organizationId!;
    const report = await this.usage.report(organizationId, from, to);
    const submission = await this.transactions.run((manager) => this.submissions.insert(manager, organizationId, from, to, principal.keyId, report));
    if (!submission) throw new ConflictException(`The report for ${from}..${to} was already submitted; a submission is not replaced`);
    return submission;
  }

  async find(id: string, principal: Principal): Promise<Submission> {
    const submission = await this.transactions.run((manager) => this.submissions.find(manager, id));
    if (!submission || !visibleTo(submission.organizationId, principal)) throw new NotFoundException(`No submission ${id}`);
    return submission;
  }

  async list(from: string, to: string, principal: Principal) {
    const scope = principal.role === 'cooperative' ? principal.organizationId : null;
    const items = await this.transactions.run((manager) => this.submissions.statuses(manager, from, to, scope));
    return { from, to, submitted: items.filter((item) => item.submitted).length, items };
  }
}
