import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { ReportFormatQuery } from '../../reports/export/report-format.dto';
import { DATE_PATTERN, IsYear } from '../../platform/validation/validators';
import { BOUNDARIES, Boundary, GRID_METHODS, GridMethod, VEHICLE_CLASSES, VehicleClass } from '../domain/factor-set';

export const GROUP_BYS = ['vehicleClass', 'vehicle', 'carrier', 'department', 'month'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Which factors: the factor set and, for electricity, the grid method. */
export class FactorSetQuery extends ReportFormatQuery {
  @IsOptional()
  @IsIn(GRID_METHODS, { message: `gridMethod must be one of ${GRID_METHODS.join(', ')}` })
  gridMethod?: GridMethod;

  /** Factor set version; default the newest. */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'factorSet must be a factor set version (a whole number)' })
  @Min(1)
  factorSet?: number;
}

/** Boundary, grid method and factor set: every emission report takes them and states them. */
export class FactorQuery extends FactorSetQuery {
  /** ttw (tank-to-wheel, the default) or wtw (well-to-wheel). */
  @IsOptional()
  @IsIn(BOUNDARIES, { message: `boundary must be one of ${BOUNDARIES.join(', ')}` })
  boundary?: Boundary;
}

export class EmissionsReportQuery extends FactorQuery {
  /** First day, inclusive (YYYY-MM-DD, reporting time zone). */
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  /** Day after the last, exclusive. */
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to: string;

  @IsOptional()
  @IsIn(GROUP_BYS, { message: `groupBy must be one of ${GROUP_BYS.join(', ')}` })
  groupBy?: GroupBy;
}

export class ChangeReportQuery extends FactorQuery {
  @Type(() => Number)
  @IsYear()
  baseYear: number;

  @Type(() => Number)
  @IsYear()
  year: number;

  /** The group; the whole fleet when omitted. */
  @IsOptional()
  @IsIn(VEHICLE_CLASSES, { message: `vehicleClass must be one of ${VEHICLE_CLASSES.join(', ')}` })
  vehicleClass?: VehicleClass;
}

export class FleetKpisQuery extends FactorQuery {
  @Type(() => Number)
  @IsYear()
  year: number;
}
