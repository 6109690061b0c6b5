import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Principal } from '../../platform/access/role';
import { OrganizationsService } from '../../registry/organizations/organizations.service';
import { mayWatch } from '../access';
import { AlertRuleRepository, AlertRuleRow } from './alert-rule.repository';
import { CreateAlertRuleDto, UpdateAlertRuleDto } from './alert-rule.dto';
import { AlertKind } from './kinds/alert-kind';
import { alertKind } from './kinds/alert-kinds';

/** A rule as the API shows it: the webhook by its origin only (a hook URL often carries a token), never its secret. */
export function ruleView(rule: AlertRuleRow) {
  const { webhookUrl, ...rest } = rule;
  return { ...rest, webhookOrigin: webhookUrl ? new URL(webhookUrl).origin : null };
}

@Injectable()
export class AlertRulesService {
  constructor(
    private readonly rules: AlertRuleRepository,
    private readonly organizations: OrganizationsService,
  ) {}

  async list(principal: Principal) {
    return { items: (await this.rules.list(principal)).map(ruleView) };
  }

  async get(id: string, principal: Principal) {
    return ruleView(await this.find(id, principal));
  }

  /** Creates a rule in the caller's scope; a webhook rule's signing secret is in this answer and nowhere else. */
  async create(input: CreateAlertRuleDto, principal: Principal) {
    const kind = alertKind(input.kind)!;
    const subjectKind = input.subjectKind ?? (principal.role === 'cooperative' && kind.subjectKinds.includes('charge_point') ? 'charge_point' : kind.subjectKinds[0]);
    if (!kind.subjectKinds.includes(subjectKind)) throw new BadRequestException(`A ${kind.name} rule watches ${kind.subjectKinds.join(' or ')}, not ${subjectKind}`);
    if (!mayWatch(principal, subjectKind)) throw new ForbiddenException(`A ${principal.role} key cannot make rules on ${subjectKind} subjects`);
    const organizationId = await this.organizationOf(input.organizationId, principal);
    const webhookSecret = input.webhookUrl ? randomBytes(32).toString('base64url') : null;
    const id = await this.rules.insert({
      kind: kind.name,
      subjectKind,
      name: input.name,
      organizationId,
      params: paramsOf(kind, input.params),
      resolveAfterSeconds: input.resolveAfterSeconds ?? 0,
      enabled: input.enabled ?? true,
      webhookUrl: input.webhookUrl ?? null,
      webhookSecret,
      emailTo: input.emailTo ?? [],
      createdBy: principal.keyId,
    });
    return { ...(await this.get(id, principal)), ...(webhookSecret ? { webhookSecret } : {}) };
  }

  async update(id: string, input: UpdateAlertRuleDto, principal: Principal) {
    const rule = await this.find(id, principal);
    const kind = alertKind(rule.kind)!;
    // A webhook added later gets its secret then, returned in this answer.
    const webhookSecret = input.webhookUrl && !(await this.rules.hasSecret(id)) ? randomBytes(32).toString('base64url') : undefined;
    await this.rules.update(id, {
      name: input.name,
      params: input.params ? paramsOf(kind, input.params) : undefined,
      resolveAfterSeconds: input.resolveAfterSeconds,
      enabled: input.enabled,
      webhookUrl: input.webhookUrl,
      webhookSecret: input.webhookUrl === null ? null : webhookSecret,
      emailTo: input.emailTo,
    });
    return { ...(await this.get(id, principal)), ...(webhookSecret ? { webhookSecret } : {}) };
  }

  async remove(id: string, principal: Principal): Promise<void> {
    await this.find(id, principal);
    await this.rules.remove(id);
  }

  /** Another scope's rule is 404, as if it did not exist. */
  private async find(id: string, principal: Principal): Promise<AlertRuleRow> {
    const rule = await this.rules.find(id, principal);
    if (!rule) throw new NotFoundException(`No alert rule ${id}`);
    return rule;
  }

  private async organizationOf(organizationId: string | undefined, principal: Principal): Promise<string | null> {
    if (principal.role === 'cooperative') {
      if (organizationId && organizationId !== principal.organizationId) throw new NotFoundException(`No organization ${organizationId}`);
      return principal.organizationId;
    }
    if (!organizationId) return null;
    await this.organizations.findOne(organizationId, principal);
    return organizationId;
  }
}

function paramsOf(kind: AlertKind, input: Record<string, unknown>): Record<string, number | string> {
  try {
    return kind.parseParams(input);
  } catch (error) {
    throw new BadRequestException((error as Error).message);
  }
}
