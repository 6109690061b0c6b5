import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { FactorSetQuery } from '../reports/emission-report.dto';
import { SCOPE_PATTERN } from './scope';
import { IsYear } from '../../platform/validation/validators';

/** Each budget states its own boundary; the factors are those of `factorSet` and `gridMethod`. */
export class ClimateBudgetQuery extends FactorSetQuery {
  @Type(() => Number)
  @IsYear()
  year: number;

  /** fleet (default), department:<id> or vehicleClass:<class>. */
  @IsOptional()
  @Matches(SCOPE_PATTERN, { message: 'scope must be fleet, department:<id> or vehicleClass:<class>' })
  scope?: string;

  /** The forecast is made at the end of this month (1-12); default the last month that has ended. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'month must be a month 1-12' })
  @Min(1, { message: 'month must be a month 1-12' })
  @Max(12, { message: 'month must be a month 1-12' })
  month?: number;

  /** Budget set version; default the newest. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'budgetSet must be a budget set version (a whole number)' })
  @Min(1)
  budgetSet?: number;

  /** An electrification plan: its forecast is given beside today's (what-if). */
  @IsOptional()
  @IsUUID('all', { message: 'plan must be a plan id' })
  plan?: string;
}
