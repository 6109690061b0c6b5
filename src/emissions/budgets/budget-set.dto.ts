import { Type } from 'class-transformer';
import { IsArray, IsIn, IsNumber, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { BOUNDARIES, Boundary } from '../domain/factor-set';
import { SCOPE_PATTERN } from './scope';
import { PublishSetDto } from '../published-sets';
import { IsYear } from '../../platform/validation/validators';

const finite = { allowNaN: false, allowInfinity: false };
const scopeMessage = '$property must be fleet, department:<id> or vehicleClass:<class>';

/** An annual budget for a scope, the same for every year of [fromYear, toYear]. */
export class BudgetDto {
  @Matches(SCOPE_PATTERN, { message: scopeMessage })
  scope: string;

  @IsYear()
  fromYear: number;

  @IsYear()
  toYear: number;

  @IsIn(BOUNDARIES)
  boundary: Boundary;

  @IsNumber(finite)
  @Min(0)
  annualKg: number;
}

export const TARGET_KINDS = ['change', 'zeroEmissionShare', 'absolute'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
export const SHARE_BASES = ['vehicles', 'distance'] as const;
export type ShareBasis = (typeof SHARE_BASES)[number];

/**
 * A target of a scope for a year: `change` (changePct against baseYear, e.g. -25), `zeroEmissionShare`
 * (sharePct of vehicles at year end or of distance) or `absolute` (at most maxKg).
 */
export class TargetDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @Matches(SCOPE_PATTERN, { message: scopeMessage })
  scope: string;

  @IsIn(TARGET_KINDS)
  kind: TargetKind;

  @IsYear()
  year: number;

  @IsOptional()
  @IsIn(BOUNDARIES)
  boundary?: Boundary;

  @ValidateIf((target: TargetDto) => target.kind === 'change')
  @IsYear()
  baseYear?: number;

  @ValidateIf((target: TargetDto) => target.kind === 'change')
  @IsNumber(finite)
  @Min(-100)
  changePct?: number;

  @ValidateIf((target: TargetDto) => target.kind === 'zeroEmissionShare')
  @IsIn(SHARE_BASES)
  shareBasis?: ShareBasis;

  @ValidateIf((target: TargetDto) => target.kind === 'zeroEmissionShare')
  @IsNumber(finite)
  @Min(0)
  @Max(100)
  sharePct?: number;

  @ValidateIf((target: TargetDto) => target.kind === 'absolute')
  @IsNumber(finite)
  @Min(0)
  maxKg?: number;
}

/** A complete budget set: it replaces nothing, reports choose it by version (default: the newest). */
export class PublishBudgetSetDto extends PublishSetDto {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BudgetDto)
  budgets: BudgetDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets: TargetDto[];
}
