import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsIn } from 'class-validator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { GRID_METHODS, GridMethod } from '../domain/factor-set';
import { SCOPE_PATTERN } from './scope';

export class ClimateBudgetQuery extends ReportFormatQuery {
  @Type(() => Number)
  @IsInt({ message: 'year must be a year' })
  @Min(2000)
  @Max(2100)
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

  /** Factor set version; default the newest. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'factorSet must be a factor set version (a whole number)' })
  @Min(1)
  factorSet?: number;

  @IsOptional()
  @IsIn(GRID_METHODS, { message: `gridMethod must be one of ${GRID_METHODS.join(', ')}` })
  gridMethod?: GridMethod;

  /** An electrification plan: its forecast is given beside today's (what-if). */
  @IsOptional()
  @IsUUID('all', { message: 'plan must be a plan id' })
  plan?: string;
}
