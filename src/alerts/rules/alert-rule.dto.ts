import { OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, IsUrl, Length, Max, Min } from 'class-validator';
import { ALERT_KIND_NAMES } from './kinds/alert-kinds';
import { SUBJECT_KINDS, SubjectKind } from './kinds/alert-kind';

export class CreateAlertRuleDto {
  @IsIn(ALERT_KIND_NAMES, { message: `kind must be one of ${ALERT_KIND_NAMES.join(', ')}` })
  kind: string;

  /** What the rule watches, for kinds that can watch more than one (device_silent, dead_letter_rate); defaults to the kind's first, or charge points for a cooperative. */
  @IsOptional()
  @IsIn(SUBJECT_KINDS)
  subjectKind?: SubjectKind;

  @IsString()
  @Length(1, 200)
  name: string;

  /** Only this organization's subjects (a department's vehicles, a cooperative's charge points); a cooperative's rules are always its own. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  /** The kind's thresholds, e.g. `{ "minutes": 30 }`, `{ "pct": 90, "days": 30 }`. */
  @IsObject()
  params: Record<string, unknown>;

  /** An alert resolves only after its condition has been clear this long (hysteresis in time). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86_400)
  resolveAfterSeconds?: number;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Receives each opened and resolved alert as signed JSON; the signing secret is returned once, on creation. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  webhookUrl?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsEmail({}, { each: true })
  emailTo?: string[];
}

export class UpdateAlertRuleDto extends PartialType(OmitType(CreateAlertRuleDto, ['kind', 'subjectKind', 'organizationId'] as const)) {}
